import { randomBytes } from 'node:crypto';

const B32 = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A message id: 10 characters of millisecond time then 16 random characters (Crockford
 * base32, lower case), so ids sort by creation time and never collide across nodes.
 */
export function newMessageId(now = Date.now()): string {
  let t = now;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = B32[t % 32] + time;
    t = Math.floor(t / 32);
  }
  if (poolAt + 10 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += 10;
  let rand = '';
  for (let i = 0; i < 16; i++) rand += B32[(pool[at + Math.floor((i * 5) / 8)] >> ((i * 5) % 8)) & 31];
  return time + rand;
}

// Random bytes drawn from the CSPRNG in blocks: one call per 400 ids instead of one per id.
const POOL_BYTES = 4000;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** The millisecond a message id was made at (undefined for an id not made by newMessageId). */
export function messageIdTime(id: string): number | undefined {
  if (id.length !== 26) return undefined;
  let t = 0;
  for (let i = 0; i < 10; i++) {
    const v = B32.indexOf(id[i]!);
    if (v < 0) return undefined;
    t = t * 32 + v;
  }
  return t;
}
