/**
 * Reports: the messages that reached a final state in a period, per hour, day or month, or
 * per country, campaign or sender; as a chart and a table, and as CSV to download (the same
 * query, from the API).
 */
import { useState } from 'react';
import { ApiError } from '../api/client';
import {
  outcome,
  reportCsvUrl,
  useCampaignNames,
  useReport,
  type ReportGroup,
  type ReportGroupBy,
  type ReportQuery,
} from '../api/reports';
import { Chart } from '../components/Chart';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';

const GROUPS: Record<ReportGroupBy, string> = {
  day: 'Day',
  hour: 'Hour',
  month: 'Month',
  country: 'Country',
  campaign: 'Campaign',
  sender: 'Sender',
};

const DAY = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

function labelOf(g: ReportGroup, by: ReportGroupBy, campaigns: Map<string, string> | undefined): string {
  if (by === 'hour') return new Date(g.key).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  if (by === 'day') return g.key.slice(0, 10);
  if (by === 'month') return g.key.slice(0, 7);
  if (g.key === '') return by === 'campaign' ? 'not a campaign' : 'unknown';
  if (by === 'campaign') return campaigns?.get(g.key) ?? `campaign ${g.key}`;
  return g.key;
}

const ms = (n: number | null) => (n === null ? '–' : n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`);

export function Reports() {
  const [from, setFrom] = useState(() => isoDay(Date.now() - 6 * DAY));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const [by, setBy] = useState<ReportGroupBy>('day');
  // `to` is the last day shown: the API's `to` is exclusive, so the day after it.
  const query: ReportQuery = {
    group_by: by,
    ...(from ? { from } : {}),
    ...(to ? { to: isoDay(Date.parse(to) + DAY) } : {}),
  };
  const report = useReport(query, 10_000);
  const campaigns = useCampaignNames(by === 'campaign');
  const groups = report.data?.groups ?? [];
  const rows = groups.map((g) => ({ g, label: labelOf(g, by, campaigns.data), ...outcome(g) }));
  const field = report.error instanceof ApiError ? report.error.field : undefined;
  const fieldError = (name: string) => (field === name ? report.error?.message : undefined);

  return (
    <section>
      <h1>Reports</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="From" error={fieldError('from')}>
          {(id, d) => (
            <input
              id={id}
              type="date"
              aria-describedby={d}
              value={from}
              onChange={(e) => setFrom(e.target.value)}
            />
          )}
        </Field>
        <Field label="To" hint="Included; days are UTC." error={fieldError('to')}>
          {(id, d) => (
            <input
              id={id}
              type="date"
              aria-describedby={d}
              value={to}
              onChange={(e) => setTo(e.target.value)}
            />
          )}
        </Field>
        <Field label="Group by" error={fieldError('group_by')}>
          {(id, d) => (
            <select
              id={id}
              aria-describedby={d}
              value={by}
              onChange={(e) => setBy(e.target.value as ReportGroupBy)}
            >
              {Object.entries(GROUPS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <ErrorNote error={report.error && !field ? report.error : undefined} />
      <p className="hint">
        Messages are counted when they reach their final state, under the hour they were sent.
      </p>
      <Chart
        title={`Messages per ${GROUPS[by].toLowerCase()}`}
        data={rows.map((r) => ({ label: r.label, sent: r.sent, delivered: r.delivered, failed: r.failed }))}
        empty="No messages finished in this period."
      />
      <p>
        <a className="button" href={reportCsvUrl(query)} download={`report-${by}.csv`}>
          Download CSV
        </a>
      </p>
      {rows.length > 0 && (
        <div className="table-wrap">
          <table aria-label="Report">
            <thead>
              <tr>
                <th>{GROUPS[by]}</th>
                <th>Sent</th>
                <th>Delivered</th>
                <th>Failed</th>
                <th>Delivery rate</th>
                <th>Parts</th>
                <th>Median delivery time</th>
                <th>Charged</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ g, label, sent, delivered, failed }) => (
                <tr key={g.key}>
                  <td data-label={GROUPS[by]}>{label}</td>
                  <td data-label="Sent">{sent}</td>
                  <td data-label="Delivered">{delivered}</td>
                  <td data-label="Failed">{failed}</td>
                  <td data-label="Delivery rate">
                    {g.delivery_rate === null ? '–' : `${Math.round(g.delivery_rate * 1000) / 10}%`}
                  </td>
                  <td data-label="Parts">{g.parts}</td>
                  <td data-label="Median delivery time">{ms(g.median_delivery_ms)}</td>
                  <td data-label="Charged">{g.revenue}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
