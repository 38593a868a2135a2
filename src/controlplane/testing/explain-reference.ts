// The explain view as it was before per-workload explanations: a whole-fleet heuristic
// re-schedule with explanations for every workload, then the one asked for. Kept as the
// reference the equivalence test and `npm run bench:explain` compare the view against.
import type { Cluster, Placement, Workload } from '../../api/index.js';
import type { PriceCatalog } from '../../cost/index.js';
import { schedule } from '../../scheduler/index.js';
import type { Store } from '../../store/store.js';

/** The explain body of `namespace/name` computed by re-scheduling the whole fleet (the old view). */
export async function explainByReschedule(store: Store, namespace: string, name: string, catalog?: PriceCatalog): Promise<Record<string, unknown>> {
  const [clusters, workloads, placements] = await Promise.all([store.list('Cluster'), store.list('Workload'), store.list('Placement')]);
  const r = await schedule({
    clusters: clusters.items as Cluster[],
    workloads: workloads.items as Workload[],
    current: placements.items as Placement[],
    explain: true,
    heuristicOnly: true,
    ...(catalog ? { catalog } : {}),
  });
  const e = r.explanations?.find((x) => x.namespace === namespace && x.name === name);
  const p = placements.items.find((x) => x.metadata.namespace === namespace && x.metadata.name === name) as Placement | undefined;
  return {
    ...e,
    placed: p ? { clusters: p.spec.clusters, costPerHour: p.spec.costPerHour, generation: p.spec.generation, ...(p.spec.unschedulable ? { unschedulable: p.spec.unschedulable } : {}) } : null,
    warnings: r.warnings.filter((x) => (x as { namespace?: string }).namespace === namespace && (x as { name?: string }).name === name),
  };
}
