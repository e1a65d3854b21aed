/**
 * The store contract's `resendAsSms` cases (docs/mms.md, "Fallback after a refusal"), run on
 * every store by storeContract (test/store/contract.ts).
 */
import assert from 'node:assert/strict';
import { newMediaId, newMessageId, type NewMessage } from '../../src/domain/index.js';
import type { FinalNotice, SmsResend, Store } from '../../src/store/index.js';
import { newMessage } from './fixtures.js';

type WithStore = (title: string, fn: (s: Store) => Promise<void>) => void;

const picture = { id: newMediaId(), contentType: 'image/png', size: 68 };

/** An MMS as accept stores one: one charge, its media in meta. */
const mms = (userId: number, extra: Partial<NewMessage> = {}): NewMessage =>
  newMessage(userId, {
    body: Buffer.from('look'),
    connectorId: 'mmsc',
    priceMicros: 40_000,
    meta: { origin: 'rest', media: [picture], subject: 'Hi', segments: 1, campaign: 'spring' },
    ...extra,
  });

const resend = (id: string, extra: Partial<SmsResend> = {}): SmsResend => ({
  id,
  connectorId: 'sms',
  body: Buffer.from('Hi\nlook\nhttps://media.example/m'),
  dataCoding: 0,
  esmClass: 0,
  meta: { origin: 'rest', subject: 'Hi', fallback: 'sms_link', linkedMedia: [picture], segments: 2 },
  priceMicros: 20_000,
  segments: 2,
  detail: 'MMS refused by mmsc (MM7 2004 Multimedia content refused): re-sent as an SMS with 1 media link(s)',
  ...extra,
});

const noNotice: FinalNotice = () => undefined;

export function mmsResendContract(withStore: WithStore): void {
  withStore(
    'resendAsSms: a refused MMS goes out as an SMS under its id, refunded as MMS and charged as SMS, its history saying so',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 10_000,
        smsCount: 5,
      });
      const m = mms(u.id);
      assert.deepEqual(await s.accept(m), { ok: true });
      await s.getMessage(m.id); // read once: a store that caches it must not serve the old copy after
      const [claimed] = await s.claim('mmsc', 10, 60_000); // the dispatcher holds its lease when it refuses
      assert.equal(claimed.message.id, m.id);
      assert.equal(await s.resendAsSms(resend(m.id)), 'resent');

      const got = (await s.getMessage(m.id))!;
      assert.equal(got.state, 'queued');
      assert.equal(got.connectorId, 'sms');
      assert.equal(got.priceMicros, 20_000);
      assert.equal(got.body.toString(), 'Hi\nlook\nhttps://media.example/m');
      assert.equal(got.meta.media, undefined, 'no longer an MMS');
      assert.equal(got.meta.fallback, 'sms_link');
      assert.deepEqual(got.meta.linkedMedia, [picture]);
      assert.equal(got.meta.segments, 2);
      const last = (await s.history(m.id)).at(-1)!;
      assert.equal(last.state, 'queued');
      assert.match(last.detail ?? '', /MM7 2004 .*re-sent as an SMS with 1 media link/);

      assert.equal(await s.getBalance(u.id), 80_000, 'down by the SMS price only');
      assert.equal((await s.getUser(u.id))!.smsCount, 3, 'the quota: 5 − 1 (MMS) + 1 − 2 (SMS)');
      const ledger = (await s.listLedger({ userId: u.id, limit: 10 }))
        .filter((e) => e.messageId !== null)
        .reverse();
      assert.deepEqual(
        ledger.map((e) => [e.kind, e.amountMicros, e.balanceMicros, e.sms, e.messageId, e.campaign]),
        [
          ['charge', -40_000, 60_000, -1, m.id, 'spring'],
          ['refund', 40_000, 100_000, 1, m.id, 'spring'],
          ['charge', -20_000, 80_000, -2, m.id, 'spring'],
        ],
      );
      assert.match(ledger[1].note ?? '', /MM7 2004/);

      // Due now on the SMS connector, its lease freed, its attempts counted afresh.
      assert.equal(await s.queueDepth('mmsc'), 0);
      assert.equal(await s.queueDepth('sms'), 1);
      const [again] = await s.claim('sms', 10, 60_000);
      assert.equal(again.message.id, m.id);
      assert.equal(again.attempts, 1);
      assert.equal(again.message.body.toString(), 'Hi\nlook\nhttps://media.example/m');
    },
  );

  withStore(
    'resendAsSms: too late once a part was accepted upstream, once final, or for no such message',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 200_000,
        rateMicros: 0,
      });
      const sent = mms(u.id);
      await s.accept(sent);
      await s.markPartSent({
        id: sent.id,
        seq: 1,
        total: 1,
        connectorId: 'mmsc',
        upstreamId: 'mm7-1',
        keys: ['mmsc:mm7-1'],
      });
      assert.equal(await s.resendAsSms(resend(sent.id)), 'too_late');
      const failed = mms(u.id);
      await s.accept(failed);
      await s.failUnsent({ id: failed.id, total: 1, detail: 'refused', refund: true, notice: noNotice });
      assert.equal(await s.resendAsSms(resend(failed.id)), 'too_late');
      assert.equal(await s.resendAsSms(resend(newMessageId())), 'too_late');
      assert.equal((await s.getMessage(sent.id))!.priceMicros, 40_000, 'untouched');
      assert.equal(await s.getBalance(u.id), 200_000 - 40_000 - 40_000 + 40_000);
    },
  );

  withStore(
    'resendAsSms: a balance or quota too low for the SMS changes nothing (insufficient)',
    async (s) => {
      const u = await s.upsertUser({
        username: 'shop',
        passwordHash: 'x',
        balanceMicros: 40_000,
        rateMicros: 0,
      });
      const m = mms(u.id);
      await s.accept(m);
      assert.equal(await s.resendAsSms(resend(m.id, { priceMicros: 40_001 })), 'insufficient');
      const q = await s.upsertUser({
        username: 'quota',
        passwordHash: 'x',
        balanceMicros: 100_000,
        rateMicros: 0,
        smsCount: 2,
      });
      const n = mms(q.id);
      await s.accept(n);
      assert.equal(await s.resendAsSms(resend(n.id, { segments: 3 })), 'insufficient');
      assert.equal(await s.getBalance(u.id), 0);
      assert.equal((await s.getUser(q.id))!.smsCount, 1);
      assert.deepEqual(
        (await s.listLedger({ userId: u.id, limit: 10 }))
          .filter((e) => e.messageId !== null)
          .map((e) => e.kind),
        ['charge'],
        'only the MMS charge',
      );
      const got = (await s.getMessage(m.id))!;
      assert.equal(got.connectorId, 'mmsc');
      assert.deepEqual(got.meta.media, [picture], 'still the MMS');
      assert.equal(await s.queueDepth('mmsc'), 2);
      // The price the resend would have fitted exactly: resent.
      assert.equal(await s.resendAsSms(resend(m.id, { priceMicros: 40_000 })), 'resent');
      assert.equal(await s.getBalance(u.id), 0);
    },
  );
}
