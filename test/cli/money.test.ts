// `hermod ledger` and `hermod reports` against a running Hermod (the admin API over a real
// socket): --help, a credit with --note seen in the ledger (table, JSON, CSV), one account or
// all, reports by day and by country as a table and CSV, an unknown account named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';
import { until } from '../support/until.js';
import { draftOf } from '../../src/gateway/index.js';

test('hermod ledger and hermod reports: --help, table, JSON, CSV, --account', async (t) => {
  const [ledgerHelp, reportsHelp] = await Promise.all([
    hermod(['ledger', '--help']),
    hermod(['reports', '--help']),
  ]);
  assert.match(
    ok(ledgerHelp, 'ledger --help').stdout,
    /Usage: hermod ledger \[options\][\s\S]*--account <username>[\s\S]*--csv/,
  );
  assert.match(
    ok(reportsHelp, 'reports --help').stdout,
    /Usage: hermod reports \[options\][\s\S]*--by <group>[\s\S]*--csv/,
  );

  const h = await demoHermod();
  t.after(() => h.stop());
  const url = `http://127.0.0.1:${h.apiPort}`;
  const api = (...args: string[]) => hermod([...args, '--url', url]);
  ok(await api('users', 'credit', 'demo', '12.5', '--note', 'invoice 9'), 'users credit --note');
  const demo = (await h.store.getUserByName('demo'))!;
  const sent = await h.gateway.submitAccepted(
    demo,
    draftOf({ systemId: 'demo', origin: 'rest', from: 'Shop', to: '+447700900123', content: { text: 'hi' } }),
  );
  await until('delivered', async () => (await h.store.getMessage(sent.id))?.state === 'delivered');

  const table = ok(await api('ledger', '--account', 'demo'), 'ledger').stdout;
  assert.match(table, /^ID\s+AT\s+ACCOUNT\s+KIND\s+AMOUNT\s+BALANCE/);
  assert.match(table, /demo\s+charge\s+-0\.01\s+112\.49/);
  assert.match(table, /demo\s+topup\s+12\.50\s+112\.50\s+-\s+-\s+invoice 9/);
  const entries = json<{ entries: { kind: string }[] }>(
    ok(await api('ledger', '--json', '--kind', 'topup'), 'ledger --json'),
  ).entries;
  assert.deepEqual(
    entries.map((e) => e.kind),
    ['topup'],
  );
  const csv = ok(await api('ledger', '--csv'), 'ledger --csv')
    .stdout.trim()
    .split('\r\n');
  assert.equal(csv[0], 'id,account,at,kind,amount,balance,sms,message_id,campaign,reason,note,actor');
  assert.equal(csv.length, 4, 'header, charge, top-up, opening balance');

  const days = ok(await api('reports', '--by', 'day'), 'reports').stdout;
  assert.match(days, /^KEY\s+MESSAGES\s+PARTS\s+DELIVERED\s+RATE/);
  assert.match(days, /T00:00:00\.000Z\s+1\s+1\s+1\s+100%/);
  const byCountry = ok(
    await api('reports', '--by', 'country', '--account', 'demo', '--csv'),
    'reports --csv',
  ).stdout;
  assert.match(byCountry, /^country,messages,parts,delivered,/);
  assert.match(byCountry, /\r\nGB,1,1,1,/);

  const unknown = await api('ledger', '--account', 'nobody');
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no user "nobody" \(HERMOD_ERR_UNKNOWN_USER\)/);
});
