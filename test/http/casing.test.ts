// REST v1's convention, guarded: every key of a /v1 request or answer is snake_case (the admin
// API, /v1/admin, is camelCase). Walks the OpenAPI document, which the routes' schemas make.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { snakeCase, snakeFieldOf, snakeKeys, snakeSchema } from '../../src/http/casing.js';

const SNAKE = /^[a-z0-9]+(_[a-z0-9]+)*$/;

/** Every property name, required name and query/path parameter name under a node, with where. */
function names(node: unknown, at: string, out: [string, string][]): [string, string][] {
  if (Array.isArray(node)) {
    node.forEach((n, i) => names(n, `${at}[${i}]`, out));
    return out;
  }
  if (node === null || typeof node !== 'object') return out;
  const o = node as Record<string, unknown>;
  if (typeof o.in === 'string' && o.in !== 'header' && typeof o.name === 'string')
    out.push([o.name, `${at} (${o.in})`]);
  for (const [k, v] of Object.entries(o)) {
    if (k === 'properties' && v !== null && typeof v === 'object')
      for (const p of Object.keys(v)) out.push([p, `${at}.properties`]);
    if (k === 'required' && Array.isArray(v)) for (const p of v) out.push([String(p), `${at}.required`]);
    names(v, `${at}.${k}`, out);
  }
  return out;
}

test('REST v1: every property and parameter name in the OpenAPI document is snake_case (not /v1/admin)', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const doc = (await h.api.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const v1 = Object.keys(doc.paths).filter((p) => p.startsWith('/v1/') && !p.startsWith('/v1/admin'));
  // The engine's resources and the session are all there.
  for (const p of [
    '/v1/contacts',
    '/v1/campaigns',
    '/v1/session',
    '/v1/members',
    '/v1/reports',
    '/v1/ledger',
  ])
    assert.ok(v1.includes(p), `${p} is documented`);
  const found: [string, string][] = [];
  for (const p of v1)
    for (const [method, op] of Object.entries(doc.paths[p])) names(op, `${method.toUpperCase()} ${p}`, found);
  assert.ok(found.length > 300, `${found.length} names walked`);
  assert.ok(found.some(([n]) => n === 'must_change_password'));
  assert.ok(found.some(([n]) => n === 'next_cursor'));
  const camel = found.filter(([n]) => !SNAKE.test(n)).map(([n, where]) => `${n} at ${where}`);
  assert.deepEqual(camel, []);
});

test('casing helpers: snake_case names, keys, schemas and the field a problem names', () => {
  assert.equal(snakeCase('mustChangePassword'), 'must_change_password');
  assert.equal(snakeCase('p95DeliveryMs'), 'p95_delivery_ms');
  assert.equal(snakeCase('GB'), 'GB');
  assert.equal(snakeCase('already_snake'), 'already_snake');
  assert.deepEqual(snakeKeys({ lowSince: null, user: { displayName: 'A' }, list: [{ messageId: 'x' }] }), {
    low_since: null,
    user: { display_name: 'A' },
    list: [{ message_id: 'x' }],
  });
  assert.deepEqual(
    snakeSchema({ type: 'object', required: ['groupBy'], properties: { groupBy: { type: 'string' } } }),
    { type: 'object', required: ['group_by'], properties: { group_by: { type: 'string' } } },
  );
  assert.equal(snakeFieldOf('scheduleAt: at most 366 days ahead'), 'schedule_at: at most 366 days ahead');
  assert.equal(snakeFieldOf('quietHours.from: expected HH:MM'), 'quiet_hours.from: expected HH:MM');
  assert.equal(snakeFieldOf('audience.excludeGroups[2]: no group'), 'audience.exclude_groups[2]: no group');
  assert.equal(snakeFieldOf('mapping.fields.myKey: no column'), 'mapping.fields.myKey: no column');
  assert.equal(snakeFieldOf('no template 4'), 'no template 4');
});
