/**
 * Reconnect and retry delays as a pure policy: exponential growth from `initialMs`
 * by `factor`, capped at `maxMs`, with "full jitter" (a random share of the delay)
 * so that many clients dropped together do not reconnect together.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** 0 = no jitter, 1 = delay uniformly in [0, d]. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

/** The delay before attempt `attempt` (0-based). `random` is injectable for tests. */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxMs, policy.initialMs * Math.pow(policy.factor, Math.max(0, attempt)));
  const spread = base * policy.jitter;
  return Math.round(base - spread + random() * spread);
}
