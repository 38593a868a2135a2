// The two comparisons the benchmark runs side by side with the optimiser, on the same
// compiled problem (same filters, same prices):
// - even split: Karmada's default for Divided without weights — equal shares over every
//   feasible cluster, capacity not considered;
// - greedy: each workload in input order on the cheapest pools with room (no global view).
import { websterDivide } from '../../src/scheduler/divide/webster.js';
import type { Problem } from '../../src/scheduler/model/types.js';
import { candidates, placeGreedy } from '../../src/scheduler/optimise/greedy.js';
import { emptyState, workloadCost } from '../../src/scheduler/optimise/state.js';
import { odReplicaCost } from '../../src/scheduler/model/unit-cost.js';

export interface BaselineResult {
  costPerHour: number;
  /** Workloads not fully placed (greedy) or replicas above capacity (even split). */
  unplacedWorkloads: number;
  overcommittedClusters: number;
  ms: number;
}

/** Equal shares over feasible clusters, priced on-demand; counts clusters pushed over capacity. */
export function evenSplit(p: Problem): BaselineResult {
  const t0 = performance.now();
  const s = emptyState(p);
  const cpu = new Float64Array(p.clusters.length);
  const mem = new Float64Array(p.clusters.length);
  let cost = 0;
  let unplaced = 0;
  for (const w of p.workloads) {
    const cs = candidates(s, w);
    if (cs.length === 0) {
      unplaced++;
      continue;
    }
    const shares = websterDivide(w.replicas, cs.map(() => 1));
    cs.forEach((c, i) => {
      const n = shares[i]!;
      cost += n * odReplicaCost(w, p.clusters[c]!);
      cpu[c]! += n * w.cpu;
      mem[c]! += n * w.memGiB;
    });
  }
  let over = 0;
  p.clusters.forEach((c, i) => {
    if (cpu[i]! > c.odCpu + c.spotCpu + 1e-9 || mem[i]! > c.odMem + c.spotMem + 1e-9) over++;
  });
  return { costPerHour: cost, unplacedWorkloads: unplaced, overcommittedClusters: over, ms: performance.now() - t0 };
}

/** Per-workload greedy in input order: cheapest pools with room; a workload that does not fit is dropped. */
export function greedyCheapest(p: Problem): BaselineResult {
  const t0 = performance.now();
  const s = emptyState(p);
  let cost = 0;
  let unplaced = 0;
  for (const w of p.workloads) {
    if (placeGreedy(s, w, w.replicas)) cost += workloadCost(s, w);
    else unplaced++;
  }
  return { costPerHour: cost, unplacedWorkloads: unplaced, overcommittedClusters: 0, ms: performance.now() - t0 };
}
