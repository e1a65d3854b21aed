/** Customer accounts: balance, rate, state, throughput; create, disable or enable, top up (or take back) credit. */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useCustomers, useTopUp, type Customer } from '../api/admin';
import { useCreateCustomer, usePatchCustomer } from '../api/operator';
import { ApiError } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';
import { TextField } from '../components/TextField';

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
      <TextField
        label={`Top up ${username}`}
        error={error}
        hint="An amount in the account currency; negative takes credit back."
        inputMode="decimal"
        value={amount}
        onChange={setAmount}
      />
      <button type="submit" className="secondary" disabled={!amount.trim() || topUp.isPending}>
        Add credit
      </button>
    </form>
  );
}

/** A customer's throughput caps (messages per second over HTTP and SMPP), as set. */
export const throughputOf = (u: Customer) => {
  const t = u.settings?.throughput;
  const one = (v: number | null | undefined) => (v ? `${v}/s` : 'no cap');
  return `HTTP ${one(t?.http)} · SMPP ${one(t?.smpp)}`;
};

function NewCustomer({ onDone }: { onDone: () => void }) {
  const create = useCreateCustomer();
  const [f, setF] = useState({ username: '', password: '', balance: '', rate: '' });
  const err = create.error instanceof ApiError ? create.error : undefined;
  const at = (k: string) =>
    err && (err.field === k || err.message.startsWith(`${k}:`)) ? err.message : undefined;
  const named = err && ['username', 'password', 'balance', 'rate'].some((k) => at(k));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        username: f.username.trim(),
        password: f.password,
        ...(f.balance.trim() ? { balance: f.balance.trim() } : {}),
        ...(f.rate.trim() ? { rate: f.rate.trim() } : {}),
      },
      { onSuccess: onDone },
    );
  };
  const input = (k: keyof typeof f, label: string, hint: string, type = 'text') => (
    <TextField
      label={label}
      hint={hint}
      error={at(k)}
      type={type}
      autoComplete={type === 'password' ? 'new-password' : 'off'}
      value={f[k]}
      onChange={(v) => setF((x) => ({ ...x, [k]: v }))}
    />
  );
  return (
    <form className="narrow" onSubmit={submit} noValidate aria-label="New customer">
      <h2>Create a customer</h2>
      {input('username', 'Username', 'Also the SMPP system_id: letters, digits, _ . - (at most 15).')}
      {input('password', 'Password', 'Also the SMPP password: at most 8 characters.', 'password')}
      {input('balance', 'Opening credit', 'In the account currency, e.g. 50.')}
      {input('rate', 'Price per part', 'The default price per SMS part, e.g. 0.02.')}
      {err && !named && <ErrorNote error={err} />}
      {create.error && !err && <ErrorNote error={create.error} />}
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          Create customer
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Switch({ u }: { u: Customer }) {
  const patch = usePatchCustomer();
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={patch.isPending}
        onClick={() => patch.mutate({ username: u.username, patch: { enabled: !u.enabled } })}
      >
        {u.enabled ? `Disable ${u.username}` : `Enable ${u.username}`}
      </button>
      <ErrorNote error={patch.error} />
    </>
  );
}

export function Customers() {
  const customers = useCustomers();
  const [creating, setCreating] = useState(false);
  return (
    <section>
      <h1>Customers</h1>
      <ErrorNote error={customers.error} />
      {creating ? (
        <NewCustomer onDone={() => setCreating(false)} />
      ) : (
        <button type="button" onClick={() => setCreating(true)}>
          Create a customer
        </button>
      )}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Customer</th>
              <th scope="col">State</th>
              <th scope="col">Balance</th>
              <th scope="col">Rate per part</th>
              <th scope="col">Throughput</th>
              <th scope="col">Credit</th>
              <th scope="col">Account</th>
            </tr>
          </thead>
          <tbody>
            {(customers.data?.users ?? []).map((u) => (
              <tr key={u.id}>
                <td data-label="Customer">
                  <Link to={`/customers/${encodeURIComponent(u.username)}`}>
                    <strong>{u.username}</strong>
                  </Link>
                  {u.group && <span className="hint"> ({u.group})</span>}
                </td>
                <td data-label="State">
                  <span className={`badge ${u.enabled ? 'good' : 'bad'}`}>
                    {u.enabled ? 'enabled' : 'disabled'}
                  </span>
                </td>
                <td data-label="Balance">{u.balance}</td>
                <td data-label="Rate per part">{u.rate}</td>
                <td data-label="Throughput">{throughputOf(u)}</td>
                <td data-label="Credit">
                  <TopUp username={u.username} />
                </td>
                <td data-label="Account">
                  <Switch u={u} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
