// Price of one replica-hour of a workload on a cluster's on-demand or spot pool: requests
// times the cluster's per-unit prices (OpenCost allocation: CPU price + memory price).

import type { CompiledCluster, CompiledWorkload } from './types.js';

/** USD per hour of one replica on the on-demand pool. */
export function odReplicaCost(w: CompiledWorkload, c: CompiledCluster): number {
  return w.cpu * c.odCpuHour + w.memGiB * c.odMemHour;
}

/** USD per hour of one replica on the spot pool; Infinity when the workload may not use it. */
export function spotReplicaCost(w: CompiledWorkload, c: CompiledCluster): number {
  if (!w.spotTolerant || c.spotCpu <= 0) return Infinity;
  return w.cpu * c.spotCpuHour + w.memGiB * c.spotMemHour;
}

/** The cheapest pool price a workload can get on a cluster (ignores free room). */
export function bestReplicaCost(w: CompiledWorkload, c: CompiledCluster): number {
  const od = c.odCpu > 0 ? odReplicaCost(w, c) : Infinity;
  return Math.min(od, spotReplicaCost(w, c));
}
