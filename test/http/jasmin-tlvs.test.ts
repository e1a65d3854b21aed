// Jasmin /send arguments Hermod used to drop silently (issue 19): custom_tlvs is refused with
// a clear error; long_content_max_parts caps the parts of the content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildJasminApp } from '../../src/http/jasmin/index.js';
import { UrlGuard } from '../../src/gateway/index.js';
import { configuredHermod } from '../support/hermod.js';

test('custom_tlvs is refused (400, HERMOD_ERR_UNSUPPORTED_ARGUMENT); long_content_max_parts is honoured', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 0 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
  });
  const app = await buildJasminApp({ gateway: h.gateway, guard: new UrlGuard() });
  const send = (fields: Record<string, unknown>) =>
    app.inject({
      method: 'POST',
      url: '/send',
      payload: { username: 'shop', password: 'pw', to: '447700900123', ...fields },
    });
  try {
    const tlv = await send({ content: 'hi', custom_tlvs: [[0x1403, null, 'COctetString', 'x']] });
    assert.equal(tlv.statusCode, 400);
    const body = tlv.json<{ error: { code: string; message: string } }>();
    assert.equal(body.error.code, 'HERMOD_ERR_UNSUPPORTED_ARGUMENT');
    assert.match(body.error.message, /^Argument \[custom_tlvs\] is not supported/);
    assert.equal((await send({ content: 'hi', custom_tlvs: [] })).statusCode, 200);

    const long = 'a'.repeat(161 * 2); // three GSM parts (153 septets each)
    const capped = await send({ content: long, long_content_max_parts: '2' });
    assert.equal(capped.statusCode, 400);
    assert.equal(capped.json<{ error: { code: string } }>().error.code, 'HERMOD_ERR_TOO_MANY_PARTS');
    assert.match(capped.body, /takes 3 parts, more than 2/);
    assert.equal((await send({ content: long, long_content_max_parts: '3' })).statusCode, 200);
    assert.equal((await send({ content: 'hi', long_content_max_parts: '0' })).statusCode, 400);
  } finally {
    await app.close();
    await h.stop();
  }
});
