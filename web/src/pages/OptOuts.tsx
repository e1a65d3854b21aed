/** Operators: numbers that opted out of a sender (STOP); search by number, add and remove by hand. */
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useAddOptOut, useOptOuts, useRemoveOptOut } from '../api/operator';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';

function AddOptOut() {
  const add = useAddOptOut();
  const [msisdn, setMsisdn] = useState('');
  const [sender, setSender] = useState('');
  const err = add.error instanceof ApiError ? add.error : undefined;
  const numberError =
    err && (err.field === 'msisdn' || err.code === 'HERMOD_ERR_INVALID_NUMBER') ? err.message : undefined;
  const senderError = err?.field === 'sender' ? err.message : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ msisdn: msisdn.trim(), sender: sender.trim() }, { onSuccess: () => setMsisdn('') });
  };
  return (
    <form className="inline" onSubmit={submit} noValidate aria-label="Add an opt-out">
      <Field label="Number to opt out" error={numberError}>
        {(id, d) => (
          <input
            id={id}
            aria-describedby={d}
            inputMode="tel"
            value={msisdn}
            onChange={(e) => setMsisdn(e.target.value)}
          />
        )}
      </Field>
      <Field label="Of sender" error={senderError}>
        {(id, d) => (
          <input id={id} aria-describedby={d} value={sender} onChange={(e) => setSender(e.target.value)} />
        )}
      </Field>
      <button type="submit" disabled={add.isPending || !msisdn.trim() || !sender.trim()}>
        Add opt-out
      </button>
      {err && !numberError && !senderError && <ErrorNote error={err} />}
      {add.error && !err && <ErrorNote error={add.error} />}
    </form>
  );
}

export function OptOuts() {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const optouts = useOptOuts(query);
  const remove = useRemoveOptOut();
  const searchError = optouts.error instanceof ApiError ? optouts.error.message : undefined;
  return (
    <section>
      <h1>Opt-outs</h1>
      <p className="hint">Messages from a sender to a number that opted out of it are refused.</p>
      <form
        className="inline"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(search.trim());
        }}
      >
        <Field label="Search by number" error={searchError}>
          {(id, d) => (
            <input
              id={id}
              aria-describedby={d}
              inputMode="tel"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          )}
        </Field>
        <button type="submit" className="secondary">
          Search
        </button>
      </form>
      <AddOptOut />
      <ErrorNote error={remove.error} />
      {optouts.error && !searchError && <ErrorNote error={optouts.error} />}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Sender</th>
              <th scope="col">Since</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {(optouts.data?.optouts ?? []).map((o) => (
              <tr key={`${o.msisdn}/${o.sender}`}>
                <td data-label="Number">{o.msisdn}</td>
                <td data-label="Sender">{o.sender}</td>
                <td data-label="Since">{new Date(o.at).toLocaleString()}</td>
                <td data-label="Action">
                  <button
                    type="button"
                    className="secondary"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate(o)}
                  >
                    Remove {o.msisdn} from {o.sender}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {optouts.data && optouts.data.optouts.length === 0 && <p>No opt-outs{query ? ` for ${query}` : ''}.</p>}
    </section>
  );
}
