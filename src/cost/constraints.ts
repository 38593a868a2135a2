// The hard constraints a placement must keep, checked (not solved): residency, selectors and
// affinity, taints, cordoned clusters, spread, replica count and capacity. Recommendations and
// the cost benchmark verify every plan with it; the scheduler remains the only optimiser.
import { compileSelector, type Cluster, type Taint, type Toleration, type Workload } from '../api/index.js';
import { clusterResidency, workloadRequests } from './allocation.js';
import type { ClusterPricing } from './pricing.js';

export type ConstraintCode = 'Residency' | 'Selector' | 'Affinity' | 'Taint' | 'Cordoned' | 'UnknownCluster' | 'Spread' | 'Replicas' | 'Capacity' | 'Availability';

export interface Violation {
  code: ConstraintCode;
  workload?: string;
  cluster?: string;
  message: string;
}

export type ClusterReplicas = readonly { cluster: string; replicas: number }[];

/** Whether a workload may run on a cluster at all (residency, selector, affinity, taints, cordon). */
export function clusterAllowed(w: Workload, c: Cluster): Violation | undefined {
  const pl = w.spec.placement;
  const key = `${w.metadata.namespace}/${w.metadata.name}`;
  const v = (code: ConstraintCode, message: string): Violation => ({ code, workload: key, cluster: c.metadata.name, message: `${key} on ${c.metadata.name}: ${message}` });
  const res = clusterResidency(c);
  if (pl.residency && !pl.residency.includes(res)) return v('Residency', `jurisdiction ${res} is outside the workload's residency ${pl.residency.join(',')}`);
  const labels = c.metadata.labels ?? {};
  if (pl.clusterSelector && Object.entries(pl.clusterSelector).some(([k, x]) => labels[k] !== x)) return v('Selector', 'cluster labels do not match clusterSelector');
  const a = pl.clusterAffinity;
  if (a) {
    if (a.clusterNames && !a.clusterNames.includes(c.metadata.name)) return v('Affinity', 'not in clusterAffinity.clusterNames');
    if (a.exclude?.includes(c.metadata.name)) return v('Affinity', 'excluded by clusterAffinity.exclude');
    if (a.providers && !a.providers.includes(c.spec.provider)) return v('Affinity', `provider ${c.spec.provider} not in clusterAffinity.providers`);
    if (a.regions && !a.regions.includes(c.spec.region)) return v('Affinity', `region ${c.spec.region} not in clusterAffinity.regions`);
    if (a.labelSelector && !compileSelector(a.labelSelector)(labels)) return v('Affinity', 'cluster labels do not match clusterAffinity.labelSelector');
  }
  for (const t of (c.spec as { taints?: Taint[] }).taints ?? []) {
    if (t.effect === 'PreferNoSchedule') continue;
    if (!(pl.tolerations ?? []).some((x) => tolerates(x, t))) return v('Taint', `taint ${t.key}:${t.effect} is not tolerated`);
  }
  if (c.spec.unschedulable) return v('Cordoned', 'cluster is cordoned (unschedulable)');
  return undefined;
}

/** Every violation of one workload's placement: per-cluster rules, spread and replica count. */
export function checkWorkloadPlacement(w: Workload, placed: ClusterReplicas, fleet: ReadonlyMap<string, Cluster>): Violation[] {
  const key = `${w.metadata.namespace}/${w.metadata.name}`;
  const out: Violation[] = [];
  const used = placed.filter((p) => p.replicas > 0);
  for (const p of used) {
    const c = fleet.get(p.cluster);
    if (!c) out.push({ code: 'UnknownCluster', workload: key, cluster: p.cluster, message: `${key}: cluster ${p.cluster} does not exist` });
    else {
      const v = clusterAllowed(w, c);
      if (v) out.push(v);
    }
  }
  const want = w.spec.replicas;
  const duplicated = w.spec.placement.mode === 'Duplicated';
  const total = used.reduce((a, p) => a + p.replicas, 0);
  if (!duplicated && total !== want) out.push({ code: 'Replicas', workload: key, message: `${key}: ${total} replicas placed, ${want} wanted` });
  if (duplicated && used.some((p) => p.replicas !== want)) out.push({ code: 'Replicas', workload: key, message: `${key}: Duplicated mode needs ${want} replicas on every cluster used` });
  const s = w.spec.placement.spread;
  if (s && want > 0) {
    const cs = used.map((p) => fleet.get(p.cluster)).filter((c): c is Cluster => c !== undefined);
    const providers = new Set(cs.map((c) => c.spec.provider)).size;
    const regions = new Set(cs.map((c) => `${c.spec.provider}/${c.spec.region}`)).size;
    if (s.minProviders && providers < s.minProviders) out.push({ code: 'Spread', workload: key, message: `${key}: ${providers} provider(s), spread.minProviders is ${s.minProviders}` });
    if (s.minRegions && regions < s.minRegions) out.push({ code: 'Spread', workload: key, message: `${key}: ${regions} region(s), spread.minRegions is ${s.minRegions}` });
    if (s.minClusters && used.length < s.minClusters) out.push({ code: 'Spread', workload: key, message: `${key}: ${used.length} cluster(s), spread.minClusters is ${s.minClusters}` });
    for (const p of used)
      if (s.maxReplicasPerCluster && p.replicas > s.maxReplicasPerCluster) out.push({ code: 'Spread', workload: key, cluster: p.cluster, message: `${key}: ${p.replicas} replicas on ${p.cluster}, spread.maxReplicasPerCluster is ${s.maxReplicasPerCluster}` });
  }
  return out;
}

/** Failure domains a placement spans at the workload's `availability.survive` level (0 when none is asked). */
export function failureDomains(w: Workload, placed: ClusterReplicas, fleet: ReadonlyMap<string, Cluster>): number {
  const level = w.spec.availability?.survive;
  if (!level) return 0;
  const ds = new Set<string>();
  for (const p of placed) {
    const c = fleet.get(p.cluster);
    if (!c || p.replicas <= 0) continue;
    ds.add(level === 'cluster' ? c.metadata.name : level === 'region' ? `${c.spec.provider}/${c.spec.region}` : c.spec.provider);
  }
  return ds.size;
}

/** What is requested of each cluster: all replicas, and the part spot capacity may hold. */
export interface ClusterLoad {
  cpu: number;
  memoryGiB: number;
  pods: number;
  /** Requests of replicas that must run on demand (not spot-tolerant). */
  onDemandCpu: number;
  onDemandMemoryGiB: number;
}

/** Sums requests per cluster over placements. */
export function clusterLoads(placements: Iterable<{ workload: Workload; clusters: ClusterReplicas }>): Map<string, ClusterLoad> {
  const out = new Map<string, ClusterLoad>();
  for (const { workload: w, clusters } of placements) {
    const r = workloadRequests(w);
    for (const p of clusters) {
      if (p.replicas <= 0) continue;
      const l = out.get(p.cluster) ?? { cpu: 0, memoryGiB: 0, pods: 0, onDemandCpu: 0, onDemandMemoryGiB: 0 };
      l.cpu += r.cpu * p.replicas;
      l.memoryGiB += r.memoryGiB * p.replicas;
      l.pods += p.replicas;
      if (!w.spec.placement.spotTolerant) {
        l.onDemandCpu += r.cpu * p.replicas;
        l.onDemandMemoryGiB += r.memoryGiB * p.replicas;
      }
      out.set(p.cluster, l);
    }
  }
  return out;
}

/** Capacity violations: requests above a cluster's capacity, or non-spot-tolerant requests on spot capacity. */
export function checkCapacity(loads: ReadonlyMap<string, ClusterLoad>, pricing: ReadonlyMap<string, ClusterPricing>): Violation[] {
  const out: Violation[] = [];
  const eps = 1e-6;
  for (const [name, l] of loads) {
    const p = pricing.get(name);
    if (!p) continue;
    const odCpu = p.capacity.cpu - (p.spot?.cpu ?? 0);
    const odMem = p.capacity.memoryGiB - (p.spot?.memoryGiB ?? 0);
    const v = (message: string) => out.push({ code: 'Capacity', cluster: name, message: `${name}: ${message}` });
    if (l.cpu > p.capacity.cpu + eps) v(`${l.cpu.toFixed(2)} cores requested, capacity ${p.capacity.cpu}`);
    if (l.memoryGiB > p.capacity.memoryGiB + eps) v(`${l.memoryGiB.toFixed(2)} GiB requested, capacity ${p.capacity.memoryGiB}`);
    if (l.pods > p.capacity.pods) v(`${l.pods} pods, capacity ${p.capacity.pods}`);
    if (l.onDemandCpu > odCpu + eps || l.onDemandMemoryGiB > odMem + eps) v('replicas that are not spot-tolerant exceed the on-demand capacity');
  }
  return out;
}

function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return t.key === undefined || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}
