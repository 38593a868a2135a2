// The spec.clusters a placement decision writes: replicas per cluster and the spot part of
// them, shared by scheduling, failover and failback so every path records the same thing.
import { recordedSpot } from '../../api/index.js';

/** One spec.clusters entry; spotReplicas is absent only on Placements written before it was recorded. */
export type Split = { cluster: string; replicas: number; spotReplicas?: number }[];

/**
 * spec.clusters of a scheduler decision: replicas and, on every cluster, how many of them are
 * on spot (0 included), so cost accrual and fleet booking need not infer the split.
 * @example recordSplit(placeOne(fleet, w).placement!.clusters)
 */
export function recordSplit(clusters: Split): { cluster: string; replicas: number; spotReplicas: number }[] {
  return clusters.map((c) => ({ cluster: c.cluster, replicas: c.replicas, spotReplicas: c.spotReplicas ?? 0 }));
}

/**
 * Per cluster the larger of two splits: the surge of a make-before-break move. The surge's
 * spot part is the larger recorded one (old spot replicas keep running until the break); it
 * stays unrecorded when either side does not record it.
 */
export function surgeOf(a: Split, b: Split): Split {
  const m = new Map<string, { replicas: number; spot: number | undefined }>();
  for (const e of [...a, ...b]) {
    const x = m.get(e.cluster);
    const spot = recordedSpot(e);
    m.set(e.cluster, x ? { replicas: Math.max(x.replicas, e.replicas), spot: x.spot === undefined || spot === undefined ? undefined : Math.max(x.spot, spot) } : { replicas: e.replicas, spot });
  }
  return [...m]
    .filter(([, x]) => x.replicas > 0)
    .map(([cluster, x]) => ({ cluster, replicas: x.replicas, ...(x.spot !== undefined ? { spotReplicas: x.spot } : {}) }))
    .sort((p, q) => p.cluster.localeCompare(q.cluster));
}
