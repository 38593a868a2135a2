// Cost scorer: 100 for the cheapest feasible cluster, proportionally less for dearer ones.
import type { ScorePlugin } from '../../framework/contract.js';
import { bestReplicaCost } from '../../model/unit-cost.js';

export const costScorer = (): ScorePlugin => ({
  name: 'cost',
  score(w, c, ctx) {
    const mine = bestReplicaCost(w, c);
    if (!(mine > 0)) return 100;
    let best = Infinity;
    for (const f of ctx.feasible) best = Math.min(best, bestReplicaCost(w, f));
    return Math.round((100 * best) / mine);
  },
});
