/** API keys: the account's keys for programs; create one (shown once), revoke one. */
import { useState } from 'react';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../../api/account';
import { ApiError } from '../../api/client';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';
import { OneTimeSecret } from '../../components/OneTimeSecret';
import { ConfirmButton } from '../../components/ConfirmButton';

export function ApiKeysSection({ canChange }: { canChange: boolean }) {
  const keys = useApiKeys();
  const create = useCreateApiKey();
  const revoke = useRevokeApiKey();
  const [label, setLabel] = useState('');
  const labelError =
    create.error instanceof ApiError && create.error.field === 'label' ? create.error.message : undefined;
  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">API keys</h2>
      <p className="hint">
        Programs send with <code>Authorization: Bearer &lt;key&gt;</code> on REST v1. A key acts as the whole
        account.
      </p>
      <ErrorNote error={keys.error ?? revoke.error} />
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Label</th>
              <th scope="col">Created</th>
              {canChange && <th scope="col">Revoke</th>}
            </tr>
          </thead>
          <tbody>
            {keys.data?.data.map((k) => (
              <tr key={k.id}>
                <td data-label="Key">#{k.id}</td>
                <td data-label="Label">{k.label ?? '—'}</td>
                <td data-label="Created">{new Date(k.created_at).toLocaleString()}</td>
                {canChange && (
                  <td data-label="Revoke">
                    <ConfirmButton
                      label={`Revoke key #${k.id}`}
                      question={`Revoke key #${k.id}${k.label ? ` (${k.label})` : ''}? Programs using it stop working at once.`}
                      confirm="Yes, revoke"
                      onConfirm={() => revoke.mutate(k.id)}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        {keys.data && keys.data.data.length === 0 && <p>No API keys.</p>}
      </div>
      {canChange && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(label.trim(), { onSuccess: () => setLabel('') });
          }}
        >
          <Field label="New key's label" error={labelError} hint="What uses it, e.g. “shop backend”.">
            {(id, d) => (
              <input
                id={id}
                aria-describedby={d}
                maxLength={100}
                value={label}
                onChange={(e) => setLabel(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={create.isPending}>
            Create API key
          </button>
        </form>
      )}
      {!labelError && <ErrorNote error={create.error} />}
      {create.data && <OneTimeSecret label={`New API key #${create.data.id}`} value={create.data.key} />}
    </section>
  );
}
