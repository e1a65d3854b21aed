/** Users and groups as the store has them, reused for a short while (GatewayOptions.accountCacheMs). */
import type { Group, User } from '../domain/index.js';
import type { Store } from '../store/store.js';

interface Cached<T> {
  value: Promise<T | undefined>;
  until: number;
}

/** One cache of store reads by key: a failed read is forgotten, past 10,000 keys it starts over. */
class ReadCache<T> {
  private readonly hits = new Map<string, Cached<T>>();

  constructor(
    private readonly read: (key: string) => Promise<T | undefined>,
    private readonly ttlMs: () => number,
  ) {}

  get(key: string): Promise<T | undefined> {
    const now = Date.now();
    const hit = this.hits.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = this.read(key);
    if (this.hits.size > 10_000) this.hits.clear();
    this.hits.set(key, { value, until: now + this.ttlMs() });
    value.catch(() => this.hits.delete(key));
    return value;
  }

  clear(): void {
    this.hits.clear();
  }
}

export class AccountCache {
  private readonly users: ReadCache<User>;
  private readonly groups: ReadCache<Group>;

  constructor(store: Store, ttlMs: () => number) {
    this.users = new ReadCache((name) => store.getUserByName(name), ttlMs);
    this.groups = new ReadCache((id) => store.getGroup(id), ttlMs);
  }

  user(username: string): Promise<User | undefined> {
    return this.users.get(username);
  }

  group(id: string): Promise<Group | undefined> {
    return this.groups.get(id);
  }

  /** Forgets every cached read (after an admin change) so the next request reads the store. */
  clear(): void {
    this.users.clear();
    this.groups.clear();
  }
}
