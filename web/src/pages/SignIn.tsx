/**
 * The sign-in page: Username and Password, then (for a user with two-factor sign-in) the
 * app's Code; the API's refusal (wrong password, locked) said in words. In demo mode it
 * says the demo's public sign-ins.
 */
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/client';
import { useSession } from '../api/session';
import { useSignInHints, useSignInWithCode } from '../api/account';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/ErrorNote';

interface Form {
  username: string;
  password: string;
  code: string;
}

export function SignIn() {
  const session = useSession();
  const hints = useSignInHints();
  const signIn = useSignInWithCode();
  const navigate = useNavigate();
  const location = useLocation();
  const [askCode, setAskCode] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const { register, handleSubmit, formState } = useForm<Form>();
  if (session.data) return <Navigate to={from} replace />;
  const onSubmit = (f: Form) =>
    signIn.mutate(
      { username: f.username, password: f.password, ...(askCode ? { code: f.code } : {}) },
      {
        onSuccess: () => navigate(from, { replace: true }),
        onError: (err) => {
          if (err instanceof ApiError && err.code === 'HERMOD_ERR_CODE_REQUIRED') setAskCode(true);
        },
      },
    );
  const codeAsked = signIn.error instanceof ApiError && signIn.error.code === 'HERMOD_ERR_CODE_REQUIRED';
  return (
    <main className="sign-in">
      <h1>Sign in to Hermod</h1>
      {hints.data?.demo && (
        <div className="note" role="note">
          This is the demo. Sign in as the customer <strong>demo</strong> / <strong>demo</strong>, or as the
          operator <strong>admin</strong> / <strong>admin</strong>.
        </div>
      )}
      <form onSubmit={handleSubmit(onSubmit)} noValidate>
        <Field label="Username" error={formState.errors.username?.message}>
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              autoComplete="username"
              autoFocus
              readOnly={askCode}
              {...register('username', { required: 'Enter your username.' })}
            />
          )}
        </Field>
        <Field label="Password" error={formState.errors.password?.message}>
          {(id, describedBy) => (
            <input
              id={id}
              type="password"
              aria-describedby={describedBy}
              autoComplete="current-password"
              readOnly={askCode}
              {...register('password', { required: 'Enter your password.' })}
            />
          )}
        </Field>
        {askCode && (
          <Field
            label="Code"
            hint="The 6-digit code your authenticator app shows for Hermod."
            error={formState.errors.code?.message}
          >
            {(id, describedBy) => (
              <input
                id={id}
                aria-describedby={describedBy}
                inputMode="numeric"
                autoComplete="one-time-code"
                autoFocus
                maxLength={6}
                {...register('code', {
                  required: 'Enter the code from your app.',
                  pattern: { value: /^\s*\d{6}\s*$/, message: 'The code has 6 digits.' },
                })}
              />
            )}
          </Field>
        )}
        {!codeAsked && <ErrorNote error={signIn.error} />}
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
