/**
 * The account rules a submission must pass before it is priced and stored (Jasmin's "mt
 * authorization", "mt valuefilter" and "mt defaultvalue"; research/anchors-features.md
 * §1.11). Pure: the caller gives the user, its group and the clock. A message that breaks a
 * rule is refused with the precise reason, never silently changed; the only change made is
 * the documented one: an empty source takes the account's default source address.
 */
import { decodeText, parseUdh } from '../smpp/index.js';
import type { Group, MessageMeta, User } from '../domain/index.js';
import { reject } from './errors.js';

/** What the rules look at: the request as the customer sent it, destination normalised. */
export interface Submission {
  source: string;
  /** E.164 digits (after normalisation). */
  destination: string;
  esmClass: number;
  dataCoding: number;
  body: Buffer;
  priority: number;
  meta: MessageMeta;
  /** Arguments the customer gave explicitly (see SubmitRequest.given). */
  given?: GivenArguments;
}

/**
 * What an interface can tell the customer gave, where a rule forbids giving it rather than
 * the value it stands for (Jasmin's HttpAPICredentialValidator looks at the request's
 * arguments): `dlr-level` and `dlr-method` as opposed to their defaults, and content given
 * as `hex-content`, whatever its data_coding.
 */
export interface GivenArguments {
  dlrLevel?: boolean;
  dlrMethod?: boolean;
  hexContent?: boolean;
}

/** data_coding values that carry binary (hex) content: SMPP 3.4 §5.2.19 0x02 / 0x04, TS 23.038 8-bit classes. */
export function isBinaryCoding(dc: number): boolean {
  return dc === 0x02 || dc === 0x04 || (dc & 0xf4) === 0xf4;
}

/**
 * SMS parts a body needs. A part the customer concatenated itself (UDH with a concat
 * element) is one part of a long message; otherwise by length: 160 septets (one octet each
 * in short_message) or 140 octets fit one SMS, 153 / 134 per part of a long one.
 */
export function partsOf(s: Pick<Submission, 'esmClass' | 'dataCoding' | 'body'>): {
  parts: number;
  concatenated: boolean;
} {
  if (s.esmClass & 0x40) {
    const udh = parseUdh(s.body);
    if (udh?.concat && udh.concat.total > 1) return { parts: 1, concatenated: true };
  }
  const septets = s.dataCoding === 0x00 || s.dataCoding === 0x01;
  const single = septets ? 160 : 140;
  const per = septets ? 153 : 134;
  const n = s.body.length <= single ? 1 : Math.ceil(s.body.length / per);
  return { parts: n, concatenated: false };
}

/**
 * A body flagged with a UDH (esm_class 0x40) is sent as it is: Hermod does not split what the
 * customer already framed, so it must fit one SMS (140 octets on the air, TS 23.040 §9.2.3.24)
 * or be refused. It is charged one part because it is one part (issue 13 item 4: a 30,000-octet
 * message_payload flagged 0x40 was charged one part and sent upstream whole). In the GSM 7-bit
 * codings short_message carries one octet per septet: the header's octets and the text's
 * septets together must pack into 140 octets (a 6-octet header leaves 153 septets).
 */
function udhFitsOnePart(s: Pick<Submission, 'esmClass' | 'dataCoding' | 'body'>): void {
  if (!(s.esmClass & 0x40)) return;
  const udh = parseUdh(s.body);
  if (!udh) {
    if (s.body.length > 140) throw reject.tooLong(`a body flagged with a UDH must fit one part (140 octets)`);
    return;
  }
  const septets = s.dataCoding === 0x00 || s.dataCoding === 0x01;
  const room = septets ? Math.floor(((140 - udh.headerLength) * 8) / 7) : 140 - udh.headerLength;
  if (udh.body.length > room)
    throw reject.tooLong(
      `a body flagged with a UDH (esm_class 0x40) is sent as one part: ${udh.body.length} ${septets ? 'septets' : 'octets'} after a ${udh.headerLength}-octet header, ${room} at most`,
    );
}

const compiled = new Map<string, RegExp>();
function matches(pattern: string, value: string): boolean {
  if (pattern === '.*') return true;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re.test(value);
}

function contentText(s: Submission): string {
  let body = s.body;
  if (s.esmClass & 0x40) body = parseUdh(body)?.body ?? body;
  if (isBinaryCoding(s.dataCoding)) return Buffer.from(body).toString('hex');
  try {
    return decodeText(Buffer.from(body), s.dataCoding);
  } catch {
    return Buffer.from(body).toString('hex');
  }
}

/**
 * Checks a submission against the user's and group's state, authorizations and value
 * filters. Returns the source address to use and the SMS parts it takes from the quota.
 * Throws RejectedError.
 */
export function checkSubmission(
  user: User,
  group: Group | undefined,
  s: Submission,
  now: number,
): { source: string; parts: number } {
  if (!user.enabled) throw reject.userDisabled();
  if (group && !group.enabled) throw reject.groupDisabled(group.id);
  const { authorizations: auth, valueFilters: vf, defaults } = user.settings;
  const origin = s.meta.origin;
  if (origin === 'smpp' && !auth.smppsSend) throw reject.forbidden.interface('SMPP');
  if ((origin === 'http' || origin === 'rest') && !auth.httpSend) throw reject.forbidden.interface('HTTP');

  // The source: chosen by the customer (when allowed), else the account's default.
  let source = s.source;
  if (source === '') source = defaults.sourceAddr ?? '';
  else if (!auth.sourceAddr && source !== defaults.sourceAddr) throw reject.forbidden.source(source);
  else if (!matches(vf.sourceAddr, source)) throw reject.filter.source(source, vf.sourceAddr);

  if (!matches(vf.destinationAddr, s.destination))
    throw reject.filter.destination(s.destination, vf.destinationAddr);

  udhFitsOnePart(s);
  const { parts, concatenated } = partsOf(s);
  if ((parts > 1 || concatenated) && !auth.longContent)
    throw reject.forbidden.longContent(concatenated ? 2 : parts);
  if (!auth.hexContent) {
    if (s.given?.hexContent) throw reject.forbidden.hexContent('hex-content');
    if (isBinaryCoding(s.dataCoding)) throw reject.forbidden.hexContent(s.dataCoding);
  }
  if (vf.content !== '.*' && !matches(vf.content, contentText(s))) throw reject.filter.content(vf.content);

  if (!Number.isInteger(s.priority) || s.priority < 0 || s.priority > 3)
    throw reject.invalidPriority(s.priority);
  if (s.priority > 0 && !auth.priority) throw reject.forbidden.priority(s.priority);
  if (!matches(vf.priority, String(s.priority))) throw reject.filter.priority(s.priority, vf.priority);

  // Jasmin's set_dlr_level and http_set_dlr_method forbid giving the argument: dlr=yes with a
  // dlr-url alone gets the default level and method.
  if (s.given?.dlrLevel && !auth.dlrLevel) throw reject.forbidden.dlrLevel();
  if (s.given?.dlrMethod && !auth.dlrMethod) throw reject.forbidden.dlrMethod();

  const { scheduleAt, validUntil } = s.meta;
  if (scheduleAt !== undefined) {
    if (!auth.schedule) throw reject.forbidden.schedule();
    if (!Number.isFinite(scheduleAt)) throw reject.invalidSchedule('scheduled delivery time is not a time');
  }
  if (validUntil !== undefined) {
    if (!auth.validityPeriod) throw reject.forbidden.validity();
    if (!Number.isFinite(validUntil)) throw reject.invalidValidity('validity period is not a time');
    if (validUntil <= now) throw reject.invalidValidity('the validity period has already ended');
    if (scheduleAt !== undefined && validUntil <= scheduleAt)
      throw reject.invalidValidity('the validity period ends before the scheduled delivery time');
    const minutes = Math.ceil((validUntil - Math.max(now, scheduleAt ?? now)) / 60_000);
    if (!matches(vf.validityPeriod, String(minutes)))
      throw reject.filter.validity(minutes, vf.validityPeriod);
  }
  return { source, parts };
}

/**
 * A cluster-wide rate handed out in shares (the `Cluster` service): this node's part of a rate,
 * in proportion to the demand each node reports on its heartbeat. Answered from memory.
 */
export interface RateShares {
  share(key: string, rate: number): number;
  setDemand(key: string, perS: number): void;
}

/** The demand key of a customer's throughput on one interface (`customer:smpp:<user>`). */
export const customerRateKey = (kind: 'http' | 'smpp', username: string): string =>
  `customer:${kind}:${username}`;

/**
 * A token bucket whose rate and burst (a second's worth) follow this node's share: a burst
 * left at an earlier, larger share would let a node that paused spend more than its part.
 */
class ShareBucket {
  private tokens: number;
  private last = Date.now();
  private burst: number;

  constructor(private rate: number) {
    this.burst = Math.max(1, Math.ceil(rate));
    this.tokens = this.burst;
  }

  set(rate: number): void {
    this.refill();
    this.rate = rate;
    this.burst = Math.max(1, Math.ceil(rate));
    this.tokens = Math.min(this.tokens, this.burst);
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}

/**
 * Per-account throughput limits, one token bucket per user and interface. With `shares` (a
 * cluster on PostgreSQL) the limit is cluster-wide: each node's bucket runs at its share of the
 * rate, re-read every `periodMs`, and the rate offered here (throttled requests included) is
 * reported as the demand the next shares are cut by.
 */
export class Throttles {
  private readonly buckets = new Map<string, { bucket: ShareBucket; rate: number; offered: number }>();
  private lastLook = Date.now();

  constructor(
    private readonly shares?: RateShares,
    private readonly periodMs = 1000,
  ) {
    // A node whose traffic stopped must stop claiming its share: demand is re-reported even
    // when nothing arrives (unref'd: it never keeps the process up).
    if (shares) setInterval(() => this.look(), periodMs).unref();
  }

  /** Takes one token for `user` on `kind`, or throws RejectedError (HERMOD_ERR_THROTTLED). */
  check(user: User, kind: 'http' | 'smpp'): void {
    const rate = user.settings.throughput[kind];
    const key = customerRateKey(kind, user.username);
    if (rate === null) {
      if (this.buckets.delete(key)) this.shares?.setDemand(key, 0);
      return;
    }
    this.look();
    let b = this.buckets.get(key);
    if (!b || b.rate !== rate) {
      const mine = this.shares ? this.shares.share(key, rate) : rate;
      // Bursts of up to one second's worth, then `rate` per second.
      b = { bucket: new ShareBucket(mine), rate, offered: b?.offered ?? 0 };
      this.buckets.set(key, b);
    }
    b.offered++;
    if (!b.bucket.tryTake()) throw reject.throttled(kind, rate);
  }

  /** Once a period: the offered rates go out as demand, and each bucket takes its new share. */
  private look(): void {
    const shares = this.shares;
    const now = Date.now();
    if (!shares || now - this.lastLook < this.periodMs) return;
    const seconds = (now - this.lastLook) / 1000;
    this.lastLook = now;
    for (const [key, b] of this.buckets) {
      shares.setDemand(key, b.offered / seconds);
      b.offered = 0;
      b.bucket.set(shares.share(key, b.rate));
    }
  }
}
