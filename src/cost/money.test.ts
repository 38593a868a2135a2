import { describe, expect, it } from 'vitest';
import { formatUsd } from './money.js';

describe('formatUsd', () => {
  it('shows cents, and two significant digits under a cent so small amounts never read $0.00', () => {
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.01)).toBe('$0.01');
    expect(formatUsd(0.001)).toBe('$0.001');
    expect(formatUsd(0.0012345)).toBe('$0.0012');
    expect(formatUsd(-0.0005)).toBe('-$0.0005');
  });
});
