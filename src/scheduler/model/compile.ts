// compileProblem: the boundary. Clusters, workloads and current placements go in as API
// objects; out comes the Problem of plain numbers, with every filter already evaluated.
import { compileSelector, findRegion, GiB, lookupRegion, quantity, type Cluster, type Placement, type Workload } from '../../api/index.js';
import type { PriceCatalog } from './pricing-adapter.js';
import type { PolicyHook } from '../framework/contract.js';
import { buildPipeline } from '../framework/pipeline.js';
import { userLatencyMs } from '../plugins/latency/latency.js';
import { priceCluster } from './pricing-adapter.js';
import type { CompiledCluster, CompiledWorkload, Problem } from './types.js';

export interface CompileOptions {
  catalog?: PriceCatalog;
  /** Keep the reason text of every rejection (explanations); costs memory on big fleets. */
  explain?: boolean;
  policy?: PolicyHook;
}

/**
 * Objective weight of latency, per ms of RTT above the workload's best feasible cluster, as a
 * fraction of the replica's price there: `latency` 5%/ms (20 ms worse doubles the price, so
 * the nearest region wins unless it is full), `balanced` 0.5%/ms (20 ms worse = +10%).
 */
export const LATENCY_WEIGHT = { cost: 0, latency: 0.05, balanced: 0.005 } as const;

/** Compiles one cluster: location, health, pools and unit prices. */
export function compileCluster(cl: Cluster, index: number, catalog?: PriceCatalog): CompiledCluster {
  const p = priceCluster(cl, catalog);
  const info = lookupRegion(cl.spec.provider, cl.spec.region);
  const status = (cl.status ?? {}) as { phase?: string };
  const phase = status.phase === 'NotReady' || status.phase === 'Unknown' ? status.phase : 'Ready';
  const spotCpu = p.spot?.cpu ?? 0;
  const spotMem = p.spot?.memoryGiB ?? 0;
  return {
    index,
    name: cl.metadata.name,
    provider: cl.spec.provider,
    region: cl.spec.region,
    regionKey: `${cl.spec.provider}/${cl.spec.region}`,
    residency: cl.spec.residency ?? info?.jurisdiction,
    labels: cl.metadata.labels ?? {},
    taints: cl.spec.taints ?? [],
    phase,
    unschedulable: cl.spec.unschedulable === true,
    coords: info ? { lat: info.lat, lon: info.lon } : undefined,
    odCpu: p.capacity.cpu - spotCpu,
    odMem: p.capacity.memoryGiB - spotMem,
    spotCpu,
    spotMem,
    pods: p.capacity.pods,
    odCpuHour: p.onDemand.cpuHour,
    odMemHour: p.onDemand.memoryGiBHour,
    spotCpuHour: p.spot?.cpuHour ?? 0,
    spotMemHour: p.spot?.memoryGiBHour ?? 0,
    feePerHour: p.feePerHour,
    priceSource: p.source,
  };
}

const PRIORITY: Record<string, number> = { 'tier-0': 0, 'tier-1': 1, 'tier-2': 2, 'tier-3': 3 };

/** Compiles one workload: requests parsed, selectors compiled, defaults made explicit. */
export function compileWorkload(wl: Workload, index: number): CompiledWorkload {
  const s = wl.spec;
  const pl = s.placement;
  const aff = pl.clusterAffinity;
  const namespace = wl.metadata.namespace ?? 'default';
  const users: { lat: number; lon: number; weight: number }[] = [];
  for (const u of pl.users ?? []) {
    const r = findRegion(u.region);
    if (r) users.push({ lat: r.lat, lon: r.lon, weight: u.weight });
  }
  return {
    index,
    namespace,
    name: wl.metadata.name,
    key: `${namespace}/${wl.metadata.name}`,
    replicas: s.replicas,
    cpu: s.resources?.cpu !== undefined ? quantity(s.resources.cpu) : 0,
    memGiB: s.resources?.memory !== undefined ? quantity(s.resources.memory) / GiB : 0,
    mode: pl.mode,
    spotTolerant: pl.spotTolerant,
    residency: pl.residency,
    clusterSelector: pl.clusterSelector ? compileSelector({ matchLabels: pl.clusterSelector }) : undefined,
    affinity: aff
      ? {
          names: aff.clusterNames ? new Set(aff.clusterNames) : undefined,
          labelSelector: aff.labelSelector ? compileSelector(aff.labelSelector) : undefined,
          exclude: aff.exclude ? new Set(aff.exclude) : undefined,
          providers: aff.providers ? new Set(aff.providers) : undefined,
          regions: aff.regions ? new Set(aff.regions) : undefined,
        }
      : undefined,
    tolerations: pl.tolerations ?? [],
    minProviders: pl.spread?.minProviders ?? 0,
    minRegions: pl.spread?.minRegions ?? 0,
    minClusters: pl.spread?.minClusters ?? 0,
    maxPerCluster: pl.spread?.maxReplicasPerCluster ?? Infinity,
    weights: pl.staticWeights && pl.staticWeights.length > 0 ? new Map(pl.staticWeights.map((x) => [x.cluster, x.weight])) : undefined,
    optimizeFor: pl.optimizeFor,
    users,
    priority: PRIORITY[s.priority] ?? 2,
    survive: s.availability?.survive,
    filterKey: JSON.stringify([
      pl.residency,
      pl.clusterSelector,
      pl.clusterAffinity,
      pl.tolerations,
      pl.spotTolerant,
      pl.staticWeights,
      pl.spread?.maxReplicasPerCluster,
      pl.mode,
      pl.mode === 'Duplicated' ? s.replicas : 0,
      s.resources?.cpu,
      s.resources?.memory,
    ]),
  };
}

/**
 * Compiles the whole problem once: every filter on every workload × cluster pair, latency
 * factors for latency-aware workloads, current replicas by index.
 * @example const p = compileProblem(clusters, workloads, placements, { catalog })
 */
export function compileProblem(clusters: readonly Cluster[], workloads: readonly Workload[], current: readonly Placement[] = [], opts: CompileOptions = {}): Problem {
  const cs = [...clusters].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((c, i) => compileCluster(c, i, opts.catalog));
  const ws = [...workloads]
    .map((w) => compileWorkload(w, 0))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((w, i) => ({ ...w, index: i }));
  return compileFromParts(cs, ws, current, opts);
}

/** Same as compileProblem for already compiled parts (incremental paths reuse clusters). */
export function compileFromParts(cs: CompiledCluster[], ws: CompiledWorkload[], current: readonly Placement[] = [], opts: CompileOptions = {}): Problem {
  const nc = cs.length;
  const { filters } = buildPipeline({ policy: opts.policy });
  const rejectedBy = new Uint8Array(ws.length * nc);
  const rejections = opts.explain ? new Map<number, { code: string; reason: string }>() : undefined;
  const objectiveFactor = new Map<number, Float64Array>();
  const latencyMs = new Map<number, Float64Array>();
  // Workloads with equal filter keys get equal verdicts: evaluate each key once (a policy
  // hook may look at anything, so it disables the shortcut).
  const seen = new Map<string, number>();
  for (const w of ws) {
    const base = w.index * nc;
    const same = opts.policy || rejections ? undefined : seen.get(w.filterKey);
    if (same !== undefined) rejectedBy.copyWithin(base, same * nc, same * nc + nc);
    else {
      seen.set(w.filterKey, w.index);
      for (const c of cs) {
        for (let f = 0; f < filters.length; f++) {
          const r = filters[f]!.filter(w, c);
          if (r.code !== 'Ok') {
            rejectedBy[base + c.index] = f + 1;
            rejections?.set(base + c.index, { code: r.code, reason: r.reason });
            break;
          }
        }
      }
    }
    if (w.users.length > 0) {
      const lat = new Float64Array(nc);
      let best = Infinity;
      for (const c of cs) {
        lat[c.index] = userLatencyMs(w, c);
        if (rejectedBy[base + c.index] === 0 && lat[c.index]! < best) best = lat[c.index]!;
      }
      latencyMs.set(w.index, lat);
      const k = LATENCY_WEIGHT[w.optimizeFor];
      if (k > 0 && best < Infinity) {
        const factor = new Float64Array(nc);
        for (let c = 0; c < nc; c++) factor[c] = Number.isNaN(lat[c]!) ? 1 + k * 200 : 1 + k * Math.max(0, lat[c]! - best);
        objectiveFactor.set(w.index, factor);
      }
    }
  }
  const clusterIndex = new Map(cs.map((c) => [c.name, c.index]));
  const workloadIndex = new Map(ws.map((w) => [w.key, w.index]));
  const cur = new Map<number, Map<number, number>>();
  for (const p of current) {
    const wi = workloadIndex.get(`${p.metadata.namespace ?? 'default'}/${p.spec.workload}`);
    if (wi === undefined) continue;
    const m = new Map<number, number>();
    for (const e of p.spec.clusters) {
      const ci = clusterIndex.get(e.cluster);
      if (ci !== undefined && e.replicas > 0) m.set(ci, (m.get(ci) ?? 0) + e.replicas);
    }
    cur.set(wi, m);
  }
  return { clusters: cs, workloads: ws, rejectedBy, filterNames: filters.map((f) => f.name), rejections, objectiveFactor, latencyMs, current: cur, clusterIndex, workloadIndex };
}
