// OpenCost-style allocation of one fleet state: what each placed workload costs per hour on
// each cluster (max(request, usage), CPU and memory priced apart), the idle rest of every
// cluster's nodes, and control-plane fees as overhead. Pure: accrual sums these over time.
import { GiB, ValidationError, clusterJurisdiction, quantity, recordedSpot, type Cluster, type Placement, type Workload } from '../api/index.js';
import type { PriceCatalog } from './catalog/contract.js';
import { clusterPricing, type ClusterPricing } from './pricing.js';

/** Attribution value for objects without a `team` / `tenant` label. */
export const UNALLOCATED = '__unallocated__';
/** Row names of the unattributed parts of the bill. */
export const IDLE = '__idle__';
export const OVERHEAD = '__overhead__';
export const EGRESS = '__egress__';

export type LineKind = 'allocation' | 'idle' | 'overhead' | 'egress';

/** One priced piece of the bill: USD per hour in a rate, USD in an accrual. */
export interface CostLine {
  kind: LineKind;
  cluster: string;
  provider: string;
  region: string;
  residency: string;
  /** Allocation and (workload-attributed) egress lines only. */
  namespace?: string;
  workload?: string;
  team?: string;
  tenant?: string;
  cpuCost: number;
  memoryCost: number;
  /** Egress or other costs that are neither CPU nor memory. */
  otherCost: number;
  /** Charged resources (allocation lines): cores and GiB, summed over replicas. */
  cpuCores?: number;
  memoryGiB?: number;
  /** Replicas charged at spot prices (allocation lines). */
  spotReplicas?: number;
  replicas?: number;
}

/** The fleet at one instant: the objects in effect. */
export interface FleetSnapshot {
  clusters: readonly Cluster[];
  workloads: readonly Workload[];
  placements: readonly Placement[];
}

/** Caches cluster prices by spec, so status-only changes (heartbeats, usage) do not re-price. */
export type PricingCache = Map<string, ClusterPricing | ValidationError>;

/** Total USD of a line. */
export function lineTotal(l: CostLine): number {
  return l.cpuCost + l.memoryCost + l.otherCost;
}

/** The jurisdiction of a cluster: declared, else from the region catalog, else `unknown`. */
export function clusterResidency(c: Cluster): string {
  return clusterJurisdiction(c) ?? 'unknown';
}

/** Requests per replica in cores and GiB (0 when not declared, as Kubernetes schedules it). */
export function workloadRequests(w: Workload): { cpu: number; memoryGiB: number } {
  const r = w.spec.resources;
  return { cpu: r?.cpu !== undefined ? quantity(r.cpu) : 0, memoryGiB: r?.memory !== undefined ? quantity(r.memory) / GiB : 0 };
}

/** Measured usage of each replica of `workloadKey` (`ns/name`) as the cluster's agent reports it. */
export function reportedUsage(c: Cluster, workloadKey: string): { cpu: number; memoryGiB: number }[] {
  const ws = (c.status as { workloads?: Record<string, { replicaStatus?: { usage?: { cpu: number; memory: number } }[] }> } | undefined)?.workloads;
  const reps = ws?.[workloadKey]?.replicaStatus ?? [];
  return reps.flatMap((r) => (r.usage ? [{ cpu: r.usage.cpu, memoryGiB: r.usage.memory / GiB }] : []));
}

/** Prices a cluster through the cache; a ValidationError is cached and returned, not thrown. */
export function cachedPricing(c: Cluster, catalog: PriceCatalog, cache: PricingCache): ClusterPricing | ValidationError {
  const key = `${c.metadata.name}\u0000${JSON.stringify(c.spec)}`;
  let p = cache.get(key);
  if (!p) {
    try {
      p = clusterPricing(c, catalog);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      p = e;
    }
    cache.set(key, p);
  }
  return p;
}

/**
 * Hourly cost lines of one fleet state. Each placed replica is charged max(request, reported
 * usage) per resource. A Placement's recorded `spotReplicas` says how many of a cluster's
 * replicas run on spot; only for Placements without it are spot-tolerant replicas inferred to
 * take the spot capacity the recorded ones leave (in namespace/name order, as far as it holds
 * them), as the scheduler places them; what the
 * allocations leave of the node cost is the cluster's idle line; the managed control-plane fee
 * is its overhead line. Clusters that cannot be priced produce no lines and a warning.
 */
export function allocateRates(s: FleetSnapshot, catalog: PriceCatalog, cache: PricingCache = new Map()): { lines: CostLine[]; warnings: string[] } {
  const warnings: string[] = [];
  const lines: CostLine[] = [];
  const workloads = new Map(s.workloads.map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, w]));
  const byCluster = new Map<string, { w: Workload; key: string; replicas: number; spot: number | undefined }[]>();
  const sorted = [...s.placements].sort((a, b) => placementKey(a).localeCompare(placementKey(b)));
  for (const p of sorted) {
    const key = `${p.metadata.namespace}/${p.spec.workload}`;
    const w = workloads.get(key);
    if (!w) {
      if (p.spec.clusters.some((c) => c.replicas > 0)) warnings.push(`placement ${placementKey(p)}: workload ${key} not found; its replicas are not charged`);
      continue;
    }
    for (const c of p.spec.clusters) {
      if (c.replicas <= 0) continue;
      const list = byCluster.get(c.cluster) ?? [];
      list.push({ w, key, replicas: c.replicas, spot: recordedSpot(c) });
      byCluster.set(c.cluster, list);
    }
  }
  const known = new Set(s.clusters.map((c) => c.metadata.name));
  for (const name of byCluster.keys()) if (!known.has(name)) warnings.push(`cluster ${name} has placed replicas but does not exist; they are not charged`);

  for (const c of s.clusters) {
    const pricing = cachedPricing(c, catalog, cache);
    const where = { cluster: c.metadata.name, provider: c.spec.provider, region: c.spec.region, residency: clusterResidency(c) };
    if (pricing instanceof ValidationError) {
      warnings.push(`cluster ${c.metadata.name} is not priced: ${pricing.message}`);
      continue;
    }
    // How the price was made when it is not the catalog's own (a spot pool at on-demand, say).
    for (const w of pricing.warnings) warnings.push(`cluster ${c.metadata.name}: ${w}`);
    let spotCpu = pricing.spot?.cpu ?? 0;
    let spotMem = pricing.spot?.memoryGiB ?? 0;
    let allocCpu = 0;
    let allocMem = 0;
    const placed = byCluster.get(c.metadata.name) ?? [];
    const charged = new Map<(typeof placed)[number], CostLine>();
    // Recorded splits hold their spot capacity first; inferred ones get what is left of it.
    for (const a of [...placed.filter((x) => x.spot !== undefined), ...placed.filter((x) => x.spot === undefined)]) {
      const req = workloadRequests(a.w);
      const usage = reportedUsage(c, a.key);
      const line: CostLine = { kind: 'allocation', ...where, namespace: a.w.metadata.namespace, workload: a.w.metadata.name, ...attribution(a.w), cpuCost: 0, memoryCost: 0, otherCost: 0, cpuCores: 0, memoryGiB: 0, spotReplicas: 0, replicas: a.replicas };
      for (let i = 0; i < a.replicas; i++) {
        const u = usage[i];
        const cpu = Math.max(req.cpu, u?.cpu ?? 0);
        const mem = Math.max(req.memoryGiB, u?.memoryGiB ?? 0);
        // Spot holds an inferred replica only when both its CPU and memory fit in what is left of it.
        const onSpot = pricing.spot !== undefined && (a.spot !== undefined ? i < a.spot : a.w.spec.placement.spotTolerant && cpu <= spotCpu + 1e-9 && mem <= spotMem + 1e-9);
        const prices = onSpot ? pricing.spot! : pricing.onDemand;
        if (onSpot) {
          spotCpu -= cpu;
          spotMem -= mem;
          line.spotReplicas!++;
        }
        line.cpuCost += cpu * prices.cpuHour;
        line.memoryCost += mem * prices.memoryGiBHour;
        line.cpuCores! += cpu;
        line.memoryGiB! += mem;
      }
      allocCpu += line.cpuCost;
      allocMem += line.memoryCost;
      charged.set(a, line);
    }
    for (const a of placed) lines.push(charged.get(a)!);
    const sp = pricing.spot;
    const capCpuCost = (pricing.capacity.cpu - (sp?.cpu ?? 0)) * pricing.onDemand.cpuHour + (sp ? sp.cpu * sp.cpuHour : 0);
    const capMemCost = (pricing.capacity.memoryGiB - (sp?.memoryGiB ?? 0)) * pricing.onDemand.memoryGiBHour + (sp ? sp.memoryGiB * sp.memoryGiBHour : 0);
    // Usage above requests can exceed what the nodes cost (overcommit); idle never goes negative.
    const idle: CostLine = { kind: 'idle', ...where, cpuCost: Math.max(0, capCpuCost - allocCpu), memoryCost: Math.max(0, capMemCost - allocMem), otherCost: 0 };
    if (lineTotal(idle) > 0) lines.push(idle);
    if (pricing.feePerHour > 0) lines.push({ kind: 'overhead', ...where, cpuCost: 0, memoryCost: 0, otherCost: pricing.feePerHour });
  }
  return { lines, warnings };
}

/** `team` and `tenant` labels of a workload, `__unallocated__` when absent. */
export function attribution(w: Workload): { team: string; tenant: string } {
  const l = w.metadata.labels ?? {};
  return { team: l.team ?? UNALLOCATED, tenant: l.tenant ?? UNALLOCATED };
}

function placementKey(p: Placement): string {
  return `${p.metadata.namespace ?? ''}/${p.metadata.name}`;
}
