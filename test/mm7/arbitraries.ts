// fast-check arbitraries for MM7 message values (test/mm7/*.test.ts).
import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import type {
  Attachment,
  Mm7Address,
  Mm7Content,
  Mm7Message,
  Mm7StatusValue,
  Recipients,
} from '../../src/mm7/index.js';
import { MM_STATUSES } from '../../src/mm7/index.js';

/**
 * Text an XML element can carry unchanged: no C0 controls (XML 1.0 forbids most; the parser
 * normalises CR), no surrounding white space (the parser trims element text), not empty.
 */
export const text = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 24 })
  .filter(
    (s) =>
      s.trim() === s &&
      s.length > 0 &&
      ![...s].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f' || c === '\ufffe' || c === '\uffff'),
  );

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/);

export const address: fc.Arbitrary<Mm7Address> = fc.oneof(
  fc.stringMatching(/^\+?[1-9][0-9]{4,14}$/).map((value) => ({ kind: 'number' as const, value })),
  fc.stringMatching(/^[0-9]{3,8}$/).map((value) => ({ kind: 'shortCode' as const, value })),
  fc.tuple(token, token).map(([a, b]) => ({ kind: 'email' as const, value: `${a}@${b}.example` })),
);

const addresses = (min: number) => fc.array(address, { minLength: min, maxLength: 3 });

export const recipients: fc.Arbitrary<Recipients> = fc.record(
  { to: addresses(1), cc: addresses(1), bcc: addresses(1) },
  { requiredKeys: ['to'] },
);

export const statusValue: fc.Arbitrary<Mm7StatusValue> = fc.record(
  { code: fc.integer({ min: 1000, max: 4999 }), text, details: text },
  { requiredKeys: ['code'] },
);

const MEDIA = [
  'image/jpeg',
  'image/png',
  'image/gif',
  'video/mp4',
  'audio/mpeg',
  'text/plain; charset=utf-8',
  'application/smil',
];

export const attachments: fc.Arbitrary<Attachment[]> = fc
  .uniqueArray(token, { minLength: 1, maxLength: 5 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record(
          {
            contentType: fc.constantFrom(...MEDIA),
            contentId: fc.constant(`${id}@test`),
            contentLocation: token,
            bytes: fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
          },
          { requiredKeys: ['contentType', 'contentId', 'bytes'] },
        ),
      ),
    ),
  );

export const content: fc.Arbitrary<Mm7Content> = attachments.chain((parts) =>
  fc.oneof(
    fc.constant({ parts }),
    fc.constantFrom(...parts.map((p) => p.contentId!)).map((start) => ({ parts, start })),
  ),
);

const head = { transactionId: text, version: fc.constantFrom('5.3.0', '6.8.0', '6.7.0') };
const priority = fc.constantFrom('Low' as const, 'Normal' as const, 'High' as const);

export const message: fc.Arbitrary<Mm7Message> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('SubmitReq' as const),
      ...head,
      vaspId: text,
      vasId: text,
      sender: address,
      recipients,
      serviceCode: text,
      linkedId: text,
      messageClass: fc.constantFrom('Personal', 'Informational', 'Advertisement'),
      timeStamp: text,
      earliestDeliveryTime: text,
      expiryDate: text,
      deliveryReport: fc.boolean(),
      readReply: fc.boolean(),
      priority,
      subject: text,
      distributionIndicator: fc.boolean(),
      content,
    },
    { requiredKeys: ['kind', 'transactionId', 'version', 'recipients'] },
  ),
  fc.record(
    { kind: fc.constant('SubmitRsp' as const), ...head, status: statusValue, messageId: text },
    { requiredKeys: ['kind', 'transactionId', 'version', 'status'] },
  ),
  fc.record(
    {
      kind: fc.constant('DeliverReq' as const),
      ...head,
      mmsRelayServerId: text,
      vaspId: text,
      vasId: text,
      linkedId: text,
      sender: address,
      recipients,
      timeStamp: text,
      replyChargingId: text,
      priority,
      subject: text,
      content,
    },
    { requiredKeys: ['kind', 'transactionId', 'version', 'sender'] },
  ),
  fc.record(
    { kind: fc.constant('DeliverRsp' as const), ...head, status: statusValue, serviceCode: text },
    { requiredKeys: ['kind', 'transactionId', 'version', 'status'] },
  ),
  fc.record(
    {
      kind: fc.constant('DeliveryReportReq' as const),
      ...head,
      mmsRelayServerId: text,
      messageId: text,
      recipient: address,
      sender: address,
      date: text,
      mmStatus: fc.constantFrom(...MM_STATUSES),
      statusText: text,
    },
    {
      requiredKeys: [
        'kind',
        'transactionId',
        'version',
        'messageId',
        'recipient',
        'sender',
        'date',
        'mmStatus',
      ],
    },
  ),
  fc.record({
    kind: fc.constantFrom('DeliveryReportRsp' as const, 'ReadReplyRsp' as const),
    ...head,
    status: statusValue,
  }),
  fc.record(
    {
      kind: fc.constant('ReadReplyReq' as const),
      ...head,
      mmsRelayServerId: text,
      messageId: text,
      recipient: address,
      sender: address,
      timeStamp: text,
      mmStatus: fc.constantFrom('Read' as const, 'Deleted' as const, 'Indeterminate' as const),
      statusText: text,
    },
    {
      requiredKeys: [
        'kind',
        'transactionId',
        'version',
        'messageId',
        'recipient',
        'sender',
        'timeStamp',
        'mmStatus',
      ],
    },
  ),
  fc.record({
    kind: fc.constantFrom('RSErrorRsp' as const, 'VASPErrorRsp' as const),
    ...head,
    status: statusValue,
    faultCode: fc.constantFrom('Client' as const, 'Server' as const),
    faultString: text,
  }),
);

/** A message with its attachments' bytes as Buffers, so deepEqual compares values, not classes. */
export function comparable(value: Mm7Message): Mm7Message {
  // structuredClone: plain prototypes (fast-check builds records without one).
  const m = structuredClone(value);
  if ((m.kind !== 'SubmitReq' && m.kind !== 'DeliverReq') || !m.content) return m;
  return {
    ...m,
    content: { ...m.content, parts: m.content.parts.map((p) => ({ ...p, bytes: Buffer.from(p.bytes) })) },
  };
}
