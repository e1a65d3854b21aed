/** Operator pages: a customer's session is told so (its API calls would be refused anyway). */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useSession } from '../api/session';

export function OperatorOnly({ children }: { children: ReactNode }) {
  const session = useSession();
  if (session.data?.user.kind === 'operator') return <>{children}</>;
  return (
    <section>
      <h1>Operators only</h1>
      <p role="alert">
        This page is for the operators of this Hermod. <Link to="/dashboard">Back to your dashboard</Link>.
      </p>
    </section>
  );
}
