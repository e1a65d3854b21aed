// `hermod users set` with the settings the admin PATCH takes (authorizations, value filters,
// throughput, default source) against a running Hermod: the flags reach the user, the
// gateway enforces them on the next REST request, and bad values are refused with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

interface Settings {
  authorizations: Record<string, boolean>;
  valueFilters: Record<string, string>;
  defaults: { sourceAddr: string | null };
  throughput: { http: number | null; smpp: number | null };
}

test('hermod users set --authorize, --value-filter, --throughput-smpp/--throughput-http, --default-source: --help, applied, enforced, merged, refused when bad', async () => {
  const help = ok(await hermod(['users', 'set', '--help']), 'users set --help').stdout;
  for (const opt of [
    '--authorize <list>',
    '--value-filter <name=regex>',
    '--throughput-smpp <n>',
    '--throughput-http <n>',
    '--default-source <addr>',
    'httpSend',
    'destinationAddr',
    'merged over the current ones',
  ])
    assert.ok(help.includes(opt), `users set --help mentions ${opt}`);

  const h = await demoHermod();
  const url = `http://127.0.0.1:${h.apiPort}`;
  const api = (...args: string[]) => hermod([...args, '--url', url]);
  const send = async (to: string, extra: Record<string, unknown> = {}) => {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to, from: 'Hermod', text: 'hi', ...extra }),
    });
    return { status: res.status, code: ((await res.json()) as { code?: string }).code };
  };
  try {
    const set = json<{ settings: Settings }>(
      ok(
        await api(
          'users',
          'set',
          'demo',
          '--authorize',
          'httpSend=false,longContent=false',
          '--authorize',
          'priority=true',
          '--value-filter',
          'destinationAddr=^44',
          '--value-filter',
          'content=^(hi|yo),?',
          '--throughput-http',
          '50',
          '--throughput-smpp',
          '2.5',
          '--default-source',
          'Shop',
          '--json',
        ),
        'users set settings --json',
      ),
    ).settings;
    assert.equal(set.authorizations.httpSend, false);
    assert.equal(set.authorizations.longContent, false);
    assert.equal(set.authorizations.priority, true, 'a repeated --authorize adds to the first');
    assert.equal(set.authorizations.smppsBind, true, 'the flags not named are kept');
    assert.deepEqual(
      [set.valueFilters.destinationAddr, set.valueFilters.content, set.valueFilters.sourceAddr],
      ['^44', '^(hi|yo),?', '.*'],
    );
    assert.deepEqual(set.throughput, { http: 50, smpp: 2.5 });
    assert.equal(set.defaults.sourceAddr, 'Shop');
    const stored = (await h.store.getUserByName('demo'))!.settings;
    assert.equal(stored.authorizations.httpSend, false);
    assert.equal(stored.valueFilters.destinationAddr, '^44');

    // Enforced from the next request on (admin changes drop the gateway's account cache).
    assert.deepEqual(await send('+447700900123'), { status: 403, code: 'HERMOD_ERR_FORBIDDEN_INTERFACE' });
    assert.match(
      ok(await api('users', 'set', 'demo', '--authorize', 'httpSend=yes'), 'users set --authorize').stdout,
      /authorizations/,
    );
    assert.deepEqual(await send('+33612345678'), { status: 403, code: 'HERMOD_ERR_FILTER_DESTINATION' });
    assert.equal((await send('+447700900123')).status, 202);

    const cleared = json<{ settings: Settings }>(
      ok(
        await api(
          'users',
          'set',
          'demo',
          '--value-filter',
          'destinationAddr=.*',
          '--throughput-http',
          'unlimited',
          '--default-source',
          'none',
          '--json',
        ),
        'users set clear',
      ),
    ).settings;
    assert.deepEqual(
      [cleared.valueFilters.destinationAddr, cleared.valueFilters.content],
      ['.*', '^(hi|yo),?'],
      'merged key by key',
    );
    assert.deepEqual(cleared.throughput, { http: null, smpp: 2.5 });
    assert.equal(cleared.defaults.sourceAddr, null);
    assert.equal((await send('+33612345678')).status, 202);

    const [badFlag, unknown, badRegex, badRate] = await Promise.all([
      api('users', 'set', 'demo', '--authorize', 'httpSend=maybe'),
      api('users', 'set', 'demo', '--authorize', 'httpSnd=true'),
      api('users', 'set', 'demo', '--value-filter', 'content=('),
      api('users', 'set', 'demo', '--throughput-smpp', '0'),
    ]);
    assert.notEqual(badFlag.code, 0);
    assert.match(badFlag.stderr, /"httpSend=maybe": expected name=true or name=false/);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /httpSnd: unknown property.*\(HERMOD_ERR_VALIDATION\)/);
    assert.equal(badRegex.code, 1);
    assert.match(
      badRegex.stderr,
      /valueFilters\.content is not a valid regular expression.*\(HERMOD_ERR_INVALID_ACCOUNT\)/,
    );
    assert.notEqual(badRate.code, 0);
    assert.match(badRate.stderr, /must be messages per second > 0 or "unlimited"/);
    assert.equal(
      (await h.store.getUserByName('demo'))!.settings.valueFilters.content,
      '^(hi|yo),?',
      'a refused change changes nothing',
    );
  } finally {
    await h.stop();
  }
});
