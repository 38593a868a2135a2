import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { spreadScorer } from './spread.js';

describe('spread scorer', () => {
  it('prefers a cluster that adds a new provider and region', () => {
    const a1 = cc('a1', {}, 0);
    const a2 = cc('a2', {}, 1);
    const g = cc('g', { provider: 'gcp' }, 2);
    const ctx = { feasible: [a1, a2, g] };
    expect(spreadScorer().score(cw(), g, ctx)).toBeGreaterThan(spreadScorer().score(cw(), a1, ctx));
  });
});
