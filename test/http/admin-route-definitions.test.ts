// GET /v1/admin/routes shows each route's definition in the file's form (what PUT takes), so
// a console can reorder or edit the list and send it back whole without losing a key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoHermod } from '../support/hermod.js';
import { DEMO_ADMIN_KEY } from '../../src/config/index.js';

test('admin API: GET /routes definitions, reordered and PUT back, keep every key', async (t) => {
  const h = await demoHermod();
  t.after(() => h.stop());
  const headers = { authorization: `Bearer ${DEMO_ADMIN_KEY}` };
  const routes = [
    {
      name: 'uk-office',
      type: 'failover',
      prefixes: ['44'],
      connectors: ['sim'],
      rate: 0.05,
      timeWindow: { hours: '08:00-20:00', days: ['mon', 'tue'], timeZone: 'Europe/London' },
    },
    { name: 'uk-mobile', type: 'static', prefixes: ['447'], connectors: ['sim'], sources: ['Shop'] },
    { name: 'default', type: 'static', connectors: ['sim'] },
  ];
  const put = await h.api.inject({ method: 'PUT', url: '/v1/admin/routes', headers, payload: { routes } });
  assert.equal(put.statusCode, 200, put.body);
  const defs = put.json().routes.map((r: { definition: Record<string, unknown> }) => r.definition);
  assert.deepEqual(defs[0].timeWindow, routes[0].timeWindow);
  assert.equal(defs[0].rate, 0.05);
  assert.deepEqual(defs[1].sources, ['Shop']);
  const swapped = await h.api.inject({
    method: 'PUT',
    url: '/v1/admin/routes',
    headers,
    payload: { routes: [defs[1], defs[0], defs[2]] },
  });
  assert.equal(swapped.statusCode, 200, swapped.body);
  const again = (await h.api.inject({ method: 'GET', url: '/v1/admin/routes', headers })).json().routes;
  assert.deepEqual(
    again.map((r: { position: number; name: string }) => [r.position, r.name]),
    [
      [1, 'uk-mobile'],
      [2, 'uk-office'],
      [3, 'default'],
    ],
  );
  assert.deepEqual(again[1].definition, defs[0]);
  assert.deepEqual(again[0].definition, defs[1]);
});
