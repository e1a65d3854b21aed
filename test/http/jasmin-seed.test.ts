// Seed 000's Laravel integration, unchanged, against a running Hermod over real sockets:
// JasminSmsService::sendSms (form POST to /send, reading data.messageid from a JSON body)
// and SmsWebhookController (handleDlr reads id, dlvrd, err; handleInbound reads from, to,
// content). The PHP is reproduced line for line in TypeScript; nothing is adapted to us.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { configuredHermod } from '../support/hermod.js';
import { startReceiver, until } from '../support/http-receiver.js';

/** JasminSmsService::formatNumber */
function formatNumber(number: string): string {
  number = number.replace(/[^0-9]/g, '');
  if (number.length === 10) number = '1' + number;
  return number;
}

/** JasminSmsService::sendSms, with Guzzle's form_params (application/x-www-form-urlencoded). */
async function sendSms(
  baseUrl: string,
  username: string,
  password: string,
  from: string,
  to: string,
  message: string,
  dlrUrl: string,
) {
  const response = await fetch(baseUrl + '/send', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      username,
      password,
      to: formatNumber(to),
      from,
      content: message,
      dlr: 'yes',
      'dlr-url': dlrUrl,
      'dlr-level': String(3), // Get all delivery reports
    }),
  });
  const body = await response.text();
  let result: { data?: { messageid?: string } } | null;
  try {
    result = JSON.parse(body) as { data?: { messageid?: string } }; // json_decode($body, true)
  } catch {
    result = null; // json_decode returns null on a non-JSON body
  }
  return { success: response.status === 200, message_id: result?.data?.messageid ?? null };
}

test('seed 000: the Laravel client sends unchanged, its DLR webhook gets id/dlvrd/err, its inbound webhook gets from/to/content', async () => {
  const laravel = await startReceiver();
  const h = await configuredHermod({
    users: [{ username: 'laravel', password: 'secret', balance: 10, rate: 0.01 }],
    connectors: [{ id: 'sim', type: 'simulator', latencyMs: { min: 0, max: 5 } }],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [{ prefixes: ['12345'], url: `${laravel.url}/webhooks/sms/inbound`, method: 'POST' }],
    // The Laravel app runs on this machine in the test: the operator allows loopback.
    webhooks: { allow: ['127.0.0.1'], backoff: { initialMs: 20, maxMs: 200 } },
  });
  try {
    const res = await sendSms(
      `http://127.0.0.1:${h.httpPort}`,
      'laravel',
      'secret',
      'Shop',
      '(415) 555-0100',
      'Your code is 1234',
      `${laravel.url}/webhooks/sms/dlr`,
    );
    assert.equal(res.success, true);
    assert.match(res.message_id ?? '', /^\S+$/, 'data.messageid is set');
    const stored = await h.store.getMessage(res.message_id!);
    assert.equal(stored?.destination, '14155550100', 'the number as formatNumber made it');
    assert.equal(stored?.body.toString(), 'Your code is 1234');

    // handleDlr: dlr-level 3 = the SMSC acknowledgement, then the final receipt.
    await until(
      'two DLR callbacks',
      () => laravel.received.filter((r) => r.path === '/webhooks/sms/dlr').length === 2,
    );
    const dlrs = laravel.received.filter((r) => r.path === '/webhooks/sms/dlr');
    for (const d of dlrs) {
      assert.equal(d.method, 'POST');
      assert.equal(d.form.id, res.message_id, "$request->input('id') is the id /send returned");
    }
    assert.deepEqual(
      dlrs.map((d) => d.form.level),
      ['1', '2'],
      'SMSC acknowledgement first, then the final state',
    );
    assert.equal(dlrs[0].form.message_status, 'ESME_ROK');
    const final = dlrs[1].form;
    // $status == 1 in PHP: "001" == 1 is true.
    assert.equal(Number(final.dlvrd), 1, 'dlvrd says delivered');
    assert.equal(final.err, '000');
    assert.equal(final.message_status, 'DELIVRD');
    assert.equal(final.connector, 'sim');
    assert.ok(final.id_smsc, 'the SMSC id is reported too');

    // handleInbound: an MO from the simulator (the handset answers).
    const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
    sim.sendMo('hermod', { from: '14155550100', to: '12345', text: 'Thanks, got it' });
    await until('the inbound webhook', () =>
      laravel.received.some((r) => r.path === '/webhooks/sms/inbound'),
    );
    const mo = laravel.received.find((r) => r.path === '/webhooks/sms/inbound')!;
    assert.equal(mo.form.from, '14155550100');
    assert.equal(mo.form.to, '12345');
    assert.equal(mo.form.content, 'Thanks, got it');
    assert.equal(mo.form['origin-connector'], 'sim');
    assert.equal(mo.form.binary, Buffer.from('Thanks, got it').toString('hex'));
  } finally {
    await h.stop();
    await laravel.close();
  }
});
