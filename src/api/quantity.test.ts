import { describe, expect, it } from 'vitest';
import { formatBytes, formatCpu, MAX_QUANTITY, parseQuantity } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1.5', 1.5],
    ['2', 2],
    ['512Mi', 512 * 2 ** 20],
    ['4Gi', 4 * 2 ** 30],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1k', 1000],
    ['1M', 1e6],
    ['.5', 0.5],
    ['100n', 100e-9],
  ])('%s → %d', (input, expected) => {
    const r = parseQuantity(input);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toBeCloseTo(expected, 12);
  });

  it('accepts plain numbers', () => {
    expect(parseQuantity(3)).toEqual({ ok: true, value: 3 });
  });

  it.each(['', 'abc', '1.2.3', '4GB', '4 Gi', '--1', '1Zi', 'm'])('rejects %j with an example in the message', (input) => {
    const r = parseQuantity(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/valid quantity|must be/);
  });

  it('rejects non-strings and non-finite numbers', () => {
    expect(parseQuantity(true).ok).toBe(false);
    expect(parseQuantity(Number.POSITIVE_INFINITY).ok).toBe(false);
    expect(parseQuantity('1e400').ok).toBe(false);
  });

  it('refuses magnitudes past 2^53 - 1 in the base unit, naming the maximum', () => {
    for (const q of ['99999999999999999999Ei', '8Ei', '1e16', -1e300, 1e300, '-9E']) {
      const r = parseQuantity(q);
      expect(r.ok, String(q)).toBe(false);
      if (!r.ok) expect(r.error).toContain(`out of range: a quantity must be at most ${MAX_QUANTITY}`);
    }
    expect(parseQuantity('7Pi')).toEqual({ ok: true, value: 7 * 2 ** 50 });
    expect(parseQuantity(MAX_QUANTITY)).toEqual({ ok: true, value: MAX_QUANTITY });
  });
});

describe('format', () => {
  it('formats cpu like kubectl', () => {
    expect(formatCpu(2)).toBe('2');
    expect(formatCpu(0.25)).toBe('250m');
  });
  it('formats bytes with binary suffixes', () => {
    expect(formatBytes(4 * 2 ** 30)).toBe('4Gi');
    expect(formatBytes(1.5 * 2 ** 20)).toBe('1.5Mi');
    expect(formatBytes(100)).toBe('100');
  });
});
