/** Webhooks: where status events of messages sent without a callback URL go, and their signing secret. */
import { useEffect, useState } from 'react';
import { useRotateSecret, useSetWebhookUrl, useWebhook } from '../../api/account';
import { ApiError } from '../../api/client';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { ConfirmButton } from '../../components/ConfirmButton';

export function WebhookSection({ canChange }: { canChange: boolean }) {
  const hook = useWebhook();
  const setUrl = useSetWebhookUrl();
  const rotate = useRotateSecret();
  const [url, setUrlText] = useState('');
  useEffect(() => setUrlText(hook.data?.url ?? ''), [hook.data?.url]);
  const urlError =
    setUrl.error instanceof ApiError && setUrl.error.field === 'url' ? setUrl.error.message : undefined;
  const w = hook.data;
  return (
    <section aria-labelledby="webhook-h">
      <h2 id="webhook-h">Webhooks</h2>
      <ErrorNote error={hook.error ?? rotate.error} />
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          setUrl.mutate(url);
        }}
      >
        <Field
          label="Status webhook URL"
          error={urlError}
          hint="Status events (sent, delivered, failed…) of messages sent without their own callback_url. Empty: none."
        >
          {(id, d) => (
            <input
              id={id}
              type="url"
              aria-describedby={d}
              placeholder="https://example.com/hermod/status"
              readOnly={!canChange}
              value={url}
              onChange={(e) => setUrlText(e.target.value)}
            />
          )}
        </Field>
        {canChange && (
          <button type="submit" disabled={setUrl.isPending}>
            Save URL
          </button>
        )}
      </form>
      {!urlError && <ErrorNote error={setUrl.error} />}
      {setUrl.isSuccess && (
        <p className="note good" role="status">
          Saved.
        </p>
      )}
      <dl className="facts">
        <dt>Signing secret</dt>
        <dd>
          {w?.has_secret
            ? `set${w.secret_hint ? ` (ends in …${w.secret_hint})` : ' (by the operator)'}`
            : 'none: deliveries are not signed'}
        </dd>
      </dl>
      <p className="hint">
        Each delivery carries <code>webhook-id</code>, <code>webhook-timestamp</code> and{' '}
        <code>webhook-signature</code> (Standard Webhooks: HMAC-SHA256 of id.timestamp.body).
      </p>
      {canChange &&
        (w?.secret_hint ? (
          <ConfirmButton
            label="Rotate signing secret"
            question="Make a new secret? Receivers checking the old one refuse deliveries until they have the new one."
            confirm="Yes, rotate"
            onConfirm={() => rotate.mutate()}
          />
        ) : (
          <button type="button" className="secondary" onClick={() => rotate.mutate()}>
            Make a signing secret
          </button>
        ))}
      {rotate.data && <OneTimeSecret label="New signing secret" value={rotate.data.secret} />}
    </section>
  );
}
