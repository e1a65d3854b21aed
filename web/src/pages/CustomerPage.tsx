/**
 * One customer, for operators: balance and state, the price and limits (throughput, binds,
 * SMS quota, authorizations) as PATCH /users changes them, the rate card, ending the SMPP
 * binds, and the account's web users.
 */
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import type { Customer } from '../api/admin';
import { ApiError } from '../api/client';
import {
  useAccountWebUsers,
  useBinds,
  useCustomer,
  usePatchCustomer,
  useRateCard,
  useUnbind,
} from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { TextField } from '../components/TextField';
import { throughputOf } from './Customers';

const numberOrNull = (s: string) => (s.trim() === '' ? null : Number(s));

function Limits({ u }: { u: Customer }) {
  const patch = usePatchCustomer();
  const s = u.settings ?? {};
  const [rate, setRate] = useState(u.rate);
  const [http, setHttp] = useState(String(s.throughput?.http ?? ''));
  const [smpp, setSmpp] = useState(String(s.throughput?.smpp ?? ''));
  const [maxBinds, setMaxBinds] = useState(String(s.access?.maxBinds ?? ''));
  const [quota, setQuota] = useState(u.smsCount === null ? '' : String(u.smsCount));
  const [auth, setAuth] = useState<Record<string, boolean>>(s.authorizations ?? {});
  const err = patch.error instanceof ApiError ? patch.error : undefined;
  const at = (k: string) => (err && (err.field ?? '').startsWith(k) ? err.message : undefined);
  const named = err && ['rate', 'settings', 'smsCount'].some((k) => at(k));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    patch.mutate({
      username: u.username,
      patch: {
        rate: rate.trim(),
        smsCount: numberOrNull(quota),
        settings: {
          authorizations: auth,
          throughput: { http: numberOrNull(http), smpp: numberOrNull(smpp) },
          access: { maxBinds: numberOrNull(maxBinds) },
        },
      },
    });
  };
  const text = (
    label: string,
    value: string,
    set: (v: string) => void,
    error: string | undefined,
    hint?: string,
  ) => <TextField label={label} error={error} hint={hint} inputMode="decimal" value={value} onChange={set} />;
  return (
    <form className="narrow" onSubmit={submit} noValidate aria-label="Price and limits">
      <h2>Price and limits</h2>
      {text('Price per part', rate, setRate, at('rate'))}
      {text('HTTP throughput (per second)', http, setHttp, at('settings.throughput.http'), 'Empty: no cap.')}
      {text('SMPP throughput (per second)', smpp, setSmpp, at('settings.throughput.smpp'), 'Empty: no cap.')}
      {text('SMPP binds at most', maxBinds, setMaxBinds, at('settings.access'), 'Empty: no cap.')}
      {text('SMS parts left', quota, setQuota, at('smsCount'), 'Empty: unlimited.')}
      <fieldset>
        <legend>Authorizations</legend>
        {Object.keys(auth).map((k) => (
          <label key={k} className="check">
            <input
              type="checkbox"
              checked={auth[k]}
              onChange={(e) => setAuth((a) => ({ ...a, [k]: e.target.checked }))}
            />{' '}
            {k}
          </label>
        ))}
      </fieldset>
      {err && !named && <ErrorNote error={err} />}
      {patch.error && !err && <ErrorNote error={patch.error} />}
      {patch.isSuccess && (
        <p className="note good" role="status">
          Saved.
        </p>
      )}
      <button type="submit" disabled={patch.isPending}>
        Save limits
      </button>
    </form>
  );
}

function Binds({ username }: { username: string }) {
  const unbind = useUnbind();
  const binds = useBinds(username);
  const list = binds.data?.binds ?? [];
  return (
    <section aria-labelledby="binds">
      <h2 id="binds">SMPP binds</h2>
      <ErrorNote error={binds.error} />
      {binds.data && list.length === 0 ? (
        <p>Not bound now.</p>
      ) : (
        <ul aria-label="Binds now">
          {list.map((b, i) => (
            <li key={i}>
              {b.bindType} from {b.remote ?? 'an unknown address'} · {b.inFlight} in flight
            </li>
          ))}
        </ul>
      )}
      <p className="hint">Ends every SMPP bind of this customer now; they may bind again unless disabled.</p>
      <button
        type="button"
        className="secondary"
        disabled={unbind.isPending}
        onClick={() => unbind.mutate(username)}
      >
        End {username}'s SMPP binds
      </button>
      {unbind.data && (
        <p className="note good" role="status">
          {unbind.data.unbound === 1 ? '1 bind ended.' : `${unbind.data.unbound} binds ended.`}
        </p>
      )}
      <ErrorNote error={unbind.error} />
    </section>
  );
}

function RateCard({ username }: { username: string }) {
  const card = useRateCard(username);
  const rates = card.data?.rates ?? [];
  const columns = [...new Set(rates.flatMap((r) => Object.keys(r)))];
  return (
    <section aria-labelledby="rate-card">
      <h2 id="rate-card">Rate card</h2>
      <ErrorNote error={card.error} />
      {rates.length === 0 ? (
        <p>No prices per country: every part costs the price above.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rates.map((r, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c} data-label={c}>
                      {String(r[c] ?? '')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function WebUsers({ username }: { username: string }) {
  const users = useAccountWebUsers(username);
  return (
    <section aria-labelledby="web-users">
      <h2 id="web-users">Web users</h2>
      <ErrorNote error={users.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.webUsers ?? []).map((w) => (
              <tr key={w.id}>
                <td data-label="Email">{w.email}</td>
                <td data-label="Role">{w.role ?? ''}</td>
                <td data-label="State">{w.enabled ? 'enabled' : 'disabled'}</td>
                <td data-label="Last sign-in">
                  {w.lastSignInAt ? new Date(w.lastSignInAt).toLocaleString() : 'never'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function CustomerPage() {
  const { username = '' } = useParams();
  const customer = useCustomer(username);
  const u = customer.data;
  return (
    <section>
      <p>
        <Link to="/customers">All customers</Link>
      </p>
      <h1>Customer {username}</h1>
      <ErrorNote error={customer.error} />
      {u && (
        <>
          <dl className="facts">
            <dt>State</dt>
            <dd>
              <span className={`badge ${u.enabled ? 'good' : 'bad'}`}>
                {u.enabled ? 'enabled' : 'disabled'}
              </span>
            </dd>
            <dt>Balance</dt>
            <dd>{u.balance}</dd>
            <dt>Throughput</dt>
            <dd>{throughputOf(u)}</dd>
            <dt>Group</dt>
            <dd>{u.group ?? '–'}</dd>
          </dl>
          <Limits key={u.id} u={u} />
          <Binds username={u.username} />
          <RateCard username={u.username} />
          <WebUsers username={u.username} />
        </>
      )}
    </section>
  );
}
