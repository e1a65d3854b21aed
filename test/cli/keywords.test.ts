// `hermod keywords list|add|results|delete` against a running Hermod (REST v1 with the
// account's API key): --help, a poll added and its votes counted from MOs, a refusal printed
// as the server's detail and code, exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';
import { until } from '../support/until.js';

const KEY = 'hk_keywords_cli_000000000000';

test('hermod keywords: --help, add a poll, votes from handsets in results, refusals, delete', async () => {
  const help = ok(await hermod(['keywords', 'add', '--help']), 'keywords add --help').stdout;
  for (const opt of [
    'Usage: hermod keywords add',
    '--keyword <word>',
    '--kind <kind>',
    '--number <number>',
    '--alias <word>',
    '--reply <text>',
    '--group <name>',
    '--option <answer>',
    '--forward-url <url>',
    '--key <key>',
    'HERMOD_API_KEY',
    '--json',
  ])
    assert.ok(help.includes(opt), `keywords add --help mentions ${opt}`);
  const top = ok(await hermod(['keywords', '--help']), 'keywords --help').stdout;
  for (const sub of ['list', 'add', 'results', 'delete'])
    assert.match(top, new RegExp(`^ {2}${sub}\\b`, 'm'));

  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01, apiKeys: [KEY] }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [{ prefixes: ['12345'], user: 'shop' }],
  });
  try {
    const url = `http://127.0.0.1:${h.apiPort}`;
    const cli = (...args: string[]) => hermod([...args, '--url', url], { HERMOD_API_KEY: KEY });

    const added = json<{ id: number; keyword: string; options: string[] }>(
      ok(
        await cli(
          'keywords',
          'add',
          '--keyword',
          'vote',
          '--kind',
          'poll',
          '--number',
          '12345',
          '--option',
          'a',
          '--option',
          'b',
          '--json',
        ),
        'add',
      ),
    );
    assert.deepEqual([added.keyword, added.options], ['VOTE', ['A', 'B']]);
    const listed = ok(await cli('keywords', 'list'), 'list').stdout;
    assert.match(listed, /VOTE\s+-\s+poll\s+true\s+A\/B/);

    const refused = await cli('keywords', 'add', '--keyword', 'stop', '--kind', 'reply', '--reply', 'x');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /error: keyword: STOP is an opt-out keyword .*\(HERMOD_ERR_VALIDATION\)/);
    const noKey = await hermod(['keywords', 'list', '--url', url]);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /--key/);

    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    sim.sendMo('hermod', { from: '447700900001', to: '12345', text: 'vote a' });
    sim.sendMo('hermod', { from: '447700900002', to: '12345', text: 'VOTE B' });
    sim.sendMo('hermod', { from: '447700900003', to: '12345', text: 'vote b' });
    await until('three vote confirmations', () => sim.submitted.length === 3);
    const results = ok(await cli('keywords', 'results', String(added.id)), 'results').stdout;
    assert.match(results, /A\s+1\s+33%/);
    assert.match(results, /B\s+2\s+67%/);
    assert.match(results, /3 votes for VOTE/);

    ok(await cli('keywords', 'delete', String(added.id)), 'delete');
    const gone = await cli('keywords', 'results', String(added.id));
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /HERMOD_ERR_NOT_FOUND/);
  } finally {
    await h.stop();
  }
});
