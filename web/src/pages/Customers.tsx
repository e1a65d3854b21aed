/** Customer accounts: balance, rate, state; top up (or take back) credit. */
import { useState } from 'react';
import { useCustomers, useTopUp } from '../api/admin';
import { ApiError } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';

function TopUp({ username }: { username: string }) {
  const topUp = useTopUp();
  const [amount, setAmount] = useState('');
  const error =
    topUp.error instanceof ApiError ? topUp.error.message : topUp.error ? String(topUp.error) : undefined;
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        topUp.mutate({ username, amount: amount.trim() }, { onSuccess: () => setAmount('') });
      }}
    >
      <Field
        label={`Top up ${username}`}
        error={error}
        hint="An amount in the account currency; negative takes credit back."
      >
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" className="secondary" disabled={!amount.trim() || topUp.isPending}>
        Add credit
      </button>
    </form>
  );
}

export function Customers() {
  const customers = useCustomers();
  return (
    <section>
      <h1>Customers</h1>
      <ErrorNote error={customers.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">State</th>
              <th scope="col">Balance</th>
              <th scope="col">Rate per part</th>
              <th scope="col">Credit</th>
            </tr>
          </thead>
          <tbody>
            {(customers.data?.users ?? []).map((u) => (
              <tr key={u.id}>
                <td data-label="Account">
                  <strong>{u.username}</strong>
                  {u.group && <span className="hint"> ({u.group})</span>}
                </td>
                <td data-label="State">
                  <span className={`badge ${u.enabled ? 'good' : 'bad'}`}>
                    {u.enabled ? 'enabled' : 'disabled'}
                  </span>
                </td>
                <td data-label="Balance">{u.balance}</td>
                <td data-label="Rate per part">{u.rate}</td>
                <td data-label="Credit">
                  <TopUp username={u.username} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
