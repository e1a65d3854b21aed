/** Today at a glance: the balance, and today's messages by outcome (from the message log). */
import { Link } from 'react-router';
import { useBalance, useMessages } from '../api/messages';

const DELIVERED = new Set(['delivered']);
const FAILED = new Set(['undelivered', 'failed', 'rejected', 'expired']);

export function Dashboard() {
  const balance = useBalance();
  const since = new Date();
  since.setHours(0, 0, 0, 0);
  const today = useMessages({ since: since.toISOString() });
  const list = today.data?.data ?? [];
  const delivered = list.filter((m) => DELIVERED.has(m.status)).length;
  const failed = list.filter((m) => FAILED.has(m.status)).length;
  const finished = delivered + failed;
  return (
    <section>
      <h1>Dashboard</h1>
      <div className="cards">
        <div className="card">
          <h2>Balance</h2>
          <p className="figure">{balance.data?.balance ?? '…'}</p>
        </div>
        <div className="card">
          <h2>Sent today</h2>
          <p className="figure">
            {list.length}
            {today.data?.next_cursor ? '+' : ''}
          </p>
        </div>
        <div className="card">
          <h2>Delivered</h2>
          <p className="figure">{delivered}</p>
        </div>
        <div className="card">
          <h2>Failed</h2>
          <p className="figure">{failed}</p>
        </div>
        <div className="card">
          <h2>Delivery rate</h2>
          <p className="figure">{finished ? `${Math.round((delivered / finished) * 100)}%` : '–'}</p>
        </div>
      </div>
      <p>
        <Link className="button" to="/send">
          Send a message
        </Link>
      </p>
    </section>
  );
}
