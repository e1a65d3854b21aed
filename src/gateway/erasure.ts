/**
 * Erasure of a number on request (GDPR art. 17; docs/operations.md, "Erasure"): the store
 * removes or masks it everywhere and keeps its opt-outs under a keyed hash; the record (who,
 * when, how many rows, the hash, never the number) is written in the store's `erasures`
 * table and handed to the recorder, where the operators' audit log can take it.
 */
import type { ErasureResult, Store } from '../store/index.js';

export interface ErasureRecord extends ErasureResult {
  actor: string;
  userId: number | undefined;
  at: number;
}

/** Where an erasure is recorded besides the store's own table (the audit log, once wired). */
export interface ErasureRecorder {
  erased(r: ErasureRecord): void | Promise<void>;
}

export class Erasures {
  constructor(
    private readonly store: Pick<Store, 'erase'>,
    private readonly recorder?: ErasureRecorder,
    private readonly now: () => number = Date.now,
  ) {}

  /** Erases `msisdn` (normalised, no "+") everywhere, or only in account `userId`'s data. */
  async erase(o: { msisdn: string; userId?: number; actor: string }): Promise<ErasureRecord> {
    const at = this.now();
    const r = await this.store.erase({ msisdn: o.msisdn, userId: o.userId, actor: o.actor, now: at });
    const record = { ...r, actor: o.actor, userId: o.userId, at };
    await this.recorder?.erased(record);
    return record;
  }
}
