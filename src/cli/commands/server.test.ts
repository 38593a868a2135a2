import { describe, expect, it } from 'vitest';
import { CliUserError } from '../exit.js';
import { parseFailbackAfter } from './server.js';

describe('--failback-after', () => {
  it.each([
    ['5s', 5000],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1500ms', 1500],
    ['0.5s', 500],
  ])('%s → %i ms', (v, ms) => expect(parseFailbackAfter(v)).toBe(ms));

  it.each([['0s'], ['soon'], ['5'], ['-5s'], ['5 s'], [''], ['5w']])('%j is refused with the expected form', (v) => {
    expect(() => parseFailbackAfter(v)).toThrow(CliUserError);
    expect(() => parseFailbackAfter(v)).toThrow(`invalid --failback-after "${v}": expected a positive duration such as 5s, 30s or 2m`);
  });
});
