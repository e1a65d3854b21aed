// The customer outbox as the SMPP server sees it (src/gateway/outbox.ts): typed notices,
// acknowledged or retried with a back-off, over a fake store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Outbox,
  noticeOf,
  retryDelayMs,
  type CustomerMo,
  type CustomerReceipt,
} from '../../src/gateway/index.js';
import type { OutboxItem, Store } from '../../src/store/store.js';

const receipt: CustomerReceipt = {
  messageId: 'm1',
  source: 'Shop',
  destination: '447700900123',
  state: 'delivered',
  stat: 'DELIVRD',
  err: '000',
  submitDate: 1,
  doneDate: 2,
};
const mo: CustomerMo = {
  kind: 'mo',
  id: 'i1',
  source: '447700900123',
  destination: '12345',
  dataCoding: 0,
  body: Buffer.from('STOP').toString('base64'),
  complete: true,
};
const item = (id: number, payload: object, attempts = 0): OutboxItem => ({
  id,
  systemId: 'acme',
  messageId: 'm1',
  payload: JSON.stringify(payload),
  attempts,
});

function fakeStore(items: OutboxItem[]) {
  const calls: string[] = [];
  const store = {
    claimOutbox: async (systemId: string, limit: number, leaseMs: number) => {
      calls.push(`claim ${systemId} ${limit} ${leaseMs}`);
      return items;
    },
    ackOutbox: async (id: number) => void calls.push(`ack ${id}`),
    retryOutbox: async (id: number, delayMs: number) => void calls.push(`retry ${id} ${delayMs}`),
  };
  return { store: store as unknown as Store, calls };
}

test('a receipt and an MO come out as typed notices', () => {
  assert.deepEqual(noticeOf(item(1, receipt)), { kind: 'receipt', id: 1, attempts: 0, receipt });
  assert.deepEqual(noticeOf(item(2, mo, 3)), { kind: 'mo', id: 2, attempts: 3, mo });
});

test('claim leases a batch; delivered acknowledges; failed retries after the back-off', async () => {
  const { store, calls } = fakeStore([item(1, receipt), item(2, mo, 2)]);
  const outbox = new Outbox(store, { batch: 10, leaseMs: 5000 });
  const notices = await outbox.claim('acme');
  assert.deepEqual(
    notices.map((n) => n.kind),
    ['receipt', 'mo'],
  );
  await outbox.delivered(notices[0]);
  await outbox.failed(notices[1]);
  assert.deepEqual(calls, ['claim acme 10 5000', 'ack 1', 'retry 2 4000']);
});

test('the retry delay doubles from a second up to a minute', () => {
  assert.deepEqual(
    [0, 1, 2, 5, 6, 7, 20].map(retryDelayMs),
    [1000, 2000, 4000, 32_000, 60_000, 60_000, 60_000],
  );
});
