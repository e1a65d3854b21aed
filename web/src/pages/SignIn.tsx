/** The sign-in page: Username and Password; the API's refusal (wrong password, locked) said in words. */
import { useForm } from 'react-hook-form';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useSession, useSignIn } from '../api/session';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/ErrorNote';

interface Form {
  username: string;
  password: string;
}

export function SignIn() {
  const session = useSession();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const { register, handleSubmit, formState } = useForm<Form>();
  if (session.data) return <Navigate to={from} replace />;
  const onSubmit = (f: Form) => signIn.mutate(f, { onSuccess: () => navigate(from, { replace: true }) });
  return (
    <main className="sign-in">
      <h1>Sign in to Hermod</h1>
      <form onSubmit={handleSubmit(onSubmit)} noValidate>
        <Field label="Username" error={formState.errors.username?.message}>
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              autoComplete="username"
              autoFocus
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
              {...register('password', { required: 'Enter your password.' })}
            />
          )}
        </Field>
        <ErrorNote error={signIn.error} />
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
