/** Two-factor sign-in (TOTP) of the signed-in user: set up with a QR code, confirm with a code, turn off. */
import { useState } from 'react';
import { useTotp, useTotpConfirm, useTotpSetup } from '../../api/account';
import { ApiError } from '../../api/client';
import { Field } from '../../components/Field';
import { ErrorNote } from '../../components/ErrorNote';

export function TwoFactorSection() {
  const totp = useTotp();
  const setup = useTotpSetup();
  const confirm = useTotpConfirm('confirm');
  const disable = useTotpConfirm('disable');
  const [code, setCode] = useState('');
  const on = totp.data?.enabled === true;
  const action = on ? disable : confirm;
  const codeError =
    action.error instanceof ApiError && action.error.field === 'code' ? action.error.message : undefined;
  const submit = () =>
    action.mutate(code, {
      onSuccess: () => {
        setCode('');
        setup.reset();
      },
    });
  return (
    <section aria-labelledby="totp-h">
      <h2 id="totp-h">Two-factor sign-in</h2>
      <ErrorNote error={totp.error ?? setup.error} />
      <p role="status">
        {on
          ? 'On: signing in asks for the code of your authenticator app.'
          : 'Off: signing in asks for your password only.'}
      </p>
      {!on && !setup.data && (
        <button type="button" onClick={() => setup.mutate()} disabled={setup.isPending}>
          Set up two-factor sign-in
        </button>
      )}
      {!on && setup.data && (
        <div className="totp-setup">
          <p>Scan this with your authenticator app, or type the key in by hand.</p>
          <img
            alt="QR code of the two-factor sign-in key"
            width={180}
            height={180}
            src={`data:image/svg+xml;utf8,${encodeURIComponent(setup.data.qr_svg)}`}
          />
          <p>
            Key: <code aria-label="Two-factor key">{setup.data.secret}</code>
          </p>
        </div>
      )}
      {(on || setup.data) && (
        <form
          className="inline"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <Field
            label="Code"
            error={codeError}
            hint={on ? 'A current code, to turn it off.' : 'The 6 digits the app shows now.'}
          >
            {(id, d) => (
              <input
                id={id}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                aria-describedby={d}
                value={code}
                onChange={(e) => setCode(e.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={action.isPending}>
            {on ? 'Turn off two-factor sign-in' : 'Turn on two-factor sign-in'}
          </button>
        </form>
      )}
      {!codeError && <ErrorNote error={action.error} />}
    </section>
  );
}
