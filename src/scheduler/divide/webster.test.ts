import { describe, expect, it } from 'vitest';
import { websterDivide } from './webster.js';

describe('websterDivide (Karmada staticWeightList semantics)', () => {
  it.each([
    [12, [3, 2, 1], [6, 4, 2]],
    [13, [3, 2, 1], [7, 4, 2]],
    [14, [3, 2, 1], [7, 5, 2]],
    [5, [170, 110, 60], [2, 2, 1]],
    [2, [2, 1], [1, 1]],
    [0, [2, 1], [0, 0]],
  ])('%i replicas at %j → %j', (n, w, want) => {
    expect(websterDivide(n, w)).toEqual(want);
  });

  it('treats no weights as equal weights', () => {
    expect(websterDivide(12, [])).toEqual([]);
    expect(websterDivide(7, [0, 0, 0])).toEqual([3, 2, 2]);
    expect(websterDivide(9, [1, 1, 1])).toEqual([3, 3, 3]);
  });

  it('conserves replicas', () => {
    for (let n = 0; n < 50; n++) expect(websterDivide(n, [5, 3, 3, 1]).reduce((a, b) => a + b, 0)).toBe(n);
  });
});
