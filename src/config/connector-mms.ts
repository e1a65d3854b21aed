/**
 * `mmsMaxBytes` of an MMS-capable connector (`mm7`, `telnyx`, `twilio`, `simulator` with
 * `mms: true`; docs/mms.md "Per-connector caps"): the total media bytes of one MMS it takes.
 * Absent: the gateway-wide `media.maxMessageBytes` (applied when the connector is built).
 */
import type { Checker, Obj } from './checker.js';

/** The largest cap a connector may declare (as `media.maxMessageBytes`): 100 MiB. */
export const MMS_MAX_BYTES_LIMIT = 100 * 2 ** 20;

/** `<p>.mmsMaxBytes`: a whole number of bytes, 1 … 100 MiB; undefined when absent or wrong (reported). */
export function mmsMaxBytesOf(c: Checker, o: Obj, p: string): number | undefined {
  if (o.mmsMaxBytes === undefined) return undefined;
  return c.num(o, 'mmsMaxBytes', p, { min: 1, max: MMS_MAX_BYTES_LIMIT, int: true });
}
