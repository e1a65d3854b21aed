/** Balance & ledger: every change of the balance, newest first, a page at a time. */
import { useLedger, useRateCard } from '../../api/account';
import { useBalance } from '../../api/messages';
import { ErrorNote } from '../../components/ErrorNote';
import { CursorPager, useCursorPages } from '../../components/CursorPager';

export function LedgerSection() {
  const balance = useBalance();
  const pages = useCursorPages<number>();
  const ledger = useLedger(pages.cursor);
  return (
    <section aria-labelledby="ledger-h">
      <h2 id="ledger-h">Balance &amp; ledger</h2>
      <ErrorNote error={balance.error ?? ledger.error} />
      <p className="figure" aria-label="Balance">
        {balance.data?.balance}
      </p>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Ledger</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Amount</th>
              <th scope="col">Balance after</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {ledger.data?.entries.map((e) => (
              <tr key={e.id}>
                <td data-label="When">{new Date(e.at).toLocaleString()}</td>
                <td data-label="What">{e.kind}</td>
                <td data-label="Amount">{e.amount}</td>
                <td data-label="Balance after">{e.balance}</td>
                <td data-label="Note">{e.note ?? e.campaign ?? e.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {ledger.data && ledger.data.entries.length === 0 && <p>No balance changes yet.</p>}
      </div>
      <CursorPager pages={pages} next={ledger.data?.next} />
    </section>
  );
}

/** The rate card: the price of one SMS part per destination country. */
export function RatesSection() {
  const card = useRateCard();
  return (
    <section aria-labelledby="rates-h">
      <h2 id="rates-h">Rates</h2>
      <ErrorNote error={card.error} />
      {card.data && card.data.rates.length === 0 ? (
        <p>No country prices: every message costs your account&apos;s rate or its route&apos;s.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Rate card</caption>
            <thead>
              <tr>
                <th scope="col">Country</th>
                <th scope="col">SMS part</th>
                <th scope="col">Inbound</th>
              </tr>
            </thead>
            <tbody>
              {card.data?.rates.map((r) => (
                <tr key={r.country}>
                  <td data-label="Country">{r.country}</td>
                  <td data-label="SMS part">{r.sms}</td>
                  <td data-label="Inbound">{r.inbound ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
