// `hermod connectors set|show|remove` and `hermod routes set` against a running Hermod (the
// admin API's runtime connector and route changes), with and without --json. Beside
// admin-cli.test.ts rather than in it: that file is near the runner's per-file time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoHermod } from '../support/hermod.js';
import { hermod, json, ok } from '../support/cli.js';

test('hermod connectors set/show/remove and routes set against a running Hermod: from files and flags, refusals naming the key, with and without --json', async () => {
  const h = await demoHermod();
  const url = `http://127.0.0.1:${h.apiPort}`;
  const api = (...args: string[]) => hermod([...args, '--url', url]);
  const dir = mkdtempSync(join(tmpdir(), 'hermod-defs-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  try {
    const conn = file('conn.yaml', 'type: simulator\nlatencyMs: { min: 0, max: 0 }\n');
    // Independent of each other: run two at a time.
    const [created, viaFlags, show, notRoutes] = await Promise.all([
      api('connectors', 'set', 'sim2', '--file', conn),
      api(
        'connectors',
        'set',
        'up',
        '--type',
        'smpp',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--system-id',
        'hermod',
      ),
      api('connectors', 'show', 'sim'),
      api('routes', 'set', '--file', file('none.yaml', 'hello: 1\n')),
    ]);
    assert.match(ok(created, 'connectors set --file').stdout, /^sim2: created \(\w+\)$/m);
    assert.ok(h.gateway.getConnector('sim2'), 'running in the gateway');
    assert.equal(viaFlags.code, 1);
    assert.match(
      viaFlags.stderr,
      /connector\.port: expected an integer 1\.\.65535, got 0 \(HERMOD_ERR_INVALID_DEFINITION\)/,
    );
    assert.equal(h.gateway.getConnector('up'), undefined);
    const shown = ok(show, 'connectors show').stdout;
    assert.match(shown, /^source\s+config$/m);
    assert.match(shown, /^definition\s+\{"id":"sim","type":"simulator"/m);
    assert.equal(notRoutes.code, 2);
    assert.match(notRoutes.stderr, /expected a list of routes or a mapping with routes:/);
    // An http connector: its endpoint from a flag, the rest from the file.
    const http = file(
      'http.yaml',
      'type: http\nparams: { to: "{to}", text: "{text}" }\nmessageId: { json: id }\n',
    );
    assert.match(
      ok(
        await api('connectors', 'set', 'prov', '--file', http, '--endpoint', 'https://sms.example/send'),
        'connectors set http',
      ).stdout,
      /^prov: created \(bound\)$/m,
    );
    assert.equal(h.gateway.getConnector('prov')?.status().remote, 'sms.example');
    // A second set replaces.
    const replaced = json<{ id: string; source: string; definition: { throttle?: number } }>(
      ok(await api('connectors', 'set', 'sim2', '--file', conn, '--json'), 'connectors set --json'),
    );
    assert.deepEqual([replaced.id, replaced.source], ['sim2', 'api']);

    const routes = file(
      'routes.yaml',
      'routes:\n  - { name: fr, prefixes: ["33"], connectors: [sim2] }\n  - { name: default, connectors: [sim] }\n',
    );
    const set = ok(await api('routes', 'set', '--file', routes), 'routes set').stdout;
    assert.match(set, /^2 routes set:$/m);
    assert.match(set, /^1\s+fr\s+static\s+33\s+sim2\s+-$/m);
    assert.deepEqual(
      h.gateway.routes().map((r) => r.name),
      ['fr', 'default'],
    );
    const bad = await api(
      'routes',
      'set',
      '--file',
      file(
        'bad.json',
        '[{"name":"x","prefixes":["1"],"connectors":["nope"]},{"name":"d","connectors":["sim"]}]',
      ),
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /routes\[0\]\.connectors\[0\]: unknown connector "nope"/);

    const inUse = await api('connectors', 'remove', 'sim2');
    assert.equal(inUse.code, 1);
    assert.match(
      inUse.stderr,
      /connector "sim2" cannot be removed: route "fr" names it \(HERMOD_ERR_CONNECTOR_IN_USE\)/,
    );
    const back = json<{ routes: { name: string }[] }>(
      ok(
        await api(
          'routes',
          'set',
          '--file',
          file('routes.json', '[{"name":"default","connectors":["sim"]}]'),
          '--json',
        ),
        'routes set --json',
      ),
    );
    assert.deepEqual(
      back.routes.map((r) => r.name),
      ['default'],
    );
    assert.deepEqual(
      json(ok(await api('connectors', 'remove', 'sim2', '--json'), 'connectors remove --json')),
      { id: 'sim2', removed: true },
    );
    assert.equal(h.gateway.getConnector('sim2'), undefined);
    assert.match(
      (await api('connectors', 'remove', 'sim2')).stderr,
      /no connector "sim2" \(HERMOD_ERR_UNKNOWN_CONNECTOR\)/,
    );
  } finally {
    await h.stop();
  }
});
