import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidates, costOf, matchRoute, type RouteDef } from '../../src/gateway/index.js';

const route = (r: Partial<RouteDef>): RouteDef => ({ name: 'r', prefixes: [], type: 'static', connectors: ['a'], costs: {}, ...r });

test('routes match in order, first prefix match wins, an empty prefix list catches the rest', () => {
  const routes = [route({ name: 'it', prefixes: ['39'] }), route({ name: 'uk-mobile', prefixes: ['447'] }), route({ name: 'default' })];
  assert.equal(matchRoute(routes, '393331234567')?.name, 'it');
  assert.equal(matchRoute(routes, '447700900123')?.name, 'uk-mobile');
  assert.equal(matchRoute(routes, '33612345678')?.name, 'default');
  assert.equal(matchRoute(routes.slice(0, 2), '33612345678'), undefined);
});

test('failover: healthy connectors first, in order; back to the primary when it recovers', () => {
  const r = route({ type: 'failover', connectors: ['primary', 'backup', 'last'] });
  assert.deepEqual(candidates(r, '44', () => true), ['primary', 'backup', 'last']);
  assert.deepEqual(candidates(r, '44', (c) => c !== 'primary'), ['backup', 'last', 'primary']);
  assert.deepEqual(candidates(r, '44', () => false), ['primary', 'backup', 'last']);
});

test('least cost: cheapest by longest matching prefix; unknown prefixes cost infinity', () => {
  const r = route({ type: 'leastcost', connectors: ['a', 'b', 'c'], costs: { a: { '44': 0.03, '447': 0.01 }, b: { '44': 0.02 }, c: {} } });
  assert.equal(costOf(r.costs.a, '447700900123'), 0.01);
  assert.equal(costOf(r.costs.a, '442071234567'), 0.03);
  assert.deepEqual(candidates(r, '447700900123', () => true), ['a', 'b', 'c']);
  assert.deepEqual(candidates(r, '442071234567', () => true), ['b', 'a', 'c']);
  assert.deepEqual(candidates(r, '447700900123', (c) => c !== 'a'), ['b', 'c', 'a'], 'the cheapest healthy one');
});

test('round robin rotates', () => {
  const r = route({ type: 'roundrobin', connectors: ['a', 'b', 'c'] });
  assert.deepEqual([0, 1, 2, 3].map((t) => candidates(r, '1', () => true, t)[0]), ['a', 'b', 'c', 'a']);
});
