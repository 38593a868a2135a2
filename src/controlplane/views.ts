// Computed views of the control plane: why a workload runs where it does (explain).
import { NotFoundError, type ApiObject, type Cluster, type Placement, type Workload } from '../api/index.js';
import type { PriceCatalog } from '../cost/index.js';
import { onlineView } from '../controllers/placement/placement-controller.js';
import { explainOne, scheduleWith, type PolicyHook } from '../scheduler/index.js';
import type { View } from '../server/index.js';
import type { Store } from '../store/store.js';

/** Placement-stage policies for a set of objects: the same builder the placement controller uses. */
export type PolicyBuilder = (objects: { clusters: readonly Cluster[]; workloads: readonly Workload[] }) => PolicyHook | undefined;

/**
 * `GET /api/v1alpha1/explain/workloads/:namespace/:name`: every cluster with the filter that
 * removed it or its scores, the split actually placed, its cost, and the plan's bound gap.
 * The fleet is seen as the placement controller sees it: a cluster whose agent never reported is
 * Unknown, and placement-stage policies filter clusters (`PolicyDenied`, with the policy's reason).
 */
export function explainViews(store: Store, catalog?: PriceCatalog, policy?: PolicyBuilder): View[] {
  const fleetGap = fleetGapCache(catalog);
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/explain/workloads/:namespace/:name',
      name: 'explain',
      handler: async (ctx) => {
        const { namespace, name } = ctx.params as { namespace: string; name: string };
        const w = (await store.get({ kind: 'Workload', namespace, name })) as Workload | undefined;
        if (!w) throw new NotFoundError(`workload ${namespace}/${name} not found`);
        const [cl, wl, pl, po] = await Promise.all([store.list('Cluster'), store.list('Workload'), store.list('Placement'), policy ? store.list('Policy') : undefined]);
        const clusters = onlineView(cl.items as Cluster[]);
        const workloads = wl.items as Workload[];
        const placements = pl.items as Placement[];
        const hook = policy?.({ clusters, workloads });
        const opts = { ...(catalog ? { catalog } : {}), ...(hook ? { policy: hook } : {}) };
        // Only this workload is explained; the others stay where their Placements put them.
        const r = explainOne({ clusters, workloads, current: placements, namespace, name, boundGap: fleetGap(clusters, workloads, placements, po?.items ?? [], hook), opts });
        if (!r) throw new NotFoundError(`workload ${namespace}/${name} not found`);
        const p = placements.find((x) => x.metadata.namespace === namespace && x.metadata.name === name);
        return {
          body: {
            ...r.explanation,
            placed: p ? { clusters: p.spec.clusters, costPerHour: p.spec.costPerHour, generation: p.spec.generation, ...(p.spec.unschedulable ? { unschedulable: p.spec.unschedulable } : {}) } : null,
            warnings: r.warnings,
          },
        };
      },
    },
  ];
}

/**
 * The fleet plan's bound gap is the one fleet-wide number in an explanation: the gap of a
 * heuristic re-plan that keeps valid placements. It is computed by that re-plan (without the
 * per-workload explanations that made the old view slow) and kept until a cluster's spec, labels
 * or phase, a workload's spec, a Placement or a Policy changes, so repeated explains do not repeat it.
 */
function fleetGapCache(catalog?: PriceCatalog): (clusters: Cluster[], workloads: Workload[], placements: Placement[], policies: readonly ApiObject[], hook: PolicyHook | undefined) => number {
  let last: { key: string; gap: number } | undefined;
  return (clusters, workloads, placements, policies, hook) => {
    const parts: string[] = [];
    for (const c of clusters) parts.push(`c${c.metadata.name}|${c.metadata.uid}|${c.metadata.generation}|${JSON.stringify(c.metadata.labels ?? {})}|${(c.status as { phase?: string } | undefined)?.phase}`);
    for (const w of workloads) parts.push(`w${w.metadata.namespace}/${w.metadata.name}|${w.metadata.uid}|${w.metadata.generation}`);
    for (const p of placements) parts.push(`p${p.metadata.namespace}/${p.metadata.name}|${p.metadata.uid}|${p.metadata.generation}`);
    for (const q of policies) parts.push(`q${q.metadata.name}|${q.metadata.uid}|${q.metadata.generation}`);
    const key = parts.join('\n');
    if (last?.key !== key) last = { key, gap: scheduleWith({ clusters, workloads, current: placements, ...(catalog ? { catalog } : {}), ...(hook ? { policy: hook } : {}) }, undefined).gap };
    return last.gap;
  };
}
