// Derives a cluster's work from the store's objects: the replicas each Placement assigns to
// this cluster, with the template of the corresponding Workload. Pure: the agent calls it on
// every change of its Placement/Workload caches and hands the result to the driver.
import { clusterPricing, defaultCatalog } from '../../cost/index.js';
import { GiB, parseDuration, parseQuantity, type Cluster, type Placement, type Workload, type WorkloadSpec } from '../../api/index.js';
import { workloadKeyString, type ClusterWork, type HealthCheck, type Resources } from '../contract.js';

/** Objects as they arrive over the API: validated by the server, defaults maybe not applied. */
type Obj<T> = T extends { spec: infer S } ? Omit<T, 'spec'> & { spec: Partial<S> } : T;

const num = (q: string | number | undefined): number => {
  if (q === undefined) return 0;
  const r = parseQuantity(q);
  return r.ok ? r.value : 0;
};

/**
 * The allocatable resources of a Cluster: its declared capacity, else what its node pools add
 * up to in the price catalog (the same figures the scheduler plans with).
 */
export function clusterAllocatable(c: Obj<Cluster> | undefined): Resources {
  const cap = c?.spec.capacity;
  if (cap || !c?.spec.nodePools?.length) return { cpu: num(cap?.cpu), memory: num(cap?.memory), pods: cap?.pods ?? 110 };
  try {
    const p = clusterPricing(c as Cluster, defaultCatalog());
    return { cpu: p.capacity.cpu, memory: p.capacity.memoryGiB * GiB, pods: p.capacity.pods };
  } catch {
    return { cpu: 0, memory: 0, pods: 0 }; // unknown instance types: admission reports them
  }
}

function healthCheck(spec: Partial<WorkloadSpec>): HealthCheck | undefined {
  const h = spec.healthCheck;
  if (!h) return undefined;
  return {
    path: h.path ?? '/healthz',
    intervalMs: parseDuration(h.interval ?? '1s') || 1000,
    timeoutMs: parseDuration(h.timeout ?? '500ms') || 500,
    failureThreshold: h.failureThreshold ?? 3,
    successThreshold: h.successThreshold ?? 1,
  };
}

/** The ClusterWork for `replicas` replicas of a workload on one cluster. */
export function workFor(workload: Obj<Workload>, replicas: number, simulatedCluster: boolean): ClusterWork {
  const s = workload.spec;
  const hc = healthCheck(s);
  return {
    workload: { namespace: workload.metadata.namespace ?? 'default', name: workload.metadata.name },
    generation: workload.metadata.generation ?? 1,
    replicas,
    ...(s.image ? { image: s.image } : {}),
    command: s.command ?? [],
    env: Object.fromEntries((s.env ?? []).map((e) => [e.name, e.value])),
    ports: (s.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'http' })),
    ...(hc ? { healthCheck: hc } : {}),
    resources: { cpu: num(s.resources?.cpu), memory: num(s.resources?.memory) },
    simulated: s.simulated === true || simulatedCluster,
  };
}

/**
 * Every workload with replicas placed on `cluster`. A Placement whose Workload is unknown
 * (not seen yet, or deleted) yields nothing: no template, nothing to run.
 */
export function deriveClusterWork(
  cluster: string,
  placements: Iterable<Obj<Placement>>,
  workloads: ReadonlyMap<string, Obj<Workload>>,
  simulatedCluster: boolean,
): ClusterWork[] {
  const out: ClusterWork[] = [];
  for (const p of placements) {
    const replicas = (p.spec.clusters ?? []).filter((c) => c.cluster === cluster).reduce((n, c) => n + c.replicas, 0);
    if (replicas <= 0 || !p.spec.workload) continue;
    const key = workloadKeyString({ namespace: p.metadata.namespace ?? 'default', name: p.spec.workload });
    const w = workloads.get(key);
    if (!w || w.metadata.deletionTimestamp) continue;
    out.push(workFor(w, replicas, simulatedCluster));
  }
  return out.sort((a, b) => (workloadKeyString(a.workload) < workloadKeyString(b.workload) ? -1 : 1));
}
