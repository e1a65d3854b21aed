// `hermod campaigns …` against a running demo Hermod over REST v1 with the demo API key:
// --help of every subcommand, create from a CSV of numbers and start, status --watch until it
// completes (progress on stderr), list, pause/cancel refusals and a missing key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';
import { DEMO_API_KEY } from '../../src/config/index.js';

test(
  'hermod campaigns: --help, create --numbers --start, status --watch, list, cancel, refusals',
  { timeout: 120_000 },
  async (t) => {
    for (const [sub, opts] of [
      [
        'create',
        [
          '--name <name>',
          '--from <sender>',
          '--text <text>',
          '--template <id>',
          '--group <ids>',
          '--numbers <file>',
          '--quiet-hours <from-to>',
          '--rate <perSecond>',
          '--start',
          '--repeat <every>',
          '--times <n>',
          'HERMOD_API_KEY',
        ],
      ],
      ['start', ['<id>', '--url <url>', '--key <key>']],
      ['pause', ['<id>']],
      ['resume', ['<id>']],
      ['cancel', ['<id>']],
      ['status', ['<id>', '--watch', '--interval <ms>']],
      ['list', ['--state <state>', '--limit <n>', '--before <id>']],
    ] as const) {
      const help = ok(await hermod(['campaigns', sub, '--help']), `campaigns ${sub} --help`).stdout;
      assert.ok(help.includes(`Usage: hermod campaigns ${sub}`), help);
      for (const o of opts) assert.ok(help.includes(o), `campaigns ${sub} --help mentions ${o}`);
    }
    assert.match(ok(await hermod(['campaigns', '--help']), 'campaigns --help').stdout, /status/);

    const h = await demoHermod();
    t.after(() => h.stop());
    const url = `http://127.0.0.1:${h.apiPort}`;
    const cli = (...args: string[]) => hermod(['campaigns', ...args, '--url', url, '--key', DEMO_API_KEY]);

    const noKey = await hermod(['campaigns', 'list', '--url', url]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /an API key is needed: --key or HERMOD_API_KEY/);

    const file = join(mkdtempSync(join(tmpdir(), 'hermod-cli-campaign-')), 'numbers.csv');
    writeFileSync(
      file,
      'number,name\n+447700900401,Ada\n+447700900402,Bo\n447700900403\nnot a number\n+447700900401\n',
    );
    const created = json<{ id: number; state: string; estimate: { recipients: number } }>(
      ok(
        await cli(
          'create',
          '--name',
          'CLI',
          '--from',
          'Shop',
          '--text',
          'Hi {{number}}',
          '--numbers',
          file,
          '--rate',
          '50',
          '--start',
          '--json',
        ),
        'create',
      ),
    );
    assert.equal(created.state, 'running');
    assert.equal(created.estimate.recipients, 3);

    let stderr = '';
    const watched = ok(
      await hermod(
        ['campaigns', 'status', String(created.id), '--watch', '--interval', '100', '--url', url],
        { HERMOD_API_KEY: DEMO_API_KEY },
        (s) => (stderr = s),
      ),
      'status --watch',
    );
    assert.match(watched.stdout, /^completed: recipients 4, pending 0, queued \d, sent \d, delivered \d/m);
    assert.match(
      watched.stdout,
      /skipped: invalid_number=1 duplicate=1|skipped: duplicate=1 invalid_number=1/,
    );
    assert.match(stderr, /progress: \d\/3 /);
    assert.match(stderr, /progress: 3\/3 completed/);

    const listed = ok(await cli('list'), 'list').stdout;
    assert.match(listed, /^ID\s+NAME\s+STATE/m);
    assert.match(listed, new RegExp(`^${created.id}\\s+CLI\\s+completed\\s+Shop\\s+3\\s+0\\.03\\s`, 'm'));

    const draft = json<{ id: number }>(
      ok(
        await cli('create', '--name', 'Later', '--from', 'Shop', '--text', 'x', '--numbers', file, '--json'),
        'create draft',
      ),
    );
    const refused = await cli('pause', String(draft.id));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cannot pause campaign \d+: it is draft.*\(HERMOD_ERR_CAMPAIGN_STATE\)/);
    assert.match(ok(await cli('cancel', String(draft.id)), 'cancel').stdout, /campaign \d+: canceled/);
    const bad = await cli(
      'create',
      '--name',
      'x',
      '--from',
      'Shop',
      '--text',
      'Hi {{nick}}',
      '--numbers',
      file,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown placeholder \{\{nick\}\}/);
  },
);
