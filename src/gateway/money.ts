/**
 * Money in the core: the rate cards the accept door prices with (held in memory per account,
 * refreshed on change and after `ttlMs`), the price precedence, the low-balance webhook, and
 * the service the interfaces use for the ledger, rate cards, the low-balance setting and the
 * reports (docs/engine/money-and-reports.md).
 */
import { DEFAULT_MMS_PRICE_FACTOR, newMessageId, type User } from '../domain/index.js';
import { countryOfCached } from '../domain/country-cache.js';
import { formatMicros } from '../domain/money.js';
import type {
  LedgerEntry,
  LedgerQuery,
  LowBalanceCrossing,
  LowBalanceNotice,
  MoneyState,
  RateCardEntry,
  ReportCounts,
  ReportQuery,
} from '../store/money.js';
import type { NewWebhook, Store } from '../store/store.js';
import { DEFAULT_WEBHOOK_RETENTION_MS } from './webhook-items.js';

/** An account's rate card by country; undefined when it has none. */
export type Card = ReadonlyMap<string, RateCardEntry> | undefined;

/** Rate cards read once per account and kept for `ttlMs` (other nodes' changes show after it). */
export class RateCards {
  private readonly cards = new Map<number, { value: Promise<Card>; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs: () => number,
  ) {}

  of(userId: number): Promise<Card> {
    const now = Date.now();
    const hit = this.cards.get(userId);
    if (hit && hit.until > now) return hit.value;
    const value = this.store
      .getRateCard(userId)
      .then((rows) => (rows.length === 0 ? undefined : new Map(rows.map((r) => [r.country, r]))));
    if (this.cards.size > 10_000) this.cards.clear();
    this.cards.set(userId, { value, until: now + this.ttlMs() });
    value.catch(() => this.cards.delete(userId));
    return value;
  }

  /** After a change on this node: the next message reads the store. */
  forget(userId?: number): void {
    if (userId === undefined) this.cards.clear();
    else this.cards.delete(userId);
  }
}

/** Where a price per part comes from. */
export type PriceFrom = 'card' | 'route' | 'user';

/**
 * The price per part of an SMS (micro-units): the account's rate card for the destination's
 * country, else the route's rate, else the account's flat rate. The card comes first because
 * it is the price agreed with this customer; a route's rate is the operator's default for a
 * destination, shared by every account without a card entry. The country is looked up only
 * when the account has a card.
 */
export function smsPrice(
  card: Card,
  destination: string,
  routeRate: number | undefined,
  user: Pick<User, 'rateMicros'>,
): { micros: number; from: PriceFrom } {
  if (card) {
    const country = countryOfCached(destination);
    const entry = country === undefined ? undefined : card.get(country);
    if (entry) return { micros: entry.smsMicros, from: 'card' };
  }
  if (routeRate !== undefined) return { micros: Math.round(routeRate * 1_000_000), from: 'route' };
  return { micros: user.rateMicros, from: 'user' };
}

/**
 * The price of one MMS (micro-units; an MMS is charged once, whatever its size): the
 * account's rate card MMS column for the destination's country, else the route's `mmsRate`,
 * else `factor` (default 4, DEFAULT_MMS_PRICE_FACTOR) times the SMS price smsPrice gives.
 */
export function mmsPrice(
  card: Card,
  destination: string,
  route: { rate?: number; mmsRate?: number } | undefined,
  user: Pick<User, 'rateMicros'>,
  factor = DEFAULT_MMS_PRICE_FACTOR,
): { micros: number; from: PriceFrom } {
  if (card) {
    const country = countryOfCached(destination);
    const entry = country === undefined ? undefined : card.get(country);
    if (entry && entry.mmsMicros !== null) return { micros: entry.mmsMicros, from: 'card' };
  }
  if (route?.mmsRate !== undefined) return { micros: Math.round(route.mmsRate * 1_000_000), from: 'route' };
  const sms = smsPrice(card, destination, route?.rate, user);
  return { micros: Math.round(sms.micros * factor), from: sms.from };
}

/**
 * The `balance.low` REST event of a crossing (pure: the store writes it in the accept's
 * transaction), signed with the account's secret as the message events are. None without a URL.
 */
export function lowBalanceNotice(retentionMs = DEFAULT_WEBHOOK_RETENTION_MS): LowBalanceNotice {
  return (c: LowBalanceCrossing): NewWebhook[] => {
    if (!c.url) return [];
    const eventId = newMessageId();
    return [
      {
        eventId,
        kind: 'rest',
        // One account's balance events in order, apart from any message's.
        messageId: `balance:${c.username}`,
        owner: c.username,
        url: c.url,
        method: 'POST',
        body: JSON.stringify({
          id: eventId,
          event_type: 'balance.low',
          occurred_at: new Date(c.at).toISOString(),
          payload: {
            account: c.username,
            balance: formatMicros(c.balanceMicros),
            threshold: formatMicros(c.thresholdMicros),
            message_id: c.messageId,
          },
        }),
        expiresAt: c.at + retentionMs,
      },
    ];
  };
}

/** The ledger, rate cards, low-balance setting and reports, for the interfaces. */
export class MoneyService {
  constructor(
    private readonly store: Store,
    private readonly rates: RateCards,
  ) {}

  ledger(q: LedgerQuery): Promise<LedgerEntry[]> {
    return this.store.listLedger(q);
  }

  state(userId: number): Promise<MoneyState | undefined> {
    return this.store.getMoneyState(userId);
  }

  setLowBalance(
    userId: number,
    s: { thresholdMicros: number | null; url: string | null },
  ): Promise<MoneyState | undefined> {
    return this.store.setLowBalance(userId, s);
  }

  rateCard(userId: number): Promise<RateCardEntry[]> {
    return this.store.getRateCard(userId);
  }

  /** Replaces the card; this node prices with it from the next message on. */
  async putRateCard(userId: number, entries: RateCardEntry[]): Promise<void> {
    await this.store.putRateCard(userId, entries);
    this.rates.forget(userId);
  }

  reports(q: ReportQuery): Promise<ReportCounts[]> {
    return this.store.queryReports(q);
  }
}
