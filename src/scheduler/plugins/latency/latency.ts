// Latency scorer: estimated RTT from the workload's users (weighted by their share), scored
// 100 for the nearest feasible cluster. Without users or coordinates every cluster scores 100.
import { estimateRttMs } from '../../../api/index.js';
import type { ScorePlugin } from '../../framework/contract.js';
import type { CompiledCluster, CompiledWorkload } from '../../model/types.js';

/** Weighted mean RTT (ms) from the workload's users to a cluster; NaN when unknown. */
export function userLatencyMs(w: CompiledWorkload, c: CompiledCluster): number {
  if (!c.coords || w.users.length === 0) return NaN;
  let sum = 0;
  let weight = 0;
  for (const u of w.users) {
    sum += u.weight * estimateRttMs(u, c.coords);
    weight += u.weight;
  }
  return sum / weight;
}

export const latencyScorer = (): ScorePlugin => ({
  name: 'latency',
  score(w, c, ctx) {
    const mine = userLatencyMs(w, c);
    if (Number.isNaN(mine)) return 100;
    let best = Infinity;
    for (const f of ctx.feasible) {
      const l = userLatencyMs(w, f);
      if (!Number.isNaN(l)) best = Math.min(best, l);
    }
    return Math.round((100 * best) / mine);
  },
});
