import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { stickinessScorer } from './stickiness.js';

describe('stickiness scorer', () => {
  it('scores the clusters already running the workload 100', () => {
    const a = cc('a', {}, 0);
    const b = cc('b', {}, 1);
    const ctx = { feasible: [a, b], current: new Map([[0, 3]]) };
    expect(stickinessScorer().score(cw(), a, ctx)).toBe(100);
    expect(stickinessScorer().score(cw(), b, ctx)).toBe(0);
  });
});
