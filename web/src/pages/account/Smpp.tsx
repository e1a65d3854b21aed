/** SMPP: how to bind (host, port, system_id, TLS) with a copyable example, and a new password. */
import { useState } from 'react';
import { useSetSmppPassword, useSmpp } from '../../api/account';
import { ApiError } from '../../api/client';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';
import { OneTimeSecret } from '../../components/OneTimeSecret';

export function SmppSection({ canChange }: { canChange: boolean }) {
  const smpp = useSmpp();
  const setPassword = useSetSmppPassword();
  const [password, setPasswordText] = useState('');
  const s = smpp.data;
  const host = s?.host ?? window.location.hostname;
  const example = s
    ? `bind_transceiver system_id="${s.system_id}" password="…" system_type="" interface_version=0x34\n→ ${host}:${s.port ?? 2775}${s.tls_port ? ` (TLS: ${host}:${s.tls_port})` : ''}`
    : '';
  const passwordError =
    setPassword.error instanceof ApiError && setPassword.error.field === 'password'
      ? setPassword.error.message
      : undefined;
  return (
    <section aria-labelledby="smpp-h">
      <h2 id="smpp-h">SMPP</h2>
      <ErrorNote error={smpp.error} />
      {s && (
        <>
          <dl className="facts">
            <dt>Host</dt>
            <dd>{host}</dd>
            <dt>Port</dt>
            <dd>{s.port ?? '—'}</dd>
            <dt>TLS</dt>
            <dd>{s.tls_port ? `yes, port ${s.tls_port}` : 'not offered'}</dd>
            <dt>system_id</dt>
            <dd>{s.system_id}</dd>
            <dt>Password</dt>
            <dd>{s.password_set ? 'set' : 'not set'}</dd>
          </dl>
          <p className="hint">
            How to bind: SMPP 3.4, as a transceiver (or a transmitter and a receiver), with your system_id and
            SMPP password. Receipts and replies come over the receiving bind.
          </p>
          <OneTimeSecret label="Bind example" value={example} note="" />
        </>
      )}
      {canChange && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            setPassword.mutate(password, { onSuccess: () => setPasswordText('') });
          }}
        >
          <Field
            label="New SMPP password"
            error={passwordError}
            hint="1 to 8 characters (SMPP's limit). Binds already up stay up."
          >
            {(id, d) => (
              <input
                id={id}
                type="password"
                autoComplete="new-password"
                aria-describedby={d}
                value={password}
                onChange={(e) => setPasswordText(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={setPassword.isPending}>
            Set SMPP password
          </button>
        </form>
      )}
      {!passwordError && <ErrorNote error={setPassword.error} />}
      {setPassword.isSuccess && (
        <p className="note good" role="status">
          SMPP password changed: new binds need it.
        </p>
      )}
    </section>
  );
}
