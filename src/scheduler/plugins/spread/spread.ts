// Spread scorer: favours clusters in regions and providers that few other feasible clusters
// share, i.e. the ones that add failure-domain diversity. Hard spread limits are enforced by
// the optimiser, not here; this score explains and breaks ties.
import type { ScorePlugin } from '../../framework/contract.js';

export const spreadScorer = (): ScorePlugin => ({
  name: 'spread',
  score(_w, c, ctx) {
    const n = ctx.feasible.length;
    if (n <= 1) return 100;
    let sameRegion = 0;
    let sameProvider = 0;
    for (const f of ctx.feasible) {
      if (f.provider === c.provider) {
        sameProvider++;
        if (f.region === c.region) sameRegion++;
      }
    }
    return Math.round(100 * (1 - (sameRegion - 1 + (sameProvider - 1)) / (2 * (n - 1))));
  },
});
