// A user's settings.access over real sockets: `allowFrom` refuses a bind (and Jasmin /send,
// REST v1) from an address outside the list (and lets it in once the admin API adds the address), `maxBinds` refuses
// the bind beyond the cap, and the admin API's POST /users/{name}/unbind (and
// `hermod users unbind`) ends a user's binds at once; `hermod users set --allow-from/--max-binds`
// changes them. Invalid lists are refused naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandStatus, SmppClient, SmppStatusError } from '../../src/smpp/index.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import { allowsAddress, userSettings } from '../../src/domain/index.js';
import { configuredHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';
import { until } from '../support/until.js';

const ADMIN = 'access-admin-key-0001';
const admin = { authorization: `Bearer ${ADMIN}` };
const OFFICE_KEY = 'hk_access_office_key_0001';

const DOC = {
  admin: { keys: [ADMIN] },
  users: [
    {
      username: 'office',
      password: 'pw',
      balance: 10,
      rate: 0,
      apiKeys: [OFFICE_KEY],
      access: { allowFrom: ['10.0.0.0/8', '2001:db8::/32'] },
    },
    { username: 'pair', password: 'pw', balance: 10, rate: 0, access: { maxBinds: 2 } },
  ],
  connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
  routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
};

const refusedWith = (code: number) => (e: unknown) =>
  e instanceof SmppStatusError && e.commandStatus === code;

test('settings.access: allowFrom and maxBinds refuse binds with ESME_RBINDFAIL; the admin API widens the list; unbind ends a user’s binds', async () => {
  const h = await configuredHermod(DOC);
  const client = (systemId: string) =>
    new SmppClient({ host: '127.0.0.1', port: h.smppPort, systemId, password: 'pw', reconnect: false });
  const open: SmppClient[] = [];
  try {
    // From 127.0.0.1, outside 10.0.0.0/8: refused, although the password is right.
    await assert.rejects(client('office').connect(), refusedWith(CommandStatus.ESME_RBINDFAIL));
    // The HTTP APIs too: Jasmin's /send over a real socket, and REST v1 with the account's key.
    const jasmin = () =>
      fetch(`http://127.0.0.1:${h.httpPort}/send?username=office&password=pw&to=447700900123&content=hi`);
    const refusedSend = await jasmin();
    assert.equal(refusedSend.status, 403);
    assert.match(
      await refusedSend.text(),
      /Authentication failure for username:office: not accepted from (::ffff:)?127\.0\.0\.1/,
    );
    const rest = () =>
      fetch(`http://127.0.0.1:${h.apiPort}/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OFFICE_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: '+447700900123', from: 'Office', text: 'hi' }),
      });
    const refusedRest = await rest();
    assert.equal(refusedRest.status, 403);
    assert.equal(((await refusedRest.json()) as { code: string }).code, 'HERMOD_ERR_ADDRESS_NOT_ALLOWED');
    const widened = await h.api.inject({
      method: 'PATCH',
      url: '/v1/admin/users/office',
      headers: admin,
      payload: { settings: { access: { allowFrom: ['10.0.0.0/8', '127.0.0.1'] } } },
    });
    assert.equal(widened.statusCode, 200, widened.body);
    assert.deepEqual((widened.json() as { settings: { access: unknown } }).settings.access, {
      allowFrom: ['10.0.0.0/8', '127.0.0.1'],
      maxBinds: null,
    });
    const office = client('office');
    await office.connect();
    open.push(office);
    assert.ok(
      (
        await office.submitSm({
          sourceAddr: 'Office',
          destinationAddr: '447700900123',
          shortMessage: Buffer.from('from an allowed address'),
        })
      ).messageId,
    );
    assert.equal((await jasmin()).status, 200, 'and /send from the allowed address');
    await until('the API key cache (2 s) sees the new list', async () => (await rest()).status === 202);

    const bad = await h.api.inject({
      method: 'PATCH',
      url: '/v1/admin/users/office',
      headers: admin,
      payload: { settings: { access: { allowFrom: ['300.1.1.1'] } } },
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /settings\.access\.allowFrom\[0\] must be an IPv4\/IPv6 address or CIDR range/);

    // maxBinds 2: the third is refused; unbind ends both; then binding works again.
    const [a, b] = [client('pair'), client('pair')];
    await Promise.all([a.connect(), b.connect()]);
    open.push(a, b);
    await assert.rejects(client('pair').connect(), refusedWith(CommandStatus.ESME_RBINDFAIL));
    const url = `http://127.0.0.1:${h.apiPort}`;
    const r = json<{ username: string; unbound: number }>(
      ok(
        await hermod(['users', 'unbind', 'pair', '--json', '--url', url, '--key', ADMIN]),
        'users unbind --json',
      ),
    );
    assert.deepEqual(r, { username: 'pair', unbound: 2 });
    await until('both pair binds closed', () => a.status === 'closed' && b.status === 'closed');
    const again = client('pair');
    await again.connect();
    open.push(again);
    const text = ok(
      await hermod(['users', 'unbind', 'pair', '--url', url, '--key', ADMIN]),
      'users unbind',
    ).stdout;
    assert.match(text, /^pair: 1 bind ended$/m);
    assert.equal(
      (await h.api.inject({ method: 'POST', url: '/v1/admin/users/ghost/unbind', headers: admin }))
        .statusCode,
      404,
    );

    // hermod users set --allow-from / --max-binds: the same settings through the CLI.
    const set = json<{ settings: { access: unknown } }>(
      ok(
        await hermod([
          'users',
          'set',
          'pair',
          '--allow-from',
          '127.0.0.1, 10.0.0.0/8',
          '--max-binds',
          '1',
          '--json',
          '--url',
          url,
          '--key',
          ADMIN,
        ]),
        'users set --allow-from',
      ),
    );
    assert.deepEqual(set.settings.access, { allowFrom: ['127.0.0.1', '10.0.0.0/8'], maxBinds: 1 });
    const first = client('pair');
    await first.connect();
    open.push(first);
    await assert.rejects(
      client('pair').connect(),
      refusedWith(CommandStatus.ESME_RBINDFAIL),
      'one bind is up: the cap is 1',
    );
    const anywhere = json<{ settings: { access: unknown } }>(
      ok(
        await hermod([
          'users',
          'set',
          'pair',
          '--allow-from',
          'any',
          '--max-binds',
          'unlimited',
          '--json',
          '--url',
          url,
          '--key',
          ADMIN,
        ]),
        'users set --allow-from any',
      ),
    );
    assert.deepEqual(anywhere.settings.access, { allowFrom: [], maxBinds: null });
    const badList = await hermod([
      'users',
      'set',
      'pair',
      '--allow-from',
      'nope',
      '--url',
      url,
      '--key',
      ADMIN,
    ]);
    assert.equal(badList.code, 1);
    assert.match(
      badList.stderr,
      /settings\.access\.allowFrom\[0\] must be an IPv4\/IPv6 address or CIDR range/,
    );
  } finally {
    await Promise.all(open.map((c) => c.close()));
    await h.stop();
  }
});

test('settings.access in the file is checked naming the key; allowsAddress matches CIDRs, IPv6 and IPv4-mapped peers', () => {
  const issues = (access: unknown) => {
    try {
      parseConfig(
        { ...DOC, users: [{ username: 'x', password: 'pw', access }] },
        { HERMOD_DATA_DIR: '/tmp' },
        'test',
      );
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(issues({ allowFrom: ['10.0.0.0/33'] }), [
    'users[0].access.allowFrom[0]: expected an IPv4/IPv6 address or CIDR range (e.g. 203.0.113.0/24), got "10.0.0.0/33"',
  ]);
  assert.deepEqual(
    issues({ maxBinds: 0 }).map((m) => m.split(':')[0]),
    ['users[0].access.maxBinds'],
  );
  assert.deepEqual(issues({ allowFrom: ['203.0.113.7'], maxBinds: 3 }), []);

  const access = userSettings({
    access: { allowFrom: ['10.1.0.0/16', '2001:db8::/32', '198.51.100.7'] },
  }).access;
  assert.equal(allowsAddress(access, '10.1.200.3'), true);
  assert.equal(allowsAddress(access, '10.2.0.1'), false);
  assert.equal(allowsAddress(access, '::ffff:10.1.0.9'), true, 'an IPv4 peer on a dual-stack listener');
  assert.equal(allowsAddress(access, '2001:db8:1::5'), true);
  assert.equal(allowsAddress(access, '2001:db9::5'), false);
  assert.equal(allowsAddress(access, '198.51.100.7'), true);
  assert.equal(allowsAddress(access, undefined), false, 'an unknown peer is not in a list');
  assert.equal(allowsAddress(userSettings().access, '192.0.2.1'), true, 'no list: anywhere');
});
