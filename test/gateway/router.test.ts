import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  candidates,
  costOf,
  inTimeWindow,
  localTime,
  matchMoRoute,
  matchRoute,
  weightedPick,
  type MoContext,
  type MoRouteDef,
  type RouteDef,
  type RoutingContext,
} from '../../src/gateway/index.js';

const route = (r: Partial<RouteDef>): RouteDef => ({
  name: 'r',
  prefixes: [],
  type: 'static',
  connectors: ['a'],
  costs: {},
  ...r,
});
const ctx = (c: Partial<RoutingContext>): RoutingContext => ({
  destination: '393331234567',
  source: 'Shop',
  user: 'shop',
  group: null,
  text: '',
  tags: [],
  now: 0,
  ...c,
});
const names = (routes: RouteDef[], c: RoutingContext) => matchRoute(routes, c)?.name;

// 2026-12-01 is a Tuesday; Rome is UTC+1 in winter, UTC+2 in summer.
const at = (iso: string) => Date.parse(iso);

test('routes match in order, first prefix match wins, an empty prefix list catches the rest', () => {
  const routes = [
    route({ name: 'it', prefixes: ['39'] }),
    route({ name: 'uk-mobile', prefixes: ['447'] }),
    route({ name: 'default' }),
  ];
  assert.equal(matchRoute(routes, '393331234567')?.name, 'it');
  assert.equal(matchRoute(routes, '447700900123')?.name, 'uk-mobile');
  assert.equal(matchRoute(routes, '33612345678')?.name, 'default');
  assert.equal(matchRoute(routes.slice(0, 2), '33612345678'), undefined);
});

test('destination regex', () => {
  const routes = [route({ name: 'tim', destinationRegex: '^39(33|34)\\d+$' }), route({ name: 'default' })];
  assert.equal(names(routes, ctx({ destination: '393331234567' })), 'tim');
  assert.equal(names(routes, ctx({ destination: '393471234567' })), 'tim');
  assert.equal(names(routes, ctx({ destination: '393201234567' })), 'default');
});

test('country of the destination (libphonenumber-js), shared calling codes told apart', () => {
  const routes = [
    route({ name: 'it', countries: ['IT'] }),
    route({ name: 'fr-de', countries: ['FR', 'DE'] }),
    route({ name: 'ca', countries: ['CA'] }),
    route({ name: 'gb', countries: ['GB'] }),
    route({ name: 'default' }),
  ];
  assert.equal(names(routes, ctx({ destination: '393331234567' })), 'it');
  assert.equal(names(routes, ctx({ destination: '33612345678' })), 'fr-de');
  assert.equal(names(routes, ctx({ destination: '4915112345678' })), 'fr-de');
  assert.equal(names(routes, ctx({ destination: '14165550123' })), 'ca', 'Toronto, +1 like the US');
  assert.equal(names(routes, ctx({ destination: '12025550123' })), 'default', 'Washington is US, not CA');
  assert.equal(
    names(routes, ctx({ destination: '447700900123' })),
    'gb',
    'an unassigned UK range still belongs to +44’s main country',
  );
  assert.equal(names(routes, ctx({ destination: '12345' })), 'default', 'a short code has no country');
});

test('source: exact list and regex', () => {
  const routes = [
    route({ name: 'brand', sources: ['ACME', '12345'] }),
    route({ name: 'numeric', sourceRegex: '^\\d+$' }),
    route({ name: 'default' }),
  ];
  assert.equal(names(routes, ctx({ source: 'ACME' })), 'brand');
  assert.equal(names(routes, ctx({ source: '12345' })), 'brand');
  assert.equal(names(routes, ctx({ source: 'acme' })), 'default', 'exact, case-sensitive');
  assert.equal(names(routes, ctx({ source: '447700900123' })), 'numeric');
});

test('user and group of the sending account; no group never matches a group filter', () => {
  const routes = [
    route({ name: 'vip-user', users: ['bank'] }),
    route({ name: 'vip-group', groups: ['premium'] }),
    route({ name: 'default' }),
  ];
  assert.equal(names(routes, ctx({ user: 'bank' })), 'vip-user');
  assert.equal(names(routes, ctx({ user: 'shop', group: 'premium' })), 'vip-group');
  assert.equal(names(routes, ctx({ user: 'shop', group: null })), 'default');
  assert.equal(names(routes, ctx({ user: null, group: null })), 'default', 'a price list without an account');
});

test('content regex on the decoded text, decoded only when a route needs it', () => {
  let decoded = 0;
  const text = () => {
    decoded++;
    return 'Your code is 123456';
  };
  const routes = [
    route({ name: 'otp', prefixes: ['44'], contentRegex: '\\bcode\\b.*\\d{6}' }),
    route({ name: 'it', prefixes: ['39'] }),
    route({ name: 'default' }),
  ];
  assert.equal(names(routes, ctx({ destination: '393331234567', text })), 'it');
  assert.equal(decoded, 0, 'the prefix failed first: no decoding');
  assert.equal(names(routes, ctx({ destination: '447700900123', text })), 'otp');
  assert.equal(decoded, 1);
  assert.equal(names(routes, ctx({ destination: '447700900123', text: 'Hello' })), 'default');
  assert.equal(
    names(
      [route({ name: 'ru', contentRegex: 'Привет' }), route({ name: 'default' })],
      ctx({ text: 'Привет, мир' }),
    ),
    'ru',
  );
});

test('tags: any of the route’s tags on the message', () => {
  const routes = [route({ name: 'promo', tags: ['marketing', 'promo'] }), route({ name: 'default' })];
  assert.equal(names(routes, ctx({ tags: ['promo'] })), 'promo');
  assert.equal(names(routes, ctx({ tags: ['otp', 'marketing'] })), 'promo');
  assert.equal(names(routes, ctx({ tags: ['otp'] })), 'default');
  assert.equal(names(routes, ctx({ tags: [] })), 'default');
});

test('time window in a time zone, with days of the week, wrapping midnight, across DST', () => {
  const office = { from: 8 * 60, to: 20 * 60, days: [1, 2, 3, 4, 5], timeZone: 'Europe/Rome' };
  assert.deepEqual(localTime(at('2026-12-01T07:00:00Z'), 'Europe/Rome'), { day: 2, minute: 8 * 60 });
  assert.equal(inTimeWindow(office, at('2026-12-01T06:59:00Z')), false, 'Tue 07:59 Rome');
  assert.equal(inTimeWindow(office, at('2026-12-01T07:00:00Z')), true, 'Tue 08:00 Rome');
  assert.equal(inTimeWindow(office, at('2026-12-01T18:59:00Z')), true, 'Tue 19:59 Rome');
  assert.equal(
    inTimeWindow(office, at('2026-12-01T19:00:00Z')),
    false,
    'Tue 20:00 Rome: the end is exclusive',
  );
  assert.equal(inTimeWindow(office, at('2026-12-05T10:00:00Z')), false, 'Saturday');
  assert.equal(
    inTimeWindow(office, at('2026-07-01T06:00:00Z')),
    true,
    'summer time: 08:00 Rome is 06:00 UTC',
  );
  assert.equal(inTimeWindow(office, at('2026-07-01T18:30:00Z')), false, 'summer time: 20:30 Rome');
  assert.equal(
    inTimeWindow({ from: 8 * 60, to: 20 * 60 }, at('2026-12-01T07:30:00Z')),
    false,
    'UTC by default: 07:30',
  );

  const fridayNight = { from: 22 * 60, to: 6 * 60, days: [5], timeZone: 'Europe/Rome' };
  assert.equal(inTimeWindow(fridayNight, at('2026-12-04T21:30:00Z')), true, 'Fri 22:30');
  assert.equal(
    inTimeWindow(fridayNight, at('2026-12-05T02:00:00Z')),
    true,
    'Sat 03:00 belongs to Friday night',
  );
  assert.equal(inTimeWindow(fridayNight, at('2026-12-05T05:00:00Z')), false, 'Sat 06:00');
  assert.equal(inTimeWindow(fridayNight, at('2026-12-05T21:30:00Z')), false, 'Sat 22:30 is Saturday night');
  assert.equal(
    inTimeWindow(fridayNight, at('2026-12-04T02:00:00Z')),
    false,
    'Fri 03:00 belongs to Thursday night',
  );

  const routes = [route({ name: 'day', prefixes: ['39'], timeWindow: office }), route({ name: 'night' })];
  assert.equal(names(routes, ctx({ now: at('2026-12-01T10:00:00Z') })), 'day');
  assert.equal(names(routes, ctx({ now: at('2026-12-01T22:00:00Z') })), 'night');
});

test('filters are ANDed; a route with no filters is the default and catches the rest', () => {
  const routes = [
    route({ name: 'it-promo', prefixes: ['39'], tags: ['promo'], sources: ['ACME'] }),
    route({ name: 'default' }),
  ];
  assert.equal(names(routes, ctx({ tags: ['promo'], source: 'ACME' })), 'it-promo');
  assert.equal(names(routes, ctx({ tags: ['promo'], source: 'Other' })), 'default');
  assert.equal(names(routes, ctx({ tags: [], source: 'ACME' })), 'default');
  assert.equal(
    names(routes, ctx({ destination: '33612345678', tags: ['promo'], source: 'ACME' })),
    'default',
  );
});

test('failover: healthy connectors first, in order; back to the primary when it recovers', () => {
  const r = route({ type: 'failover', connectors: ['primary', 'backup', 'last'] });
  assert.deepEqual(
    candidates(r, '44', () => true),
    ['primary', 'backup', 'last'],
  );
  assert.deepEqual(
    candidates(r, '44', (c) => c !== 'primary'),
    ['backup', 'last', 'primary'],
  );
  assert.deepEqual(
    candidates(r, '44', () => false),
    ['primary', 'backup', 'last'],
  );
});

test('least cost: cheapest by longest matching prefix; unknown prefixes cost infinity', () => {
  const r = route({
    type: 'leastcost',
    connectors: ['a', 'b', 'c'],
    costs: { a: { '44': 0.03, '447': 0.01 }, b: { '44': 0.02 }, c: {} },
  });
  assert.equal(costOf(r.costs.a, '447700900123'), 0.01);
  assert.equal(costOf(r.costs.a, '442071234567'), 0.03);
  assert.deepEqual(
    candidates(r, '447700900123', () => true),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    candidates(r, '442071234567', () => true),
    ['b', 'a', 'c'],
  );
  assert.deepEqual(
    candidates(r, '447700900123', (c) => c !== 'a'),
    ['b', 'c', 'a'],
    'the cheapest healthy one',
  );
});

test('round robin rotates', () => {
  const r = route({ type: 'roundrobin', connectors: ['a', 'b', 'c'] });
  assert.deepEqual(
    [0, 1, 2, 3].map((t) => candidates(r, '1', () => true, t)[0]),
    ['a', 'b', 'c', 'a'],
  );
});

test('weighted split: 70/30 and 50/30/20 within a message or two, in any run of turns', () => {
  const count = (cs: string[], w: Record<string, number>, from: number, n: number) => {
    const out: Record<string, number> = {};
    for (let t = from; t < from + n; t++)
      out[weightedPick(cs, w, t)] = (out[weightedPick(cs, w, t)] ?? 0) + 1;
    return out;
  };
  const c = count(['a', 'b'], { a: 70, b: 30 }, 0, 1000);
  assert.ok(Math.abs(c.a - 700) <= 3 && c.a + c.b === 1000, JSON.stringify(c));
  for (const start of [0, 137, 5000, 123_456]) {
    const run = count(['a', 'b'], { a: 70, b: 30 }, start, 100);
    assert.ok(Math.abs(run.a - 70) <= 3, `100 turns from ${start}: ${JSON.stringify(run)}`);
  }
  const three = count(['x', 'y', 'z'], { x: 50, y: 30, z: 20 }, 0, 10_000);
  assert.ok(
    Math.abs(three.x - 5000) <= 10 && Math.abs(three.y - 3000) <= 10 && Math.abs(three.z - 2000) <= 10,
    JSON.stringify(three),
  );
  assert.equal(count(['a', 'b'], { a: 1, b: 1 }, 0, 10).a, 5);

  const r = route({ type: 'weighted', connectors: ['a', 'b', 'c'], weights: { a: 60, b: 10, c: 30 } });
  const first = candidates(r, '39', () => true, 0)[0];
  assert.deepEqual(
    candidates(r, '39', () => true, 0),
    [first, ...['a', 'c', 'b'].filter((x) => x !== first)],
    'then the others by weight',
  );
  const down = Array.from({ length: 100 }, (_, t) => candidates(r, '39', (id) => id !== 'a', t)[0]);
  assert.ok(!down.includes('a'), 'an unhealthy connector gets no first tries');
});

const mo = (m: Partial<MoContext>): MoContext => ({
  source: '393331234567',
  destination: '12345',
  text: 'hello',
  connector: 'sim',
  now: 0,
  ...m,
});
const moName = (routes: MoRouteDef[], c: MoContext) => matchMoRoute(routes, c)?.name;

test('MO routes: destination prefix and regex, source, content, time window, origin connector; first match wins', () => {
  const routes: MoRouteDef[] = [
    { name: 'from-it-sim', prefixes: [], originConnectors: ['italy'], user: 'it' },
    { name: 'short', prefixes: ['12345'], contentRegex: '/^join\\b/i', user: 'club' },
    { name: 'vip', prefixes: [], sources: ['447700900123'], user: 'vip' },
    { name: 'uk', prefixes: [], sourceRegex: '^44', url: 'https://hooks.example/uk', method: 'GET' },
    {
      name: 'office',
      prefixes: ['5555'],
      timeWindow: { from: 9 * 60, to: 17 * 60, timeZone: 'Europe/London' },
      user: 'desk',
    },
    { name: 'long-numbers', prefixes: [], destinationRegex: '^\\d{11,}$', user: 'numbers' },
    { name: 'default', prefixes: [], url: 'https://hooks.example/all' },
  ];
  assert.equal(moName(routes, mo({ connector: 'italy' })), 'from-it-sim');
  assert.equal(moName(routes, mo({ text: 'JOIN now' })), 'short');
  assert.equal(moName(routes, mo({ text: 'join' })), 'short', '/…/i: case-insensitive');
  assert.equal(moName(routes, mo({ text: 'joinery' })), 'default');
  assert.equal(moName(routes, mo({ source: '447700900123' })), 'vip');
  assert.equal(moName(routes, mo({ source: '447700900999' })), 'uk');
  assert.equal(matchMoRoute(routes, mo({ source: '447700900999' }))?.method, 'GET');
  assert.equal(moName(routes, mo({ destination: '5555', now: at('2026-12-01T10:00:00Z') })), 'office');
  assert.equal(moName(routes, mo({ destination: '5555', now: at('2026-12-01T18:00:00Z') })), 'default');
  assert.equal(moName(routes, mo({ destination: '447860012345' })), 'long-numbers');
  assert.equal(
    matchMoRoute(routes.slice(1, 3), mo({})),
    undefined,
    'no route: the caller stores it unrouted',
  );
});

test('MO loop guard: a route back to the user the origin connector binds to us as is skipped', () => {
  const routes: MoRouteDef[] = [
    { name: 'to-partner', prefixes: ['12345'], user: 'partner' },
    { name: 'fallback', prefixes: [], user: 'shop' },
  ];
  assert.equal(moName(routes, mo({ connector: 'up' })), 'to-partner');
  assert.equal(
    moName(routes, mo({ connector: 'loop', originUser: 'partner' })),
    'fallback',
    'not back where it came from',
  );
  assert.equal(matchMoRoute(routes.slice(0, 1), mo({ connector: 'loop', originUser: 'partner' })), undefined);
});

test('MO routes: the sender’s country (libphonenumber-js), with or without a leading +; calling codes shared by several countries told apart', () => {
  const routes: MoRouteDef[] = [
    { name: 'uk-handsets', prefixes: ['12345'], countries: ['GB'], user: 'uk' },
    { name: 'canada', prefixes: [], countries: ['CA'], user: 'ca' },
    { name: 'default', prefixes: [], user: 'all' },
  ];
  assert.equal(moName(routes, mo({ source: '447700900123' })), 'uk-handsets');
  assert.equal(moName(routes, mo({ source: '+447700900123' })), 'uk-handsets');
  assert.equal(
    moName(routes, mo({ source: '447700900123', destination: '999' })),
    'default',
    'ANDed with the prefix',
  );
  assert.equal(moName(routes, mo({ source: '393331234567' })), 'default');
  assert.equal(moName(routes, mo({ source: '14165550123' })), 'canada', 'Toronto: +1, Canada');
  assert.equal(moName(routes, mo({ source: '12125550123' })), 'default', 'New York: +1, not Canada');
  assert.equal(
    moName(routes, mo({ source: 'Operator' })),
    'default',
    'an alphanumeric sender has no country',
  );
});
