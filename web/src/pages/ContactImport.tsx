/**
 * The CSV import wizard: 1 choose the file, 2 say what each column is (Hermod's guess from
 * the header first), 3 preview the first rows as they would be saved, 4 import, following
 * the job's progress to its counts and error report. The preview reads the start of the
 * file; the import sends the whole file as text/csv, as the API takes it.
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/client';
import { previewImport, useGroups, useStartImport, type ImportPreview } from '../api/contacts';
import { Field } from '../components/Field';
import { ErrorNote } from '../components/ErrorNote';
import { choicesOf, ImportMapping, mapOf, problemsOf, type ColumnChoice } from './contacts/ImportMapping';
import { ImportProgress, PreviewTable } from './contacts/ImportResult';

/** The start of the file the preview reads, cut after a whole line. */
const HEAD_BYTES = 256 * 1024;

async function headOf(file: File): Promise<string> {
  const text = await file.slice(0, HEAD_BYTES).text();
  if (file.size <= HEAD_BYTES) return text;
  const end = text.lastIndexOf('\n');
  return end > 0 ? text.slice(0, end + 1) : text;
}

export function ContactImport() {
  const [file, setFile] = useState<{ file: File; head: string; guess: ImportPreview }>();
  const [fileError, setFileError] = useState<unknown>();
  const [choices, setChoices] = useState<ColumnChoice[]>([]);
  const [group, setGroup] = useState('');
  const [preview, setPreview] = useState<ImportPreview>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [jobId, setJobId] = useState<number>();
  const groups = useGroups();
  const start = useStartImport();

  const choose = async (f: File | undefined) => {
    setFile(undefined);
    setPreview(undefined);
    setFileError(undefined);
    setJobId(undefined);
    if (!f) return;
    try {
      const head = await headOf(f);
      const guess = await previewImport(head, {});
      setFile({ file: f, head, guess });
      setChoices(choicesOf(guess));
    } catch (err) {
      setFileError(err);
    }
  };
  const showPreview = async () => {
    setPreview(undefined);
    setPreviewError(undefined);
    try {
      setPreview(await previewImport(file!.head, { map: mapOf(choices) }));
    } catch (err) {
      setPreviewError(err);
    }
  };
  const fileMessage =
    fileError instanceof ApiError ? fileError.message : fileError ? String(fileError) : undefined;

  return (
    <section className="contact-import">
      <p>
        <Link to="/contacts">← Contacts</Link>
      </p>
      <h1>Import contacts</h1>
      <h2>1. Choose a file</h2>
      <Field
        label="CSV file"
        hint="A header row helps: Number, First name, Last name, and any other column as a custom field."
        error={fileMessage}
      >
        {(id, d) => (
          <input
            id={id}
            type="file"
            accept=".csv,.txt,text/csv"
            aria-describedby={d}
            disabled={start.isPending}
            onChange={(e) => void choose(e.target.files?.[0])}
          />
        )}
      </Field>
      {file && (
        <>
          <h2>2. Map the columns</h2>
          <p>
            {file.file.name}: {file.guess.header ? 'the first row is a header' : 'no header row'}.
          </p>
          <ImportMapping
            guess={file.guess}
            choices={choices}
            onChange={(c) => {
              setChoices(c);
              setPreview(undefined);
            }}
          />
          <Field label="Add the contacts to a group" hint="Optional.">
            {(id, d) => (
              <select id={id} aria-describedby={d} value={group} onChange={(e) => setGroup(e.target.value)}>
                <option value="">No group</option>
                {groups.data?.data.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button type="button" disabled={problemsOf(choices).size > 0} onClick={() => void showPreview()}>
            Preview
          </button>
          <ErrorNote error={previewError} />
        </>
      )}
      {file && preview && (
        <>
          <h2>3. Preview</h2>
          <p>The first rows as they would be saved:</p>
          <PreviewTable preview={preview} />
          <button
            type="button"
            disabled={start.isPending || jobId !== undefined}
            onClick={() =>
              start.mutate(
                {
                  file: file.file,
                  options: {
                    map: mapOf(choices),
                    file_name: file.file.name.slice(0, 200),
                    ...(group ? { group_id: Number(group) } : {}),
                  },
                },
                { onSuccess: (job) => setJobId(job.id) },
              )
            }
          >
            Import {file.file.name}
          </button>
          <ErrorNote error={start.error} />
        </>
      )}
      {jobId !== undefined && (
        <>
          <h2>4. Import</h2>
          <ImportProgress id={jobId} />
        </>
      )}
    </section>
  );
}
