// The services the interfaces use instead of the store (src/gateway/views.ts): options
// objects in, the store's positional calls out, and ownership checked where a customer asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceServices } from '../../src/gateway/index.js';
import type { Store } from '../../src/store/store.js';
import type { StoredMessage } from '../../src/domain/index.js';

function recorder(answers: Record<string, unknown> = {}) {
  const calls: unknown[][] = [];
  const store = new Proxy(
    {},
    {
      get:
        (_t, name: string) =>
        async (...args: unknown[]) => {
          calls.push([name, ...args]);
          return answers[name];
        },
    },
  );
  return { store: store as Store, calls };
}

test('a customer sees its own messages only', async () => {
  const mine = { id: 'm1', userId: 7 } as StoredMessage;
  const { store } = recorder({ getMessage: mine });
  const s = interfaceServices(store);
  assert.equal(await s.messages.ofUser(7, 'm1'), mine);
  assert.equal(await s.messages.ofUser(8, 'm1'), undefined);
});

test('options objects become the store calls', async () => {
  const { store, calls } = recorder();
  const s = interfaceServices(store);
  await s.accounts.topUp({ userId: 1, balanceMicros: 5 });
  await s.accounts.setSmsQuota({ userId: 1, smsCount: null });
  await s.apiKeys.add({ userId: 1, keyHash: 'h', label: 'ci' });
  await s.apiKeys.revoke({ userId: 1, id: 3 });
  await s.idempotency.begin({ userId: 1, key: 'k', bodyHash: 'b', ttlMs: 10, staleMs: 5 });
  await s.idempotency.finish({ userId: 1, key: 'k', status: 202, response: '{}' });
  await s.idempotency.abandon({ userId: 1, key: 'k' });
  await s.inbound.list({ routedTo: 'acme', limit: 51 });
  await s.optOuts.set({ msisdn: '447700900123', sender: 'Shop', optedOut: true });
  await s.optOuts.has({ msisdn: '447700900123', sender: 'Shop' });
  await s.webhooks.pending({ limit: 100 });
  await s.messages.queueDepth();
  await s.messages.queueDepth('c1');
  assert.deepEqual(calls, [
    ['topUp', 1, { balanceMicros: 5 }],
    ['setSmsQuota', 1, null],
    ['addApiKey', 1, 'h', 'ci'],
    ['revokeApiKey', 1, 3],
    ['beginIdempotent', { userId: 1, key: 'k', bodyHash: 'b', ttlMs: 10, staleMs: 5 }],
    ['finishIdempotent', { userId: 1, key: 'k', status: 202, response: '{}' }],
    ['abandonIdempotent', 1, 'k'],
    ['listMo', 51, { routedTo: 'acme' }],
    ['setOptOut', '447700900123', 'Shop', true],
    ['isOptedOut', '447700900123', 'Shop'],
    ['listPendingWebhooks', 100],
    ['queueDepth'],
    ['queueDepth', 'c1'],
  ]);
});
