// One connector and the route list validated outside a file (the admin API's path): the same
// rules and messages as the YAML loader, the bad key named, and the stored form read back equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  InvalidDefinitionError,
  connectorInput,
  parseConfig,
  redactConnector,
  routeInput,
  validateConnector,
  validateRoutes,
} from '../../src/config/index.js';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidDefinitionError || err instanceof ConfigError, String(err));
    assert.equal(
      err instanceof InvalidDefinitionError ? err.httpStatus : 0,
      err instanceof InvalidDefinitionError ? 400 : 0,
    );
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('no error');
}

test('a connector: defaults as in the file, the id from the path, and the same messages as the loader for the same mistakes', () => {
  const k = validateConnector(
    { type: 'smpp', host: '127.0.0.1', port: 2775, systemId: 'hermod', password: 'pw' },
    'up',
  );
  assert.equal(k.id, 'up');
  assert.equal(k.type, 'smpp');
  assert.equal(k.type === 'smpp' && k.window, 10);
  assert.deepEqual(
    validateConnector(JSON.parse(JSON.stringify(connectorInput(k))), 'up'),
    k,
    'the stored form validates back to the same definition',
  );
  const sim = validateConnector({ type: 'simulator', throttle: 5 }, 'sim');
  assert.deepEqual(validateConnector(JSON.parse(JSON.stringify(connectorInput(sim))), 'sim'), sim);
  assert.equal('password' in redactConnector(k), false, 'GET never shows the password');

  const bad = {
    type: 'smpp',
    host: '127.0.0.1',
    port: 0,
    systemId: 'hermod',
    password: 'far-too-long',
    windw: 5,
  };
  const api = problems(() => validateConnector(bad, 'up'));
  assert.deepEqual(api, [
    'connector.windw: unknown key (did you mean "window"?)',
    'connector.port: expected an integer 1..65535, got 0',
    'connector.password: at most 8 characters (SMPP 3.4 password field)',
  ]);
  const file = problems(() => parseConfig({ connectors: [{ id: 'up', ...bad }], routes: [] }));
  assert.deepEqual(
    file.slice(0, 3),
    api.map((s) => s.replace(/^connector\./, 'connectors[0].')),
    'the file and the API word it the same',
  );

  assert.deepEqual(
    problems(() => validateConnector({ id: 'other', type: 'simulator' }, 'up')),
    ['connector.id: "other" is not the id of the path ("up")'],
  );
  assert.deepEqual(
    problems(() => validateConnector({ type: 'ucp' }, 'up')),
    ['connector.type: expected one of simulator, smpp, http, mm7, telnyx, twilio, got "ucp"'],
  );
  assert.deepEqual(
    problems(() => validateConnector({ type: 'http' }, 'up')),
    [
      'connector.url: is required',
      'connector.messageId: is required: where the id is in the answer, { json: data.id } or { regex: "id=(\\w+)" }',
    ],
  );
  assert.deepEqual(
    problems(() => validateConnector('nope', 'up')),
    ['connector.type: expected one of simulator, smpp, http, mm7, telnyx, twilio, got nothing'],
  );
});

test('routes: unknown connectors and users, unreachable routes, a bad time window, each under its key; the stored form reads back equal', () => {
  const known = { connectors: ['a', 'b'], users: ['shop'] };
  assert.deepEqual(
    problems(() =>
      validateRoutes(
        [
          { name: 'it', prefixes: ['39'], connectors: ['c'], users: ['nobody'] },
          { name: 'all', connectors: ['a'] },
          { name: 'late', prefixes: ['44'], connectors: ['b'], timeWindow: { hours: '25:00-26:00' } },
        ],
        known,
      ),
    ),
    [
      'routes[0].users[0]: unknown user "nobody"',
      'routes[0].connectors[0]: unknown connector "c"',
      'routes[2].timeWindow.hours: expected "HH:MM-HH:MM" (24-hour clock, e.g. "08:00-20:00"), got "25:00-26:00"',
      'routes[2]: never used: routes[1] ("all") has no filters and catches every message first (put the default route last)',
    ],
  );
  assert.deepEqual(
    problems(() => validateRoutes({ name: 'x' }, known)),
    ['routes: expected a list, got {"name":"x"}'],
  );
  assert.deepEqual(
    problems(() => validateRoutes([], known)),
    ['routes: at least one route is needed to send anything'],
  );
  assert.deepEqual(validateRoutes([], { connectors: [] }), []);

  const routes = validateRoutes(
    [
      {
        name: 'night',
        prefixes: ['+39'],
        countries: ['it'],
        type: 'weighted',
        connectors: ['a', 'b'],
        weights: { a: 3, b: 1 },
        timeWindow: { hours: '22:00-24:00', days: ['mon-fri'], timeZone: 'Europe/Rome' },
        rate: 0.02,
      },
      {
        name: 'cheap',
        type: 'leastcost',
        connectors: ['a', 'b'],
        costs: { a: { '44': 0.01 }, b: { '44': 0.02 } },
      },
    ],
    known,
  );
  assert.deepEqual(routes[0].timeWindow, {
    from: 1320,
    to: 0,
    days: [1, 2, 3, 4, 5],
    timeZone: 'Europe/Rome',
  });
  const stored = JSON.parse(JSON.stringify(routes.map(routeInput))) as unknown;
  assert.deepEqual((stored as { timeWindow?: unknown }[])[0].timeWindow, {
    hours: '22:00-24:00',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    timeZone: 'Europe/Rome',
  });
  assert.deepEqual(
    validateRoutes(stored, known),
    routes,
    'what the store keeps validates back to the same routes',
  );
});
