// The cluster's timings (config `cluster`, HERMOD_CLUSTER_HEARTBEAT_MS / _DEAD_AFTER_MS):
// defaults, the environment over the file, and refusals naming the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/index.js';

test('cluster: defaults 2000 / 10000 ms, the file, then the environment over it', () => {
  assert.deepEqual(parseConfig({}).cluster, { heartbeatMs: 2000, deadAfterMs: 10_000 });
  assert.deepEqual(parseConfig({ cluster: { heartbeatMs: 500, deadAfterMs: 3000 } }).cluster, {
    heartbeatMs: 500,
    deadAfterMs: 3000,
  });
  assert.deepEqual(
    parseConfig(
      { cluster: { heartbeatMs: 500, deadAfterMs: 3000 } },
      { HERMOD_CLUSTER_HEARTBEAT_MS: '1000', HERMOD_CLUSTER_DEAD_AFTER_MS: '6000' },
    ).cluster,
    { heartbeatMs: 1000, deadAfterMs: 6000 },
  );
});

test('cluster: a dead-after under three heartbeats, a bad number and an unknown key are refused by name', () => {
  const issues = (doc: unknown, env: Record<string, string> = {}) => {
    try {
      parseConfig(doc, env);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
    return assert.fail('accepted');
  };
  assert.match(
    issues({ cluster: { heartbeatMs: 2000, deadAfterMs: 5000 } })[0],
    /^cluster\.deadAfterMs: must be at least 3 × heartbeatMs \(6000\)/,
  );
  assert.match(
    issues({}, { HERMOD_CLUSTER_HEARTBEAT_MS: 'fast' })[0],
    /^HERMOD_CLUSTER_HEARTBEAT_MS: expected a number/,
  );
  assert.match(
    issues({ cluster: { heartbeatMs: 10 } })[0],
    /^cluster\.heartbeatMs: expected an integer 100\.\.60000/,
  );
  assert.match(issues({ cluster: { beat: 1 } })[0], /^cluster\.beat: unknown key/);
});
