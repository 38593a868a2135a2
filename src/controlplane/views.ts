// Computed views of the control plane: why a workload runs where it does (explain).
import { NotFoundError, type Cluster, type Placement, type Workload } from '../api/index.js';
import type { PriceCatalog } from '../cost/index.js';
import { schedule } from '../scheduler/index.js';
import type { View } from '../server/index.js';
import type { Store } from '../store/store.js';

/**
 * `GET /api/v1alpha1/explain/workloads/:namespace/:name`: every cluster with the filter that
 * removed it or its scores, the split actually placed, its cost, and the plan's bound gap.
 */
export function explainViews(store: Store, catalog?: PriceCatalog): View[] {
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/explain/workloads/:namespace/:name',
      name: 'explain',
      handler: async (ctx) => {
        const { namespace, name } = ctx.params as { namespace: string; name: string };
        const w = (await store.get({ kind: 'Workload', namespace, name })) as Workload | undefined;
        if (!w) throw new NotFoundError(`workload ${namespace}/${name} not found`);
        const [clusters, workloads, placements] = await Promise.all([store.list('Cluster'), store.list('Workload'), store.list('Placement')]);
        // The heuristic re-derives verdicts and scores against the live fleet, kept stable by
        // the current placements; the split shown is the one actually placed.
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
          body: {
            ...e,
            placed: p ? { clusters: p.spec.clusters, costPerHour: p.spec.costPerHour, generation: p.spec.generation, ...(p.spec.unschedulable ? { unschedulable: p.spec.unschedulable } : {}) } : null,
            warnings: r.warnings.filter((x) => (x as { namespace?: string }).namespace === namespace && (x as { name?: string }).name === name),
          },
        };
      },
    },
  ];
}
