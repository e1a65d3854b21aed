// GET /v1/admin/users/{username}/binds on the demo Hermod: a customer's live SMPP bind is
// listed (how, from where), and gone once POST /unbind has ended it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmppClient } from '../../src/smpp/index.js';
import { demoHermod } from '../support/hermod.js';
import { DEMO_ADMIN_KEY } from '../../src/config/index.js';

test('admin API: a user’s SMPP binds are listed, and none after unbind', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const headers = { authorization: `Bearer ${DEMO_ADMIN_KEY}` };
  const binds = async () => {
    const r = await h.api.inject({ method: 'GET', url: '/v1/admin/users/demo/binds', headers });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().binds as { bindType: string; remote: string | null; inFlight: number }[];
  };
  assert.deepEqual(await binds(), []);
  const c = new SmppClient({
    host: '127.0.0.1',
    port: h.smppPort,
    systemId: 'demo',
    password: 'demo',
    reconnect: false,
  });
  t.after(() => c.close().catch(() => undefined));
  await c.connect();
  const [bind, ...more] = await binds();
  assert.equal(more.length, 0);
  assert.equal(bind.bindType, 'transceiver');
  assert.match(bind.remote ?? '', /127\.0\.0\.1/);
  assert.equal(bind.inFlight, 0);
  const unbind = await h.api.inject({ method: 'POST', url: '/v1/admin/users/demo/unbind', headers });
  assert.equal(unbind.json().unbound, 1);
  assert.deepEqual(await binds(), []);
  const unknown = await h.api.inject({ method: 'GET', url: '/v1/admin/users/nobody/binds', headers });
  assert.equal(unknown.statusCode, 404);
});
