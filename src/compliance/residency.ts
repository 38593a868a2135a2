// The residency map: for every workload, where each replica runs, where the gateway sends its
// traffic and where its sinks send data — each with its jurisdiction, computed from the stored
// objects (never assumed) — and every crossing of the workload's residency boundary.
import { clusterJurisdiction, type ApiObject, type Cluster, type Placement, type Workload } from '../api/index.js';
import { buildRoutes } from '../gateway/index.js';
import type { ResidencyCrossing, ResidencyMap, ResidencyRow, ResidencyTarget } from './types.js';

/** The part of a routing table the map reads: structurally the gateway's `RouteTable`. */
export interface RouteTableView {
  routes: { key: string; host: string; pathPrefix: string; endpoints: { address: string; cluster: string; jurisdiction: string; weight: number }[] }[];
  problems: { code: string; workload: string; cluster?: string; jurisdiction?: string; message: string }[];
}

/** Builds routes from the stored objects; the gateway's own builder by default. */
export type RouteBuilder = (workloads: readonly ApiObject[], placements: readonly ApiObject[], clusters: readonly ApiObject[]) => RouteTableView;

export { clusterJurisdiction } from '../api/index.js';

/** `namespace/name` of a namespaced object. */
export const workloadKey = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

/**
 * Computes the residency map. Replicas come from Placements, routes from `routes` (the gateway's
 * route-table builder over the same objects), sinks from `spec.sinks`.
 * @example const m = buildResidencyMap(workloads, placements, clusters); m.crossings.length === 0
 */
export function buildResidencyMap(workloads: readonly Workload[], placements: readonly Placement[], clusters: readonly Cluster[], routes: RouteBuilder = buildRoutes): ResidencyMap {
  const byName = new Map(clusters.map((c) => [c.metadata.name, c]));
  const placementOf = new Map(placements.map((p) => [`${p.metadata.namespace ?? 'default'}/${p.spec.workload}`, p]));
  const table = routes(workloads as ApiObject[], placements as ApiObject[], clusters as ApiObject[]);
  const routesOf = new Map(table.routes.map((r) => [r.key, r]));
  const rows: ResidencyRow[] = [];
  const crossings: ResidencyCrossing[] = [];
  for (const w of [...workloads].sort((a, b) => workloadKey(a).localeCompare(workloadKey(b)))) {
    const key = workloadKey(w);
    const residency = w.spec.placement.residency ? [...w.spec.placement.residency] : undefined;
    const inside = (j: string | undefined) => residency === undefined || (j !== undefined && residency.includes(j));
    const replicas: ResidencyTarget[] = [];
    for (const e of placementOf.get(key)?.spec.clusters ?? []) {
      if (e.replicas <= 0) continue;
      const j = clusterJurisdiction(byName.get(e.cluster));
      replicas.push({ type: 'replica', target: e.cluster, cluster: e.cluster, amount: e.replicas, jurisdiction: j ?? 'unknown', inside: inside(j) });
    }
    const routeTargets: ResidencyTarget[] = [];
    const r = routesOf.get(key);
    if (r) {
      const detail = `${r.host}${r.pathPrefix === '/' ? '' : r.pathPrefix}`;
      for (const ep of r.endpoints) routeTargets.push({ type: 'route', target: ep.address, cluster: ep.cluster, detail, amount: ep.weight, jurisdiction: ep.jurisdiction, inside: inside(ep.jurisdiction === 'unknown' ? undefined : ep.jurisdiction) });
    }
    const sinks: ResidencyTarget[] = (w.spec.sinks ?? []).map((s) => ({ type: 'sink', target: s.endpoint, detail: s.kind, jurisdiction: s.residency, inside: inside(s.residency) }));
    for (const t of [...replicas, ...routeTargets, ...sinks]) {
      if (t.inside) continue;
      crossings.push({ workload: key, type: t.type, target: t.target, jurisdiction: t.jurisdiction, residency: residency!, message: crossingMessage(key, t, residency!) });
    }
    rows.push({ workload: key, ...(residency ? { residency } : {}), replicas, routes: routeTargets, sinks });
  }
  // The gateway refuses endpoints outside residency; what it refused is still a fact to report.
  // (Its problems about placements are the replica crossings above.)
  for (const p of table.problems) {
    if (p.code !== 'ResidencyViolation' || !reportsEndpoints(byName.get(p.cluster ?? ''), p.workload)) continue;
    const w = workloads.find((x) => workloadKey(x) === p.workload);
    if (crossings.some((c) => c.workload === p.workload && c.type === 'route' && c.target === p.cluster)) continue;
    crossings.push({ workload: p.workload, type: 'route', target: p.cluster ?? '?', jurisdiction: p.jurisdiction ?? 'unknown', residency: [...(w?.spec.placement.residency ?? [])], message: `${p.message} (refused by the gateway)` });
  }
  return { workloads: rows, crossings, routeSource: 'gateway route table (buildRoutes over Workloads, Placements, Clusters)' };
}

function reportsEndpoints(c: Cluster | undefined, key: string): boolean {
  const reps = ((c?.status as { workloads?: Record<string, { replicaStatus?: { endpoint?: string }[] }> } | undefined)?.workloads ?? {})[key]?.replicaStatus ?? [];
  return reps.some((r) => typeof r.endpoint === 'string' && r.endpoint.length > 0);
}

function crossingMessage(key: string, t: ResidencyTarget, residency: string[]): string {
  const what = t.type === 'replica' ? `${t.amount} replica(s) on cluster ${t.target}` : t.type === 'route' ? `route ${t.detail} to ${t.target} on ${t.cluster}` : `${t.detail} sink ${t.target}`;
  return `${key}: ${what} is in ${t.jurisdiction}, outside its residency ${residency.join(', ')}`;
}
