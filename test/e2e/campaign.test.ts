// A templated campaign end to end through the built-in simulator (issue 14): a group of
// contacts, two of them opted out of the sender (skipped and counted), one without the
// custom field the template needs (skipped, named); everyone else gets exactly their own
// rendered text at the simulator, once. Then the statistics, the recipients' CSV, and the
// 402 refusal when the estimate exceeds the balance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { DEMO_API_KEY } from '../../src/config/index.js';
import { decodeText } from '../../src/smpp/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';

test('a templated campaign to a group: opted-out and field-less members skipped and counted, the rest get their own text once', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await h.api.inject({
      method,
      url,
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
      ...(payload ? { payload } : {}),
    });
    return {
      status: res.statusCode,
      body: String(res.headers['content-type'] ?? '').includes('json') ? res.json() : res.body,
    };
  };
  const sim = (h.connectors.get('sim') as SimulatorConnector).simulator;
  const got: { to: string; text: string }[] = [];
  sim.on('submit', (m: { destination: string; shortMessage: Buffer; dataCoding: number }) =>
    got.push({ to: m.destination, text: decodeText(m.shortMessage, m.dataCoding) }),
  );

  const group = (await call('POST', '/v1/contact-groups', { name: 'Patients' })).body;
  const people = Array.from({ length: 12 }, (_, i) => ({
    number: `+4477009001${String(i).padStart(2, '0')}`,
    first_name: i % 3 === 0 ? undefined : `P${i}`,
    fields: i === 5 ? {} : { slot: `${9 + (i % 8)}:00` },
  }));
  const ids: number[] = [];
  for (const p of people)
    ids.push(
      (await call('POST', '/v1/contacts', { ...p, ...(p.first_name ? {} : { first_name: null }) })).body.id,
    );
  assert.equal(
    (await call('POST', `/v1/contact-groups/${group.id}/members`, { contacts: ids })).body.added,
    12,
  );
  await h.store.setOptOut('447700900101', 'Clinic', true);
  await h.store.setOptOut('447700900107', 'Clinic', true);

  // An unknown placeholder is refused at save, named.
  const bad = await call('POST', '/v1/templates', { name: 'r', text: 'Hi {{firstname}}' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'HERMOD_ERR_TEMPLATE');
  assert.match(bad.body.detail, /\{\{firstname\}\}/);
  const tpl = await call('POST', '/v1/templates', {
    name: 'reminder',
    text: 'Hello {{first_name|there}}, your appointment is at {{custom.slot}}. Reply STOP to opt out.',
  });
  assert.equal(tpl.status, 201);
  assert.deepEqual(tpl.body.fields, ['first_name', 'custom.slot']);
  const preview = await call('POST', '/v1/templates/preview', {
    template_id: tpl.body.id,
    contact_id: ids[1],
    from: 'Clinic',
  });
  assert.equal(preview.status, 200);
  assert.deepEqual(
    {
      text: preview.body.text,
      encoding: preview.body.encoding,
      segments: preview.body.segments,
      price: preview.body.price,
    },
    {
      text: 'Hello P1, your appointment is at 10:00. Reply STOP to opt out.',
      encoding: 'gsm7',
      segments: 1,
      price: '0.01',
    },
  );
  const holey = await call('POST', '/v1/templates/preview', { template_id: tpl.body.id, contact_id: ids[5] });
  assert.equal(holey.status, 422);
  assert.match(holey.body.detail, /custom\.slot/);

  const created = await call('POST', '/v1/campaigns', {
    name: 'Reminders',
    from: 'Clinic',
    template_id: tpl.body.id,
    audience: { groups: [group.id] },
    tags: ['reminders'],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.state, 'draft');
  const id = created.body.id;
  const started = await call('POST', `/v1/campaigns/${id}/start`);
  assert.equal(started.status, 200, JSON.stringify(started.body));
  assert.equal(started.body.estimate.recipients, 9);
  assert.equal(started.body.estimate.cost, '0.09');
  assert.equal(started.body.estimate.typical.segments, 1);
  await until(
    'completed',
    async () => (await call('GET', `/v1/campaigns/${id}`)).body.state === 'completed',
    20_000,
  );
  await until('all at the simulator', () => got.length >= 9, 10_000);

  const expected = people
    .map((p, i) => ({ i, to: p.number.slice(1) }))
    .filter(({ i }) => i !== 1 && i !== 7 && i !== 5)
    .map(({ i, to }) => ({
      to,
      text: `Hello ${i % 3 === 0 ? 'there' : `P${i}`}, your appointment is at ${9 + (i % 8)}:00. Reply STOP to opt out.`,
    }));
  const sortBy = (a: { to: string }, b: { to: string }) => a.to.localeCompare(b.to);
  assert.deepEqual(
    [...got].sort(sortBy),
    expected.sort(sortBy),
    'each recipient got exactly their own text, once',
  );

  await until(
    'delivered',
    async () => (await call('GET', `/v1/campaigns/${id}/stats`)).body.delivered === 9,
    10_000,
  );
  const stats = (await call('GET', `/v1/campaigns/${id}/stats`)).body;
  assert.deepEqual(
    { ...stats },
    {
      state: 'completed',
      recipients: 12,
      skipped: { opted_out: 2, 'missing_field:custom.slot': 1 },
      refused: {},
      pending: 0,
      queued: 0,
      sent: 0,
      delivered: 9,
      failed: 0,
      expired: 0,
      parts: 9,
      cost: '0.09',
      replies: 0,
      opt_outs: 0,
    },
  );
  // Replies and opt-outs after the start: an MO from a recipient, and a STOP from another.
  sim.sendMo('hermod', { from: '447700900100', to: 'Clinic', text: 'See you then' });
  sim.sendMo('hermod', { from: '447700900102', to: 'Clinic', text: 'STOP' });
  await until(
    'replies counted',
    async () => {
      const s = (await call('GET', `/v1/campaigns/${id}/stats`)).body;
      return s.replies === 2 && s.opt_outs === 1;
    },
    10_000,
  );
  // Every message carries the campaign's id.
  const messages = await h.store.listMessages({ limit: 100 });
  assert.equal(messages.filter((m) => m.meta?.campaign === String(id)).length, 9);
  // And the message log finds them by campaign (a message sent outside it is not listed).
  const other = await call('POST', '/v1/messages', { to: '+447700900555', from: 'Clinic', text: 'x' });
  assert.equal(other.status, 202);
  const log = (await call('GET', `/v1/messages?campaign=${id}&limit=100`)).body;
  assert.equal(log.data.length, 9);
  assert.ok(
    log.data.every((m: { id: string; campaign: number }) => m.campaign === id && m.id !== other.body.id),
  );
  const all = (await call('GET', '/v1/messages?limit=100')).body.data as { id: string }[];
  assert.ok(all.some((m) => m.id === other.body.id));

  const page = (await call('GET', `/v1/campaigns/${id}/recipients?limit=5`)).body;
  assert.equal(page.data.length, 5);
  assert.equal(page.data[1].state, 'skipped');
  assert.equal(page.data[1].reason, 'opted_out');
  assert.equal(page.data[0].message_state, 'delivered');
  const next = (await call('GET', `/v1/campaigns/${id}/recipients?limit=100&after=${page.next}`)).body;
  assert.equal(next.data.length, 7);
  const csv = await call('GET', `/v1/campaigns/${id}/recipients?format=csv`);
  assert.equal(csv.status, 200);
  const lines = (csv.body as string).trim().split('\n');
  assert.equal(lines[0], 'number,contact_id,state,reason,message_id,message_state,price,updated_at');
  assert.equal(lines.length, 13);
  assert.match(lines[2], /^\+447700900101,\d+,skipped,opted_out,,,,/);

  // Ended: it cannot be started or paused again (409), and another account's id is a 404.
  assert.equal((await call('POST', `/v1/campaigns/${id}/pause`)).body.code, 'HERMOD_ERR_CAMPAIGN_STATE');
  assert.equal((await call('GET', '/v1/campaigns/999999')).status, 404);
});

test('a campaign whose estimate exceeds the balance is refused with 402 and stays a draft; bad input names the field', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await h.api.inject({
      method,
      url,
      headers: { authorization: `Bearer ${DEMO_API_KEY}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const demo = (await h.store.getUserByName('demo'))!;
  // Leave 0.015: one message (0.01) fits, two do not.
  await h.gateway.services.accounts.topUp({ userId: demo.id, balanceMicros: -(demo.balanceMicros - 15_000) });
  const numbers = ['+447700900201', '+447700900202'];
  const c = (
    await call('POST', '/v1/campaigns', {
      name: 'Too dear',
      from: 'Shop',
      text: 'Sale!',
      audience: { numbers },
    })
  ).body;
  const refused = await call('POST', `/v1/campaigns/${c.id}/start`);
  assert.equal(refused.status, 402);
  assert.equal(refused.body.code, 'HERMOD_ERR_CAMPAIGN_BALANCE');
  assert.match(refused.body.detail, /estimated at 0\.02 for 2 recipients, the balance is 0\.01/);
  assert.equal((await call('GET', `/v1/campaigns/${c.id}`)).body.state, 'draft');
  assert.equal((await call('POST', `/v1/campaigns/${c.id}/estimate`)).body.cost, '0.02');

  // Sending what the balance covers: one is sent, the other skipped for lack of balance.
  const covers = (
    await call('POST', '/v1/campaigns', {
      name: 'Covered',
      from: 'Shop',
      text: 'Sale!',
      audience: { numbers },
      send_what_balance_covers: true,
    })
  ).body;
  assert.equal((await call('POST', `/v1/campaigns/${covers.id}/start`)).status, 200);
  await until(
    'completed',
    async () => (await call('GET', `/v1/campaigns/${covers.id}`)).body.state === 'completed',
    20_000,
  );
  const stats = (await call('GET', `/v1/campaigns/${covers.id}/stats`)).body;
  assert.equal(stats.skipped.insufficient_balance, 1);
  assert.equal(stats.recipients - stats.skipped.insufficient_balance, 1);

  for (const [body, field] of [
    [{ name: 'x', from: 'Shop', audience: { numbers } }, 'text'],
    [{ name: 'x', from: 'Shop', text: 'Hi {{nick}}', audience: { numbers } }, '{{nick}}'],
    [{ name: 'x', from: 'ALongSenderName', text: 'x', audience: { numbers } }, 'from'],
    [{ name: 'x', from: 'Shop', text: 'x', audience: {} }, 'audience'],
    [
      { name: 'x', from: 'Shop', text: 'x', audience: { numbers }, schedule_at: '2026-12-08T09:00' },
      'schedule_at',
    ],
    [{ name: 'x', from: 'Shop', text: 'x', audience: { numbers }, time_zone: 'Mars/Olympus' }, 'time_zone'],
    [
      {
        name: 'x',
        from: 'Shop',
        text: 'x',
        audience: { numbers },
        quiet_hours: { from: '25:00', to: '08:00' },
      },
      'quiet_hours.from',
    ],
    [{ name: 'x', from: 'Shop', text: 'x', audience: { numbers }, template_id: 9 }, 'text'],
    [
      { name: 'x', from: 'Shop', text: 'x', audience: { groups: [424242] } },
      'audience.groups[0]: no contact group 424242',
    ],
    [
      { name: 'x', from: 'Shop', text: 'x', audience: { numbers }, repeat: { every: 'day' } },
      'repeat: a repeated campaign needs schedule_at',
    ],
  ] as const) {
    const r = await call('POST', '/v1/campaigns', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.ok(String(r.body.detail).includes(field), `${r.body.detail} names ${field}`);
  }
});
