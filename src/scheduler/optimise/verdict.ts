// Whether a workload could be placed alone on the empty fleet — an exact check, so that
// "unschedulable" separates "impossible as specified" from "lost to capacity contention".
import { UnschedulableCode } from '../framework/contract.js';
import { replicasThatFit } from '../plugins/capacity/capacity.js';
import { websterDivide } from '../divide/webster.js';
import type { CompiledWorkload, Problem } from '../model/types.js';

export interface Verdict {
  code: UnschedulableCode;
  reason: string;
}

/** Karmada-style summary: "0/12 clusters feasible: residency 8, taint-toleration 4". */
export function filterSummary(p: Problem, w: CompiledWorkload): string {
  const nc = p.clusters.length;
  const counts = new Map<string, number>();
  let ok = 0;
  for (let c = 0; c < nc; c++) {
    const r = p.rejectedBy[w.index * nc + c]!;
    if (r === 0) ok++;
    else counts.set(p.filterNames[r - 1]!, (counts.get(p.filterNames[r - 1]!) ?? 0) + 1);
  }
  const parts = [...counts].map(([k, v]) => `${k} ${v}`);
  return `${ok}/${nc} clusters feasible${parts.length ? `: rejected by ${parts.join(', ')}` : ''}`;
}

/**
 * Returns why w cannot be placed even alone on the empty fleet, or undefined when it can.
 * Exact for every mode: each feasible cluster holds at least one replica (Duplicated: all),
 * so the spread minimums are met by one cluster per missing provider/region, and the rest
 * only needs total room.
 */
export function aloneVerdict(p: Problem, w: CompiledWorkload): Verdict | undefined {
  if (w.replicas === 0) return undefined;
  const nc = p.clusters.length;
  const feasible: number[] = [];
  for (let c = 0; c < nc; c++) if (p.rejectedBy[w.index * nc + c] === 0) feasible.push(c);
  if (feasible.length === 0) return { code: UnschedulableCode.NoFeasibleCluster, reason: filterSummary(p, w) };
  const trivial = w.minProviders <= 1 && w.minRegions <= 1 && w.minClusters <= 1;
  const spreadOk = (cs: number[]) => {
    if (trivial) return cs.length > 0;
    const prov = new Set(cs.map((c) => p.clusters[c]!.provider));
    const reg = new Set(cs.map((c) => p.clusters[c]!.regionKey));
    return prov.size >= w.minProviders && reg.size >= w.minRegions && cs.length >= w.minClusters;
  };
  const spreadText = `spread needs ${w.minProviders} provider(s), ${w.minRegions} region(s), ${w.minClusters} cluster(s)`;
  if (w.mode === 'Duplicated') {
    if (!spreadOk(feasible)) return { code: UnschedulableCode.SpreadUnsatisfiable, reason: `${spreadText}; ${filterSummary(p, w)}` };
    return undefined;
  }
  if (w.weights) {
    const shares = websterDivide(w.replicas, feasible.map((c) => w.weights!.get(p.clusters[c]!.name)!));
    const used: number[] = [];
    for (let i = 0; i < feasible.length; i++) {
      const c = feasible[i]!;
      if (shares[i]! === 0) continue;
      used.push(c);
      const fit = replicasThatFit(w, p.clusters[c]!);
      if (fit < shares[i]!)
        return { code: UnschedulableCode.StaticWeightsConflict, reason: `staticWeights give ${shares[i]} replicas to ${p.clusters[c]!.name}, which holds at most ${fit}` };
    }
    if (!spreadOk(used)) return { code: UnschedulableCode.SpreadUnsatisfiable, reason: `${spreadText}, staticWeights use ${used.length} cluster(s)` };
    return undefined;
  }
  const k = Math.max(w.minProviders, w.minRegions, w.minClusters);
  if (!spreadOk(feasible) || w.replicas < k)
    return { code: UnschedulableCode.SpreadUnsatisfiable, reason: `${spreadText} with ${w.replicas} replica(s); ${filterSummary(p, w)}` };
  let room = 0;
  for (const c of feasible) room += replicasThatFit(w, p.clusters[c]!);
  if (room < w.replicas) return { code: UnschedulableCode.Infeasible, reason: `needs ${w.replicas} replicas; the feasible clusters hold at most ${room} even when empty` };
  return undefined;
}
