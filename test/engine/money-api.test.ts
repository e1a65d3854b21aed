// REST v1 and the admin API for money and reports on the demo Hermod: the ledger (paged,
// filtered, CSV), top-ups with a note, rate cards (CSV and JSON, errors naming the line or
// field) pricing the quote and the charge, the low-balance flag in /v1/balance, reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { until } from '../support/until.js';
import { DEMO_ADMIN_KEY, DEMO_API_KEY } from '../../src/config/index.js';
import { draftOf } from '../../src/gateway/index.js';

test('money over HTTP: ledger, top-up notes, rate cards, low balance, reports; problems name the field', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const as =
    (key: string) =>
    (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      h.api.inject({
        method,
        url,
        headers: { authorization: `Bearer ${key}`, ...headers },
        ...(payload !== undefined ? { payload: payload as string } : {}),
      });
  const customer = as(DEMO_API_KEY);
  const admin = as(DEMO_ADMIN_KEY);

  // Top-up with a note: a ledger entry the customer sees.
  const credit = await admin('POST', '/v1/admin/users/demo/credit', { amount: '25.50', note: 'invoice 7' });
  assert.equal(credit.statusCode, 200);
  const page = (await customer('GET', '/v1/ledger')).json();
  assert.deepEqual(
    page.entries.map((e: { kind: string; amount: string; note: string | null }) => [
      e.kind,
      e.amount,
      e.note,
    ]),
    [
      ['topup', '25.50', 'invoice 7'],
      ['adjustment', '100.00', 'opening balance'],
    ],
  );
  assert.equal(page.entries[0].balance, '125.50');
  assert.equal(page.next, null);
  const first = (await customer('GET', '/v1/ledger?limit=1')).json();
  assert.equal(first.entries.length, 1);
  const second = (await customer('GET', `/v1/ledger?limit=1&before=${first.next}`)).json();
  assert.equal(second.entries[0].kind, 'adjustment');
  assert.equal((await customer('GET', '/v1/ledger?kind=topup')).json().entries.length, 1);
  const csv = await customer('GET', '/v1/ledger', undefined, { accept: 'text/csv' });
  assert.match(csv.headers['content-type'] as string, /^text\/csv/);
  const lines = csv.body.trim().split('\r\n');
  assert.equal(lines[0], 'id,account,at,kind,amount,balance,sms,message_id,campaign,reason,note,actor');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /,demo,.*,topup,25\.50,125\.50,0,,,,invoice 7,admin-api$/);
  const badKind = await customer('GET', '/v1/ledger?kind=gift');
  assert.equal(badKind.statusCode, 400);
  assert.match(badKind.json().detail, /kind/);
  const badFrom = await customer('GET', '/v1/ledger?from=yesterday');
  assert.equal(badFrom.statusCode, 400);
  assert.match(badFrom.json().detail, /^from: /);

  // Rate cards: CSV in, the quote and the charge follow; errors name the line.
  const put = await admin(
    'PUT',
    '/v1/admin/users/demo/rate-card',
    'country,sms,mms,inbound\nit,0.035,,\nGB,0.02,0.1,0\n',
    {
      'content-type': 'text/csv',
    },
  );
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual((await customer('GET', '/v1/rate-card')).json().rates, [
    { country: 'GB', sms: '0.02', mms: '0.10', inbound: '0.00' },
    { country: 'IT', sms: '0.035', mms: null, inbound: null },
  ]);
  assert.equal(
    (await customer('GET', '/v1/rate-card?format=csv')).body,
    'country,sms,mms,inbound\r\nGB,0.02,0.10,0.00\r\nIT,0.035,,\r\n',
  );
  const quote = (await customer('GET', '/v1/rates?to=%2B393331234567')).json();
  assert.equal(quote.rate_from, 'card');
  const badLine = await admin('PUT', '/v1/admin/users/demo/rate-card', 'country,sms\nIT,0.03\nXYZ,0.01\n', {
    'content-type': 'text/csv',
  });
  assert.equal(badLine.statusCode, 400);
  assert.equal(badLine.json().code, 'HERMOD_ERR_RATE_CARD');
  assert.match(badLine.json().detail, /^line 3\.country/);
  const dup = await admin('PUT', '/v1/admin/users/demo/rate-card', {
    rates: [
      { country: 'FR', sms: '0.04' },
      { country: 'fr', sms: 0.05 },
    ],
  });
  assert.equal(dup.statusCode, 400);
  assert.match(dup.json().detail, /rates\[1\]\.country: FR is already at rates\[0\]/);
  assert.equal((await admin('GET', '/v1/admin/users/nobody/rate-card')).statusCode, 404);
  const demo = (await h.store.getUserByName('demo'))!;
  const sent = await h.gateway.submitAccepted(
    demo,
    draftOf({
      systemId: 'demo',
      origin: 'rest',
      from: 'Shop',
      to: '+393331234567',
      content: { text: 'ciao' },
    }),
  );
  assert.equal(sent.priceMicros, 35_000, 'charged the card’s price');
  await until('delivered', async () => (await h.store.getMessage(sent.id))?.state === 'delivered');

  // Low balance: the flag and the threshold in /v1/balance.
  const low = await customer('PUT', '/v1/low-balance', { threshold: '500', url: null });
  assert.equal(low.statusCode, 200);
  assert.equal(low.json().low, true, 'already below a threshold set above the balance');
  const balance = (await customer('GET', '/v1/balance')).json();
  assert.deepEqual([balance.low, balance.threshold], [true, '500.00']);
  const badUrl = await customer('PUT', '/v1/low-balance', { threshold: '1', url: 'ftp://x' });
  assert.equal(badUrl.statusCode, 400);
  assert.match(badUrl.json().detail, /^url: /);
  const off = await admin('PUT', '/v1/admin/users/demo/low-balance', { threshold: null });
  assert.equal(off.statusCode, 200, off.body);
  assert.equal((await customer('GET', '/v1/balance')).json().low, false);

  // Reports: the customer's and the operator's, JSON and CSV.
  const report = (await customer('GET', '/v1/reports?group_by=country')).json();
  const it = report.groups.find((g: { key: string }) => g.key === 'IT');
  assert.deepEqual(
    [it.messages, it.states.delivered.messages, it.delivery_rate, it.revenue],
    [1, 1, 1, '0.035'],
  );
  assert.equal(typeof it.median_delivery_ms, 'number');
  const days = await customer('GET', '/v1/reports?group_by=day&format=csv');
  assert.match(days.body.split('\r\n')[0], /^day,messages,parts,delivered,/);
  assert.equal(days.body.trim().split('\r\n').length, 2);
  const byAccount = (await admin('GET', '/v1/admin/reports?groupBy=account')).json();
  assert.equal(byAccount.groups[0].key, 'demo');
  const tooLong = await customer('GET', '/v1/reports?group_by=hour&from=2026-01-01&to=2026-06-01');
  assert.equal(tooLong.statusCode, 400);
  assert.match(tooLong.json().detail, /^from: /);
  assert.equal((await customer('GET', '/v1/reports?group_by=planet')).statusCode, 400);

  // The operator's ledger: every account, CSV.
  const all = await admin('GET', '/v1/admin/ledger?format=csv');
  assert.equal(all.statusCode, 200);
  assert.match(all.body, /,demo,.*,charge,-0\.035,/);
  assert.equal((await admin('GET', '/v1/admin/ledger?account=nobody')).statusCode, 404);
  assert.equal((await h.api.inject({ method: 'GET', url: '/v1/ledger' })).statusCode, 401);
});
