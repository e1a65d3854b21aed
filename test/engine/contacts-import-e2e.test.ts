// End to end over a real socket: 1,000 contacts imported from a CSV with bad rows into a
// group, as a background job; the progress, the counts, and the error report (line numbers
// and reasons, CSV) checked; the import read back by an export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { configuredHermod } from '../support/hermod.js';
import { until } from '../support/until.js';

const KEY = 'hk_import_e2e_0123456789abcdef';

test('import 1,000 contacts from a CSV with bad rows into a group: counts, error report with lines and reasons, export', async (t) => {
  const h = await configuredHermod({
    users: [
      {
        username: 'clinic',
        password: 'pw',
        balance: 10,
        rate: 0.01,
        apiKeys: [KEY],
        defaults: { country: 'GB' },
      },
    ],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  t.after(() => h.stop());
  const base = `http://127.0.0.1:${h.apiPort}`;
  const call = async (method: string, path: string, body?: string, type = 'application/json') => {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${KEY}`, ...(body !== undefined ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  // The file: a header, 1,000 good rows in three number formats (national with the
  // account's default country GB, international, 00-prefixed), and bad rows between them.
  const lines: string[] = ['Phone,First Name,Surname,Loyalty Code,Notes'];
  const bad = new Map<number, RegExp>();
  const addBad = (row: string, why: RegExp, spans = 1) => {
    bad.set(lines.length + 1, why);
    lines.push(row);
    for (let i = 1; i < spans; i++) lines.push('');
  };
  for (let i = 0; i < 1000; i++) {
    const n = String(i).padStart(3, '0');
    const number = i % 3 === 0 ? `07700 900${n}` : i % 3 === 1 ? `+44 7700 900${n}` : `0044 7700 900${n}`;
    if (i === 10) {
      // A quoted note over two lines: later line numbers still count both.
      lines.push(`${number},Ann,Lee,C${n},"line one`);
      lines.push('line two"');
      continue;
    }
    lines.push(`${number},Pat${n},Lee,C${n},`);
    if (i === 100) addBad('call me,Bo,,,', /^invalid number: /);
    if (i === 200) addBad(',No,Number,,', /^no number$/);
    if (i === 300) addBad('12,Too,Short,,', /^invalid number: /);
    if (i === 400) addBad(`07700 900999,${'x'.repeat(101)},,,`, /^first name longer than 100 characters$/);
    if (i === 500) addBad('07700 9"00001,Stray,Quote,,', /^not readable as CSV: /);
  }
  // The same number as row 0 again: merged into it (its code changes), not a new contact.
  lines.push('+447700900000,,,GOLD,');
  lines.push('');
  const csv = lines.join('\r\n');

  const created = await call('POST', '/v1/imports?group=Patients&file_name=patients.csv', csv, 'text/csv');
  assert.equal(created.status, 202, created.text);
  const job = JSON.parse(created.text);
  assert.deepEqual(job.columns, {
    number: 'Phone',
    first_name: 'First Name',
    last_name: 'Surname',
    notes: 'Notes',
    fields: { loyalty_code: 'Loyalty Code' },
  });
  assert.equal(job.country, 'GB');
  assert.equal(job.header, true);

  let done: Record<string, unknown> = {};
  await until(
    'the import completes',
    async () => {
      done = JSON.parse((await call('GET', `/v1/imports/${job.id}`)).text);
      return done.state === 'completed' || done.state === 'failed';
    },
    60_000,
  );
  assert.equal(done.state, 'completed', JSON.stringify(done));
  assert.equal(done.progress, 1);
  assert.deepEqual(
    { total: done.total, created: done.created, updated: done.updated, invalid: done.invalid },
    { total: 1006, created: 1000, updated: 1, invalid: 5 },
  );

  // The report: every bad row, with its line in the file and why.
  const report = await call('GET', `/v1/imports/${job.id}/errors`);
  assert.equal(report.status, 200);
  assert.match(report.type, /^text\/csv/);
  const rows = parse(report.text, { columns: true }) as {
    line: string;
    number: string;
    reason: string;
    row: string;
  }[];
  assert.deepEqual(
    rows.map((r) => Number(r.line)),
    [...bad.keys()],
  );
  for (const r of rows) assert.match(r.reason, bad.get(Number(r.line))!, `line ${r.line}: ${r.reason}`);
  assert.equal(rows[0].row, 'call me,Bo,,,');
  assert.equal(rows[0].number, 'call me');

  // The group has every imported contact; the merged row changed one.
  const groups = JSON.parse((await call('GET', '/v1/contact-groups')).text).data;
  assert.deepEqual(
    groups.map((g: { name: string; members: number }) => [g.name, g.members]),
    [['Patients', 1000]],
  );
  const first = JSON.parse((await call('GET', '/v1/contacts?number=%2B447700900000')).text).data;
  assert.equal(first.length, 1);
  assert.deepEqual(first[0].fields, { loyalty_code: 'GOLD' });
  assert.equal(first[0].first_name, 'Pat000');
  const ann = JSON.parse((await call('GET', '/v1/contacts?number=07700900010')).text).data[0];
  assert.equal(ann.notes, 'line one\r\nline two');

  // Exported and read back: 1,000 rows, numbers in E.164, the group by name.
  const exported = await call('GET', `/v1/contacts/export?group=${groups[0].id}`);
  assert.equal(exported.status, 200);
  const out = parse(exported.text, { columns: true }) as Record<string, string>[];
  assert.equal(out.length, 1000);
  assert.deepEqual(Object.keys(out[0]), [
    'number',
    'first_name',
    'last_name',
    'notes',
    'groups',
    'opted_out',
    'created_at',
    'updated_at',
    'loyalty_code',
  ]);
  assert.equal(out.find((r) => r.number === '+447700900000')?.loyalty_code, 'GOLD');
  assert.ok(out.every((r) => r.groups === 'Patients' && /^\+447700900\d{3}$/.test(r.number)));
});
