// CSV import jobs on SQLite and PostgreSQL: the runner applies a file in batches; a runner
// stopped mid-file gives the job back and the next one resumes it at the first row not
// applied; a job left running by a process that died is taken over when its lease lapses;
// each way the counts, the contacts and the error report are those of one uninterrupted run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS, openBackend, type EngineBackend } from './backends.js';
import { ContactService } from '../../src/engine/contacts.js';
import { ContactImports } from '../../src/engine/contact-imports.js';
import type { ImportJob } from '../../src/store/engine-store/index.js';
import { until } from '../support/until.js';

/** 1,000 rows: number, name, code; every 97th row has a bad number; a number repeats. */
function file(): { csv: Buffer; bad: number[] } {
  const lines = ['mobile;given name;code'];
  const bad: number[] = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 97 === 50) {
      bad.push(lines.length + 1);
      lines.push(`not-a-number-${i};X;Y`);
    }
    lines.push(`+4477009${String(i).padStart(5, '0')};Name ${i};C${i}`);
  }
  lines.push('+447700900000;;again');
  return { csv: Buffer.from(lines.join('\n') + '\n'), bad };
}

async function finished(b: EngineBackend, id: number): Promise<ImportJob> {
  let job: ImportJob | undefined;
  await until(
    `import ${id} finishes`,
    async () => {
      job = await b.stores.contactImports.getImport({ userId: b.shop.id, id });
      return job?.state === 'completed' || job?.state === 'failed';
    },
    60_000,
  );
  return job!;
}

async function check(b: EngineBackend, job: ImportJob, bad: number[]) {
  assert.equal(job.state, 'completed', job.error ?? '');
  assert.deepEqual(
    { total: job.total, created: job.created, updated: job.updated, invalid: job.invalid },
    { total: 1011, created: 1000, updated: 1, invalid: bad.length },
  );
  const errors = await b.stores.contactImports.listImportErrors({
    userId: b.shop.id,
    jobId: job.id,
    afterLine: 0,
    limit: 100,
  });
  assert.deepEqual(
    errors.map((e) => e.line),
    bad,
  );
  assert.match(errors[0].reason, /^invalid number: /);
  // Another account sees no errors of it, nor the job.
  assert.deepEqual(
    await b.stores.contactImports.listImportErrors({
      userId: b.other.id,
      jobId: job.id,
      afterLine: 0,
      limit: 10,
    }),
    [],
  );
  assert.equal(await b.stores.contactImports.getImport({ userId: b.other.id, id: job.id }), undefined);
  assert.equal(await b.stores.contacts.countContacts({ userId: b.shop.id, filter: {} }), 1000);
  const group = (await b.stores.contacts.getGroupByName({ userId: b.shop.id, name: 'Imported' }))!;
  assert.equal(group.members, 1000);
  const again = await b.stores.contacts.getContactByNumber({ userId: b.shop.id, msisdn: '447700900000' });
  assert.deepEqual([again?.firstName, again?.fields], ['Name 0', { code: 'again' }]);
}

for (const name of BACKENDS) {
  test(`${name}: an import stopped mid-file resumes at the first row not applied (nothing twice, nothing lost)`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const service = new ContactService(b.stores.contacts);
    const { csv, bad } = file();
    let batches = 0;
    const first: ContactImports = new ContactImports(b.stores.contactImports, service, {
      batchRows: 100,
      pollMs: 20,
      // Stopped after its third batch: the job is given back part done.
      onBatch: () => {
        if (++batches === 3) void first.stop();
      },
    });
    const job = await first.create(b.shop.id, null, { csv, groupName: 'Imported' });
    assert.equal(job.header, true);
    assert.deepEqual(job.columns, {
      number: 0,
      firstName: 1,
      lastName: null,
      notes: null,
      fields: [['code', 2]],
    });
    first.start();
    await until('the first runner stops', () => batches >= 3);
    await first.stop();
    const part = (await b.stores.contactImports.getImport({ userId: b.shop.id, id: job.id }))!;
    assert.equal(part.state, 'running');
    assert.equal(part.total, 300);
    assert.ok(part.bytesDone > job.bytesDone && part.bytesDone < job.sizeBytes);

    const second = new ContactImports(b.stores.contactImports, service, { batchRows: 100, pollMs: 20 });
    second.start();
    try {
      await check(b, await finished(b, job.id), bad);
    } finally {
      await second.stop();
    }
  });

  test(`${name}: a job left running by a runner that died is taken over when its lease lapses`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const service = new ContactService(b.stores.contacts);
    const { csv, bad } = file();
    const runner = new ContactImports(b.stores.contactImports, service, { batchRows: 250, pollMs: 20 });
    const job = await runner.create(b.shop.id, null, { csv, groupName: 'Imported' });
    // A runner that claimed it and died: its lease is held, then lapses.
    const ghost = await b.stores.contactImports.claimImport({ owner: 'ghost', leaseMs: 300 });
    assert.equal(ghost?.id, job.id);
    assert.equal(await b.stores.contactImports.claimImport({ owner: 'other', leaseMs: 1000 }), undefined);
    runner.start();
    try {
      await check(b, await finished(b, job.id), bad);
    } finally {
      await runner.stop();
    }
    // The dead runner's late batch is refused: the job is no longer its.
    assert.equal(
      await b.stores.contactImports.applyImportBatch({
        jobId: job.id,
        userId: b.shop.id,
        owner: 'ghost',
        leaseMs: 1000,
        groupId: null,
        contacts: [{ msisdn: '447700999999' }],
        errors: [],
        rows: 1,
        bytesDone: 0,
        linesDone: 0,
      }),
      false,
    );
    assert.equal(await b.stores.contacts.countContacts({ userId: b.shop.id, filter: {} }), 1000);
  });

  test(`${name}: an upload that cannot be imported is refused at once, naming the field`, async (t) => {
    const b = await openBackend(t, name);
    if (!b) return;
    t.after(() => b.close());
    const imports = new ContactImports(b.stores.contactImports, new ContactService(b.stores.contacts), {
      maxBytes: 2000,
    });
    const refused = async (csv: string, why: RegExp, more: object = {}) =>
      assert.rejects(imports.create(b.shop.id, null, { csv: Buffer.from(csv), ...more }), (err: Error) => {
        assert.match(err.message, why);
        return true;
      });
    await refused('', /^csv: the file is empty/);
    await refused('x'.repeat(2001), /at most 2000/);
    await refused('name,city\nAda,London\n', /^mapping\.number: no column looks like the phone number/);
    await refused('phone,name\n+447700900001,Ada\n', /^mapping\.firstName: no column named "given"/, {
      mapping: { firstName: 'given' },
    });
    await refused('phone\n+447700900001\n', /^country: /, { country: 'XX' });
    await refused('phone\n+447700900001\n', /no contact group 999/, { groupId: 999 });
    // Without a header, columns go by position; national numbers need a country.
    const job = await imports.create(b.shop.id, 'GB', {
      csv: Buffer.from('07700 900001,Ada\n07700 900002,Bo\n'),
      mapping: { firstName: 2 },
    });
    assert.equal(job.header, false);
    assert.equal(job.country, 'GB');
    assert.deepEqual(job.columns.firstName, 1);
  });
}
