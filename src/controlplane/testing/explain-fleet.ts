// A store seeded with a fleet, its workloads and the Placements the placement controller's own
// core (planPlacements) computes for them: what the explain view reads in a running system.
// Used by the explain equivalence test and `npm run bench:explain`.
import { API_VERSION, type ApiObject, type Cluster, type Placement, type Workload } from '../../api/index.js';
import { planPlacements } from '../../controllers/index.js';
import type { PriceCatalog } from '../../cost/index.js';
import type { Store } from '../../store/store.js';

/** The Placements the controller would write for `workloads` on `clusters`, as API objects. */
export function controllerPlacements(clusters: readonly Cluster[], workloads: readonly Workload[], catalog?: PriceCatalog): Placement[] {
  const plan = planPlacements({ clusters, workloads, placements: [], ...(catalog ? { catalog } : {}) });
  return plan.upserts.map((u) => ({
    apiVersion: API_VERSION,
    kind: 'Placement',
    metadata: { name: u.name, namespace: u.namespace },
    spec: { workload: u.name, generation: u.generation, clusters: u.clusters, costPerHour: u.costPerHour, ...(u.unschedulable ? { unschedulable: u.unschedulable } : {}) },
  }));
}

/**
 * Writes clusters, workloads and placements into `store` in one apply. A cluster without a status
 * gets `phase: Ready`, as its agent reports it in a running system (the explain view, like the
 * placement controller, treats a cluster never heard from as Unknown).
 */
export async function seedStore(store: Store, objects: { clusters: readonly Cluster[]; workloads: readonly Workload[]; placements: readonly Placement[] }): Promise<void> {
  const all: ApiObject[] = [...objects.clusters, ...objects.workloads, ...objects.placements];
  await store.apply(all.map((object) => ({ verb: 'upsert' as const, object })), { actor: 'test:explain' });
  const reported = objects.clusters.map((c) => ({ ...c, status: (c.status as { phase?: string } | undefined)?.phase ? c.status : { ...(c.status ?? {}), phase: 'Ready' } }));
  await store.apply(reported.map((object) => ({ verb: 'updateStatus' as const, object })), { actor: 'test:explain' });
}
