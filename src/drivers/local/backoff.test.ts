import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, DEFAULT_BACKOFF, nextCrashCount } from './backoff.js';

describe('backoff', () => {
  it('doubles from 100 ms and caps at 10 s', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, DEFAULT_BACKOFF))).toEqual([100, 200, 400, 800, 1600]);
    expect(backoffDelay(8, DEFAULT_BACKOFF)).toBe(10_000);
    expect(backoffDelay(10_000, DEFAULT_BACKOFF)).toBe(10_000);
  });

  it('never decreases while crashes continue and never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (n) => {
        const a = backoffDelay(n, DEFAULT_BACKOFF);
        const b = backoffDelay(n + 1, DEFAULT_BACKOFF);
        return b >= a && b <= DEFAULT_BACKOFF.maxMs && a >= DEFAULT_BACKOFF.initialMs;
      }),
    );
  });

  it('resets after a healthy run of 10 s', () => {
    expect(nextCrashCount(6, 50, DEFAULT_BACKOFF)).toBe(7);
    expect(nextCrashCount(6, 10_000, DEFAULT_BACKOFF)).toBe(1);
  });
});
