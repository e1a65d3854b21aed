// `hermod contacts import|export|list|errors` against a running Hermod over a real socket,
// with an API key (--key and HERMOD_API_KEY): the import's summary and error report, the
// export read back, the list; --help of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { configuredHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

const KEY = 'hk_cli_contacts_0123456789abcdef';

test('hermod contacts import (progress, summary, report), errors, export, list; --help', async (t) => {
  for (const [cmd, opts] of [
    [
      'import',
      [
        '<file>',
        '--group <name>',
        '--country <cc>',
        '--map <mapping>',
        '--no-header',
        '--url <url>',
        '--key <key>',
        'HERMOD_API_KEY',
      ],
    ],
    [
      'export',
      [
        '--group <group>',
        '--number <prefix>',
        '--name <prefix>',
        '--field <key:value>',
        '--fields <keys>',
        'HERMOD_API_KEY',
      ],
    ],
    ['list', ['--group <group>', '--opted-out', '--limit <n>', '--cursor <cursor>', '--json']],
    ['errors', ['<id>', '--key <key>']],
  ] as const) {
    const help = ok(await hermod(['contacts', cmd, '--help']), `contacts ${cmd} --help`).stdout;
    assert.ok(help.includes(`Usage: hermod contacts ${cmd}`), help);
    for (const o of opts) assert.ok(help.includes(o), `contacts ${cmd} --help mentions ${o}`);
  }

  const h = await configuredHermod({
    users: [{ username: 'school', password: 'pw', balance: 1, rate: 0.01, apiKeys: [KEY] }],
    connectors: [{ id: 'sim', type: 'simulator' }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  t.after(() => h.stop());
  const url = `http://127.0.0.1:${h.apiPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'hermod-cli-contacts-'));
  const file = join(dir, 'parents.csv');
  writeFileSync(
    file,
    ['Mobile,Parent,Child', '07700 900001,Ann,Tom', 'none,Bob,Kim', '07700 900002,Cat,Sue', ''].join('\n'),
  );

  const run = ok(
    await hermod([
      'contacts',
      'import',
      file,
      '--group',
      'Parents',
      '--country',
      'GB',
      '--map',
      'firstName=Parent,field.child=Child',
      '--url',
      url,
      '--key',
      KEY,
    ]),
    'contacts import',
  );
  assert.match(run.stdout, /^import (\d+) completed: 3 rows, 2 created, 0 updated, 1 invalid$/m);
  const id = /^import (\d+)/m.exec(run.stdout)![1];
  assert.ok(run.stdout.includes(`${url}/v1/imports/${id}/errors`), run.stdout);
  assert.ok(run.stdout.includes(`hermod contacts errors ${id}`), run.stdout);
  // Not a terminal: progress as lines on stderr, not a bar.
  assert.doesNotMatch(run.stderr, /\[[░█]+\]/);

  const report = ok(
    await hermod(['contacts', 'errors', id, '--url', url], { HERMOD_API_KEY: KEY }),
    'errors',
  );
  assert.deepEqual(parse(report.stdout, { columns: true }), [
    {
      line: '3',
      number: 'none',
      reason: 'invalid number: only digits, spaces and a leading + are allowed',
      row: 'none,Bob,Kim',
    },
  ]);

  const exported = ok(
    await hermod(['contacts', 'export', '--group', 'Parents', '--url', url, '--key', KEY]),
    'export',
  );
  const rows = parse(exported.stdout, { columns: true }) as Record<string, string>[];
  assert.deepEqual(
    rows.map((r) => [r.number, r.first_name, r.child, r.groups]),
    [
      ['+447700900001', 'Ann', 'Tom', 'Parents'],
      ['+447700900002', 'Cat', 'Sue', 'Parents'],
    ],
  );

  const listed = ok(await hermod(['contacts', 'list', '--name', 'ca', '--url', url, '--key', KEY]), 'list');
  assert.match(listed.stdout, /^ID +NUMBER +NAME +GROUPS +OPTED_OUT$/m);
  assert.match(listed.stdout, /\+447700900002 +Cat +\d+ +no/);
  assert.doesNotMatch(listed.stdout, /Ann/);
  const paged = json<{ data: unknown[]; next_cursor: string }>(
    ok(
      await hermod(['contacts', 'list', '--limit', '1', '--json', '--url', url, '--key', KEY]),
      'list --json',
    ),
  );
  assert.equal(paged.data.length, 1);
  const rest = ok(
    await hermod([
      'contacts',
      'list',
      '--limit',
      '1',
      '--cursor',
      paged.next_cursor,
      '--url',
      url,
      '--key',
      KEY,
    ]),
    'list --cursor',
  );
  assert.match(rest.stdout, /\+447700900002/);

  const wrong = await hermod(['contacts', 'list', '--url', url, '--key', 'hk_wrong_key_000000000000']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /^error: .*HERMOD_ERR_UNAUTHORIZED/m);
  const noGroup = await hermod(['contacts', 'export', '--group', 'Nobody', '--url', url, '--key', KEY]);
  assert.equal(noGroup.code, 1);
  assert.match(noGroup.stderr, /no contact group named "Nobody"/);
  const bad = await hermod(['contacts', 'import', file, '--map', 'phone=1', '--url', url, '--key', KEY]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown role "phone"/);
});
