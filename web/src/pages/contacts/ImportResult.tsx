/**
 * Steps 3 and 4 of an import: the preview (the first rows as they would be saved, bad ones
 * with the reason), then the running job's progress bar and, at the end, its counts, the
 * error report to download and its first rows.
 */
import { useImport, useImportErrors, type ImportPreview } from '../../api/contacts';
import { ErrorNote } from '../../components/ErrorNote';
import { RecordTable, type RecordColumn } from '../../components/RecordTable';
import { parseCsv } from '../../lib/csv';

type PreviewRow = ImportPreview['rows'][number];

const PREVIEW: RecordColumn<PreviewRow>[] = [
  { header: 'Line', cell: (r) => r.line },
  { header: 'Number', cell: (r) => r.contact?.number ?? r.cells.join(', ') },
  { header: 'Name', cell: (r) => [r.contact?.first_name, r.contact?.last_name].filter(Boolean).join(' ') },
  {
    header: 'Custom fields',
    cell: (r) =>
      Object.entries(r.contact?.fields ?? {})
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
  },
  {
    header: 'Result',
    cell: (r) =>
      r.error ? (
        <span className="badge bad">Rejected: {r.error}</span>
      ) : r.repeat_of ? (
        <span className="badge warn">Merged with line {r.repeat_of}</span>
      ) : (
        <span className="badge good">OK</span>
      ),
  },
];

export function PreviewTable({ preview }: { preview: ImportPreview }) {
  return (
    <RecordTable
      label="Preview"
      columns={PREVIEW}
      rows={preview.rows}
      rowKey={(r) => r.line}
      rowClass={(r) => (r.error ? 'bad-row' : undefined)}
    />
  );
}

const REJECTED: RecordColumn<string[]>[] = [
  { header: 'Line', cell: ([line]) => line },
  { header: 'Number', cell: ([, number]) => number },
  { header: 'Reason', cell: ([, , reason]) => reason },
];

function ErrorReport({ url, text }: { url: string; text: string | undefined }) {
  const rows = text ? parseCsv(text).slice(1, 21) : [];
  return (
    <section aria-labelledby="import-errors-title">
      <h3 id="import-errors-title">Rejected rows</h3>
      <p>
        <a className="button secondary" href={url} download>
          Download error report
        </a>
      </p>
      <RecordTable label="Rejected rows" columns={REJECTED} rows={rows} rowKey={([line]) => line ?? ''} />
    </section>
  );
}

export function ImportProgress({ id }: { id: number }) {
  const job = useImport(id);
  const errors = useImportErrors(job.data);
  const j = job.data;
  if (!j) return <ErrorNote error={job.error} />;
  const percent = Math.round(j.progress * 100);
  return (
    <div className="import-progress">
      <label htmlFor="import-progress-bar">
        {j.state === 'completed' ? 'Import complete' : j.state === 'failed' ? 'Import failed' : 'Importing…'}{' '}
        {percent}%
      </label>
      <progress id="import-progress-bar" max={100} value={percent}>
        {percent}%
      </progress>
      <p role="status">
        {j.total} rows read: {j.created} added, {j.updated} updated, {j.invalid} rejected.
      </p>
      {j.state === 'failed' && <div className="note error">The import stopped: {j.error}</div>}
      {j.state === 'completed' && j.invalid > 0 && <ErrorReport url={j.errors_url} text={errors.data} />}
      <ErrorNote error={job.error ?? errors.error} />
    </div>
  );
}
