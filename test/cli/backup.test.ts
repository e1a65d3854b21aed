// `hermod backup` and `hermod restore` (issue 21), run in-process: a backup taken while
// messages are being accepted holds every message acknowledged before it began; restore
// refuses a store a gateway runs on, brings the backup back once it has stopped, and keeps
// the database it replaced. PostgreSQL: both say to use pg_dump / PITR.
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DEMO_API_KEY, parseConfig, type Config } from '../../src/config/index.js';
import { SqliteStore, type Store } from '../../src/store/index.js';
import { runBackup, runRestore } from '../../src/cli/lifecycle.js';
import { buildProgram } from '../../src/cli/program.js';
import { demoHermod } from '../support/hermod.js';

const total = async (s: Pick<Store, 'countMessages'>) =>
  (await s.countMessages()).reduce((n, c) => n + c.count, 0);
const headers = { authorization: `Bearer ${DEMO_API_KEY}` };

test('a backup under load holds every acknowledged message; restore refuses a running gateway, then restores', async (t) => {
  const h = await demoHermod();
  let stopped = false;
  // A failed assertion must not leave the gateway running (the test process would not end).
  t.after(() => (stopped ? undefined : h.stop()));
  const file = join(h.dataDir, 'copies', 'under-load.db');
  const acked: string[] = [];
  let ackedBeforeBackup: string[] = [];
  let sending = true;
  // Four clients submitting back to back until the backup has finished.
  const client = async (n: number) => {
    for (let i = 0; sending; i++) {
      const r = await h.api.inject({
        method: 'POST',
        url: '/v1/messages',
        headers,
        payload: { to: '+447700900123', from: 'Shop', text: `client ${n} message ${i}` },
      });
      assert.equal(r.statusCode, 202, r.body);
      acked.push((JSON.parse(r.body) as { id: string }).id);
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  try {
    while (acked.length < 100) await new Promise((r) => setImmediate(r));
    ackedBeforeBackup = [...acked];
    const said = await runBackup(h.config, file);
    assert.match(
      said,
      new RegExp(
        `^backup of .*hermod\\.db written to .*under-load\\.db \\(\\d+ bytes, schema ${MIGRATIONS.length}[,)]`,
      ),
    );
    assert.ok(acked.length > ackedBeforeBackup.length, 'acceptance went on during the backup');
  } finally {
    sending = false;
    await Promise.all(clients);
  }
  // The gateway still runs: restore refuses, and the store is untouched.
  await assert.rejects(
    runRestore(h.config, file),
    /a Hermod gateway is running on .*hermod\.db.*stop it first/,
  );
  assert.equal(await total(h.store), acked.length);
  await h.stop();
  stopped = true;

  const said = await runRestore(h.config, file);
  assert.match(said, /restored .*under-load\.db into .*hermod\.db/);
  assert.match(said, /kept as .*hermod\.db\.before-restore-/);
  const restored = new SqliteStore(h.config.store.type === 'sqlite' ? h.config.store.path : '', {
    reclaim: false,
  });
  try {
    for (const id of ackedBeforeBackup)
      assert.ok(await restored.getMessage(id), `message ${id} is in the backup`);
    const n = await total(restored);
    assert.ok(n >= ackedBeforeBackup.length && n <= acked.length, `${n} messages restored`);
  } finally {
    await restored.close();
  }
});

test('a second gateway on the same SQLite file is refused; restore refuses a file that is not a Hermod store', async () => {
  const h = await demoHermod();
  try {
    await assert.rejects(demoHermod(h.dataDir), /a Hermod gateway is running on .*hermod\.db/);
    // The first one was not disturbed.
    const r = await h.api.inject({
      method: 'POST',
      url: '/v1/messages',
      headers,
      payload: { to: '+447700900123', from: 'Shop', text: 'still here' },
    });
    assert.equal(r.statusCode, 202);
  } finally {
    await h.stop();
  }
  const junk = join(h.dataDir, 'junk.db');
  writeFileSync(junk, 'not a database at all, just text');
  await assert.rejects(runRestore(h.config, junk), /junk\.db is not a Hermod SQLite store/);
  await assert.rejects(runRestore(h.config, join(h.dataDir, 'missing.db')), /no backup file at/);
});

test('scheduled backups: taken at the interval, rotated to the newest `keep`', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hermod-backup-'));
  const h = await demoHermod(dir);
  // The schedule's own function, called as its timer would (three intervals).
  const { backupSqlite, rotate } = await scheduled();
  try {
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      names.push(
        (
          await backupSqlite(
            h.config.store.type === 'sqlite' ? h.config.store.path : '',
            join(dir, 'b', `hermod-2026-12-0${i + 1}T00-00-00-000Z.db`),
          )
        ).file,
      );
      rotate(join(dir, 'b'), h.config.store.type === 'sqlite' ? h.config.store.path : '', 2);
    }
    assert.equal(existsSync(names[0]!), false, 'the oldest is rotated out');
    assert.ok(existsSync(names[1]!) && existsSync(names[2]!));
  } finally {
    await h.stop();
  }
});

async function scheduled() {
  const m = await import('../../src/store/sqlite/backup.js');
  return { backupSqlite: m.backupSqlite, rotate: m.rotateBackups };
}

test('PostgreSQL: backup and restore point to pg_dump / PITR; --help describes both', async () => {
  const pg = parseConfig({}, { HERMOD_DATABASE_URL: 'postgres://127.0.0.1/test' }, 'test', true) as Config;
  await assert.rejects(runBackup(pg, '/tmp/x.db'), /PostgreSQL: back it up with pg_dump/);
  await assert.rejects(runRestore(pg, '/tmp/x.db'), /point-in-time recovery/);
  for (const name of ['backup', 'restore']) {
    let out = '';
    const program: Command = buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (s) => (out += s) });
    for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => (out += s) });
    await assert.rejects(program.parseAsync(['node', 'hermod', name, '--help']), /outputHelp/);
    assert.match(out, name === 'backup' ? /online copy of the SQLite store/ : /refused while a gateway runs/);
  }
});
