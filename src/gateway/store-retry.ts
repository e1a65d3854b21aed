/**
 * A store write retried while the store is away (PostgreSQL restarting, a connection ended):
 * for writes whose loss would be wrong and whose redo is harmless, such as a part the SMSC
 * accepted or a receipt already taken from the parked ones. Back-off from 0.2 s doubling to
 * 5 s, about a minute in all, each failure reported; then the error is thrown.
 */
export interface StoreRetry {
  /** Stops retrying (the gateway is stopping). */
  running: () => boolean;
  /** Each failure retried (logged as a store error). */
  failed: (err: unknown) => void;
  /** How long to keep trying (default 60 s). */
  forMs?: number;
}

export async function whileStoreAway<T>(write: () => Promise<T>, o: StoreRetry): Promise<T> {
  for (let wait = 200, spent = 0; ; spent += wait, wait = Math.min(wait * 2, 5_000)) {
    try {
      return await write();
    } catch (err) {
      if (!o.running() || spent >= (o.forMs ?? 60_000)) throw err;
      o.failed(err);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
