import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { costScorer } from './cost.js';

describe('cost scorer', () => {
  it('scores the cheapest feasible cluster 100 and a twice as dear one 50', () => {
    const cheap = cc('cheap', { cpuHour: 0.02, memHour: 0.002 }, 0);
    const dear = cc('dear', { cpuHour: 0.04, memHour: 0.004 }, 1);
    const s = costScorer();
    const ctx = { feasible: [cheap, dear] };
    expect(s.score(cw(), cheap, ctx)).toBe(100);
    expect(s.score(cw(), dear, ctx)).toBe(50);
  });
});
