// Restart backoff for crashed replicas: exponential like the kubelet's CrashLoopBackOff, but
// with local-scale defaults (100 ms doubling to 10 s) so a crash heals in well under a second.

export interface BackoffOptions {
  /** Delay before the first restart. Default 100 ms. */
  initialMs: number;
  /** Upper bound of the delay. Default 10 s. */
  maxMs: number;
  /** A run at least this long counts as healthy and resets the backoff. Default 10 s. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 10_000, resetAfterMs: 10_000 };

/**
 * Delay before restart number `consecutiveCrashes` (1 = the first crash after a healthy run).
 * @example backoffDelay(1, DEFAULT_BACKOFF) // 100
 * @example backoffDelay(4, DEFAULT_BACKOFF) // 800
 */
export function backoffDelay(consecutiveCrashes: number, o: BackoffOptions): number {
  if (consecutiveCrashes <= 0) return 0;
  // Cap the exponent first: 2 ** 1000 is Infinity, and Infinity * 0 would be NaN.
  const exp = Math.min(consecutiveCrashes - 1, 40);
  return Math.min(o.maxMs, o.initialMs * 2 ** exp);
}

/** Consecutive-crash count after a run of `ranMs` ended in a crash. */
export function nextCrashCount(previous: number, ranMs: number, o: BackoffOptions): number {
  return ranMs >= o.resetAfterMs ? 1 : previous + 1;
}
