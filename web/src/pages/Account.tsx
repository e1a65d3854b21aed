/** The account: its balance (the ledger, rates, keys and team come with their APIs). */
import { useBalance } from '../api/messages';
import { useSession } from '../api/session';
import { ErrorNote } from '../components/ErrorNote';

export function Account() {
  const session = useSession();
  const balance = useBalance();
  return (
    <section>
      <h1>Account</h1>
      <ErrorNote error={balance.error} />
      <dl className="facts">
        <dt>Account</dt>
        <dd>{session.data?.account?.username}</dd>
        <dt>Signed in as</dt>
        <dd>
          {session.data?.user.email} ({session.data?.user.role})
        </dd>
        <dt>Balance</dt>
        <dd>{balance.data?.balance}</dd>
      </dl>
    </section>
  );
}
