// Route filters over real sockets: country, content, tags and time-window routes, the
// weighted split, quote(), MO routing by filter to two customers and a webhook, and the
// loop guard with a connector pointed back at Hermod itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SmppClient, decodeText, type Pdu } from '../../src/smpp/index.js';
import type { SimulatorConnector } from '../../src/connectors/index.js';
import { RejectedError } from '../../src/gateway/index.js';
import type { InboundMessage } from '../../src/store/index.js';
import { startHermod } from '../../src/compose/index.js';
import { parseConfig } from '../../src/config/index.js';
import { configuredHermod } from '../support/hermod.js';
import { freePort } from '../support/ports.js';
import { until } from '../support/until.js';

const sim = (id: string) => ({ id, type: 'simulator', latencyMs: { min: 0, max: 0 } });

test('country, content, tags and weighted routes; quote() answers route, connectors and price', async () => {
  const h = await configuredHermod({
    users: [
      { username: 'shop', password: 'pw', balance: 100, rate: 0.01 },
      { username: 'bank', password: 'pw', balance: 100, rate: 0.03 },
    ],
    connectors: [sim('italy'), sim('france'), sim('otp'), sim('promo'), sim('a'), sim('b'), sim('other')],
    routes: [
      { name: 'otp', contentRegex: '/\\bcode\\b.*\\d{6}/i', type: 'static', connectors: ['otp'], rate: 0.05 },
      { name: 'promo', tags: ['promo'], type: 'static', connectors: ['promo'] },
      { name: 'italy', countries: ['IT'], type: 'static', connectors: ['italy'] },
      { name: 'france', countries: ['FR'], type: 'static', connectors: ['france'], rate: 0.02 },
      {
        name: 'bank-de',
        countries: ['DE'],
        users: ['bank'],
        type: 'weighted',
        connectors: ['a', 'b'],
        weights: { a: 70, b: 30 },
      },
      { name: 'default', type: 'static', connectors: ['other'] },
    ],
  });
  try {
    const simOf = (id: string) => (h.connectors.get(id) as SimulatorConnector).simulator;
    await until('all connectors bound', () => [...h.connectors.values()].every((c) => c.ready));
    const bind = async (user: string) => {
      const c = new SmppClient({
        host: '127.0.0.1',
        port: h.smppPort,
        systemId: user,
        password: 'pw',
        reconnect: false,
      });
      await c.connect();
      return c;
    };
    const shop = await bind('shop');
    const bank = await bind('bank');
    const send = async (c: SmppClient, to: string, text: string) =>
      (await c.submitSm({ destinationAddr: to, shortMessage: Buffer.from(text) })).messageId;
    const routed = async (id: string) => {
      await until(`${id} sent`, async () =>
        ['sent', 'delivered'].includes((await h.store.getMessage(id))?.state ?? ''),
      );
      const m = (await h.store.getMessage(id))!;
      return [m.connectorId, m.meta.route, m.priceMicros];
    };

    // Country routes (libphonenumber-js), the default for the rest.
    assert.deepEqual(await routed(await send(shop, '+39 333 123 4567', 'ciao')), ['italy', 'italy', 10_000]);
    assert.deepEqual(
      await routed(await send(shop, '33612345678', 'salut')),
      ['france', 'france', 20_000],
      'the route’s rate',
    );
    assert.deepEqual(
      await routed(await send(shop, '4915112345678', 'hallo')),
      ['other', 'default', 10_000],
      'the weighted DE route is for bank only',
    );
    assert.equal(simOf('italy').submitted[0].destination, '393331234567');

    // Content: a one-time code goes to the OTP connector whatever the country.
    assert.deepEqual(await routed(await send(shop, '393331234567', 'Your CODE is 123456')), [
      'otp',
      'otp',
      50_000,
    ]);

    // Tags come from the HTTP APIs (MessageMeta.tags); here through the core's submit.
    const user = (await h.store.getUserByName('shop'))!;
    const tagged = await h.gateway.submit(user, {
      systemId: 'shop',
      source: 'ACME',
      destination: '393331234567',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('sale'),
      registeredDelivery: 0,
      meta: { tags: ['promo'] },
    });
    assert.deepEqual(await routed(tagged), ['promo', 'promo', 10_000]);
    await until('promo submit', () => simOf('promo').stats.submits === 1);

    // Weighted 70/30 for bank's German traffic.
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, i) => send(bank, `49151123456${String(i).padStart(2, '0')}`, `m${i}`)),
    );
    const via = await Promise.all(ids.map(async (id) => (await routed(id))[0]));
    const toA = via.filter((c) => c === 'a').length;
    assert.equal(toA + via.filter((c) => c === 'b').length, 50);
    assert.ok(Math.abs(toA - 35) <= 2, `70% of 50 to a, got ${toA}`);

    // quote(): what a /rate call answers, without sending or charging.
    const bankUser = (await h.store.getUserByName('bank'))!;
    const before = await h.store.getBalance(bankUser.id);
    assert.deepEqual(await h.gateway.quote({ user, destination: '+33 6 12 34 56 78' }), {
      destination: '33612345678',
      country: 'FR',
      route: 'france',
      type: 'static',
      connectors: ['france'],
      pricePerPartMicros: 20_000,
      priceFrom: 'route',
      kind: 'sms',
    });
    const q = await h.gateway.quote({ user: bankUser, destination: '4915112345678', text: 'x'.repeat(200) });
    assert.equal(q.route, 'bank-de');
    assert.deepEqual([...q.connectors].sort(), ['a', 'b']);
    assert.deepEqual(
      [q.pricePerPartMicros, q.priceFrom, q.parts, q.totalMicros],
      [30_000, 'user', 2, 60_000],
    );
    assert.equal(
      (await h.gateway.quote({ user, destination: '4915112345678' })).route,
      'default',
      'the user filter applies to quotes too',
    );
    assert.equal(
      (await h.gateway.quote({ user, destination: '393331234567', text: 'code: 654321' })).route,
      'otp',
      'and the content filter',
    );
    assert.equal(await h.store.getBalance(bankUser.id), before, 'a quote charges nothing');
    await assert.rejects(
      h.gateway.quote({ user, destination: 'not a number' }),
      (e: unknown) =>
        e instanceof RejectedError && e.code === 'HERMOD_ERR_INVALID_DESTINATION' && e.httpStatus === 400,
    );
    await shop.close();
    await bank.close();
  } finally {
    await h.stop();
  }
});

test('quote() and submit refuse an unroutable number precisely', async () => {
  const h = await configuredHermod({
    users: [{ username: 'shop', password: 'pw', balance: 1, rate: 0.01 }],
    connectors: [sim('italy')],
    routes: [{ name: 'italy', countries: ['IT'], type: 'static', connectors: ['italy'] }],
  });
  try {
    const user = (await h.store.getUserByName('shop'))!;
    await assert.rejects(
      h.gateway.quote({ user, destination: '4915112345678' }),
      (e: unknown) =>
        e instanceof RejectedError &&
        e.code === 'HERMOD_ERR_NO_ROUTE' &&
        e.smppStatus === 0x0b &&
        e.httpStatus === 422 &&
        /4915112345678/.test(e.message),
    );
    await assert.rejects(
      h.gateway.submit(user, {
        systemId: 'shop',
        source: 'S',
        destination: '4915112345678',
        esmClass: 0,
        dataCoding: 0,
        body: Buffer.from('x'),
        registeredDelivery: 0,
      }),
      (e: unknown) => e instanceof RejectedError && e.code === 'HERMOD_ERR_NO_ROUTE',
    );
    assert.equal(await h.store.getBalance(user.id), 1_000_000, 'nothing charged');
  } finally {
    await h.stop();
  }
});

test('a time-window route by the injected clock: office hours in Rome, the night route otherwise', async () => {
  let now = Date.parse('2026-12-01T10:00:00Z'); // Tuesday 11:00 in Rome
  const h = await configuredHermod(
    {
      users: [{ username: 'shop', password: 'pw', balance: 10, rate: 0.01 }],
      connectors: [sim('day'), sim('night')],
      routes: [
        {
          name: 'office',
          countries: ['IT'],
          timeWindow: { hours: '08:00-20:00', days: ['mon-fri'], timeZone: 'Europe/Rome' },
          type: 'static',
          connectors: ['day'],
        },
        { name: 'night', type: 'static', connectors: ['night'] },
      ],
    },
    { now: () => now },
  );
  try {
    await until('bound', () => [...h.connectors.values()].every((c) => c.ready));
    const c = new SmppClient({
      host: '127.0.0.1',
      port: h.smppPort,
      systemId: 'shop',
      password: 'pw',
      reconnect: false,
    });
    await c.connect();
    const connectorOf = async () =>
      (
        await h.store.getMessage(
          (await c.submitSm({ destinationAddr: '393331234567', shortMessage: Buffer.from('hi') })).messageId,
        )
      )?.connectorId;
    assert.equal(await connectorOf(), 'day');
    now = Date.parse('2026-12-01T19:30:00Z'); // 20:30 in Rome
    assert.equal(await connectorOf(), 'night');
    now = Date.parse('2026-12-05T10:00:00Z'); // Saturday
    assert.equal(await connectorOf(), 'night');
    now = Date.parse('2026-12-07T07:00:00Z'); // Monday 08:00
    assert.equal(await connectorOf(), 'day');
    await until(
      'all sent',
      () =>
        (h.connectors.get('day') as SimulatorConnector).simulator.stats.submits === 2 &&
        (h.connectors.get('night') as SimulatorConnector).simulator.stats.submits === 2,
    );
    await c.close();
  } finally {
    await h.stop();
  }
});

test('MO routing by filter: keyword to one customer, the rest to another, a joined long MO by its whole text, a webhook route', async () => {
  const h = await configuredHermod({
    users: [
      { username: 'club', password: 'pw', balance: 1, rate: 0 },
      { username: 'shop', password: 'pw', balance: 1, rate: 0 },
    ],
    connectors: [sim('sim')],
    routes: [{ name: 'default', type: 'static', connectors: ['sim'] }],
    moRoutes: [
      { name: 'join', prefixes: ['12345'], contentRegex: '/^join\\b/i', user: 'club' },
      {
        name: 'uk-hook',
        prefixes: ['12345'],
        sourceRegex: '^44',
        url: 'https://hooks.example/mo',
        method: 'POST',
      },
      { name: 'shop', prefixes: ['12345'], originConnectors: ['sim'], user: 'shop' },
    ],
  });
  try {
    const smsc = (h.connectors.get('sim') as SimulatorConnector).simulator;
    await until('bound upstream', () => h.connectors.get('sim')!.ready);
    const webhooks: [InboundMessage, { url: string; method: string }][] = [];
    h.gateway.on('mo_webhook', (mo: InboundMessage, target: { url: string; method: string }) =>
      webhooks.push([mo, target]),
    );
    const inbox = async (user: string) => {
      const got: string[] = [];
      const c = new SmppClient({
        host: '127.0.0.1',
        port: h.smppPort,
        systemId: user,
        password: 'pw',
        reconnect: false,
      });
      c.on('deliver_sm', (pdu: Pdu, respond: () => void) => {
        const d = pdu as Extract<Pdu, { command: 'deliver_sm' }>;
        got.push(decodeText(d.shortMessage.length ? d.shortMessage : d.tlvs.messagePayload!, d.dataCoding));
        respond();
      });
      await c.connect();
      return { c, got };
    };
    const club = await inbox('club');
    const shop = await inbox('shop');

    smsc.sendMo('hermod', { from: '393331234567', to: '12345', text: 'JOIN football' });
    smsc.sendMo('hermod', { from: '393331234567', to: '12345', text: 'where is my order?' });
    // A long MO: only the joined text starts with "join"; its later parts alone do not.
    const long = 'join ' + 'the club, please, with my whole family and friends. '.repeat(5);
    assert.ok(smsc.sendMo('hermod', { from: '393339999999', to: '12345', text: long }) > 1);
    smsc.sendMo('hermod', { from: '447700900123', to: '12345', text: 'hello from London' });
    smsc.sendMo('hermod', { from: '393331234567', to: '55555', text: 'nobody routes this' });

    await until('club and shop received theirs', () => club.got.length === 2 && shop.got.length === 1);
    assert.deepEqual(club.got.sort(), ['JOIN football', long].sort());
    assert.deepEqual(shop.got, ['where is my order?']);
    await until('webhook decided', () => webhooks.length === 1);
    assert.equal(webhooks[0][0].source, '447700900123');
    assert.deepEqual(webhooks[0][1], { url: 'https://hooks.example/mo', method: 'POST' });
    assert.equal(webhooks[0][0].routedTo, null, 'not for a bind');

    await until('all five stored', async () => (await h.store.listMo(10)).length === 5);
    const stored = await h.store.listMo(10);
    assert.equal(
      stored.find((m) => m.destination === '55555')?.routedTo,
      null,
      'an unrouted MO is stored, visible',
    );
    assert.deepEqual(stored.filter((m) => m.routedTo === 'club').length, 2);
    await club.c.close();
    await shop.c.close();
  } finally {
    await h.stop();
  }
});

test('loop guard: a connector pointed back at Hermod neither bounces MTs nor MOs', async () => {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hermod-test-'));
  const config = parseConfig(
    {
      server: { host: '127.0.0.1', smppPort: port },
      users: [
        { username: 'shop', password: 'pw', balance: 10, rate: 0.01 },
        { username: 'partner', password: 'pw', balance: 10, rate: 0.01 },
      ],
      connectors: [
        sim('sim'),
        { id: 'loop', type: 'smpp', host: '127.0.0.1', port, systemId: 'partner', password: 'pw' },
      ],
      routes: [
        { name: 'to-partner', prefixes: ['39'], type: 'static', connectors: ['loop'] },
        { name: 'default', type: 'static', connectors: ['sim'] },
      ],
      moRoutes: [
        { name: 'partner', prefixes: ['777'], user: 'partner' },
        { name: 'shop', user: 'shop' },
      ],
    },
    // Ephemeral HTTP ports: tests run side by side and must never need 1401 or 8080.
    { HERMOD_DATA_DIR: dataDir, HERMOD_HTTP_PORT: '0', HERMOD_API_PORT: '0' },
    'test',
  );
  const h = await startHermod(config);
  try {
    await until(
      'both connectors bound (loop to ourselves)',
      () => [...h.connectors.values()].every((c) => c.ready),
      15_000,
    );
    const shop = (await h.store.getUserByName('shop'))!;
    const partner = (await h.store.getUserByName('partner'))!;

    // MT: shop → loop connector → back in as partner, whose traffic may not leave through
    // a connector to ourselves: refused at our door, so the original fails (no bounce).
    const id = await h.gateway.submit(shop, {
      systemId: 'shop',
      source: 'S',
      destination: '393331234567',
      esmClass: 0,
      dataCoding: 0,
      body: Buffer.from('loop?'),
      registeredDelivery: 0,
    });
    await until('the looping MT fails', async () => (await h.store.getMessage(id))?.state === 'failed');
    assert.equal(await h.store.getBalance(partner.id), 10_000_000, 'nothing accepted from the loop');
    assert.equal(await h.store.getBalance(shop.id), 10_000_000, 'refunded');
    const q = await h.gateway.quote({ user: partner, destination: '393331234567' }).catch((e: unknown) => e);
    assert.ok(
      q instanceof RejectedError && q.code === 'HERMOD_ERR_NO_ROUTE' && /loop guard/.test(q.message),
      'partner (our own connector) cannot route into the loop',
    );
    assert.equal(
      (await h.gateway.quote({ user: partner, destination: '4915112345678' })).route,
      'default',
      'elsewhere is fine',
    );

    // MO: to partner's bind = our loop connector, which hands it back to us; the loop guard
    // routes it on (to shop) instead of back to partner (which would go round forever).
    (h.connectors.get('sim') as SimulatorConnector).simulator.sendMo('hermod', {
      from: '393331234567',
      to: '777',
      text: 'ping',
    });
    await until('the MO came back once and went to shop', async () =>
      (await h.store.listMo(10)).some((m) => m.connectorId === 'loop'),
    );
    const mos = await h.store.listMo(10);
    assert.deepEqual(mos.map((m) => [m.connectorId, m.routedTo]).sort(), [
      ['loop', 'shop'],
      ['sim', 'partner'],
    ]);
  } finally {
    await h.stop();
  }
});
