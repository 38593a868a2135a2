// Explanations: for one workload, every cluster with the filter that removed it or its
// scores and unit price, the chosen split, its cost and the plan's bound gap.
import type { ClusterVerdict, ScoreContext } from '../framework/contract.js';
import { buildPipeline } from '../framework/pipeline.js';
import type { CompiledWorkload } from '../model/types.js';
import { bestReplicaCost } from '../model/unit-cost.js';
import { candidates } from '../optimise/greedy.js';
import type { PlanState } from '../optimise/state.js';

export interface Explanation {
  namespace: string;
  name: string;
  mode: string;
  optimizeFor: string;
  chosen: { cluster: string; replicas: number; spotReplicas: number }[];
  costPerHour: number;
  /** Relative gap of the whole plan above its proven lower bound. */
  boundGap: number;
  unschedulable?: { code: string; reason: string };
  clusters: (ClusterVerdict & { replicaCostPerHour?: number })[];
}

/** Builds the explanation of one workload from the final plan. */
export function explainWorkload(s: PlanState, w: CompiledWorkload, costPerHour: number, boundGap: number, verdict?: { code: string; reason: string }): Explanation {
  const p = s.problem;
  const nc = p.clusters.length;
  const { scorers } = buildPipeline();
  const feasible = candidates(s, w).map((c) => p.clusters[c]!);
  const ctx: ScoreContext = { feasible, current: p.current.get(w.index) };
  const clusters = p.clusters.map((c) => {
    const r = p.rejectedBy[w.index * nc + c.index]!;
    if (r !== 0) {
      const rej = p.rejections?.get(w.index * nc + c.index);
      return { cluster: c.name, feasible: false, filter: p.filterNames[r - 1], code: rej?.code as ClusterVerdict['code'], reason: rej?.reason };
    }
    const scores: Record<string, number> = {};
    for (const sc of scorers) scores[sc.name] = sc.score(w, c, ctx);
    return { cluster: c.name, feasible: true, scores, replicaCostPerHour: +bestReplicaCost(w, c).toFixed(6) };
  });
  const chosen = s.slots[w.index]!.map((x) => ({ cluster: p.clusters[x.c]!.name, replicas: x.od + x.spot, spotReplicas: x.spot })).sort((a, b) => a.cluster.localeCompare(b.cluster));
  return { namespace: w.namespace, name: w.name, mode: w.mode, optimizeFor: w.optimizeFor, chosen, costPerHour: costPerHour, boundGap, ...(verdict ? { unschedulable: verdict } : {}), clusters };
}
