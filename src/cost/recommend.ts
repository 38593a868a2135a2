// Savings recommendations: rightsizing (requests vs observed p95), spot for spot-tolerant
// workloads, cheaper clusters inside the same residency, and consolidation of under-used
// clusters. Each comes with its monthly saving, risk and the exact change, and each is checked
// against every hard constraint with the earlier ones applied, so they can be applied together.
import { formatBytes, GiB, type Cluster, type Placement, type Workload } from '../api/index.js';
import { allocateRates, workloadRequests } from './allocation.js';
import type { PriceCatalog } from './catalog/contract.js';
import { clusterAllowed, type ClusterReplicas, type Violation } from './constraints.js';
import { priceFleet } from './fleet.js';
import { HOURS_PER_MONTH } from './pricing.js';
import type { UsageProfile } from './usage-profile.js';
import { planState, type ObjectChange, type PlanState } from './recommend-state.js';

export type { ObjectChange };

export type RecommendationType = 'rightsize' | 'spot' | 'move' | 'consolidate';

export interface Recommendation {
  id: string;
  type: RecommendationType;
  /** `namespace/name` of each workload affected. */
  workloads: string[];
  clusters: string[];
  /** USD per month saved with the earlier recommendations applied (requests × unit prices + fees of clusters in use). */
  monthlySaving: number;
  risk: 'low' | 'medium' | 'high';
  reason: string;
  changes: ObjectChange[];
}

export interface RecommendOptions {
  /** Requests become p95 × headroom (default 1.3 CPU, 1.2 memory). */
  cpuHeadroom?: number;
  memoryHeadroom?: number;
  /** Floors of a recommended request (default 50m CPU, 64 MiB). */
  minCpu?: number;
  minMemoryGiB?: number;
  /** Fewer usage samples than this: no rightsizing (default 10); fewer than `confidentSamples` (100): medium risk. */
  minSamples?: number;
  confidentSamples?: number;
  /** Rightsize only when the request falls by at least this fraction (default 0.2). */
  minReduction?: number;
  /** Consolidate clusters whose CPU requests are below this share of capacity (default 0.3). */
  consolidateBelow?: number;
  /** Ignore changes saving less than this per month (default $1). */
  minMonthlySaving?: number;
}

export interface RecommendInput {
  clusters: readonly Cluster[];
  workloads: readonly Workload[];
  placements: readonly Placement[];
  /** Observed usage per `namespace/name`. */
  usage: ReadonlyMap<string, UsageProfile>;
  catalog: PriceCatalog;
  options?: RecommendOptions;
}

export interface RecommendResult {
  recommendations: Recommendation[];
  /** Monthly cost (requests × unit prices + fees of clusters in use) before and after applying all. */
  monthlyBefore: number;
  monthlyAfter: number;
  /** The placements and workloads with every recommendation applied. */
  placements: Placement[];
  workloads: Workload[];
  /** Constraint violations the current state already has (recommendations never add any). */
  existingViolations: Violation[];
  /** Workloads not considered for rightsizing yet: fewer usage samples than `minSamples`. */
  tooFewSamples: { minSamples: number; workloads: string[] };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Computes recommendations in order: rightsizing first (it frees room), then spot and cheaper
 * clusters per workload, then consolidation of under-used clusters. A candidate is kept only if,
 * with every earlier recommendation applied, all affected workloads still meet residency,
 * selectors, affinity, taints, spread and replica count, keep as many failure domains as they
 * had at their `availability.survive` level, and every affected cluster stays within capacity.
 * @example const { recommendations } = recommend({ clusters, workloads, placements, usage, catalog })
 */
export function recommend(input: RecommendInput): RecommendResult {
  const o = { cpuHeadroom: 1.3, memoryHeadroom: 1.2, minCpu: 0.05, minMemoryGiB: 0.0625, minSamples: 10, confidentSamples: 100, minReduction: 0.2, consolidateBelow: 0.3, minMonthlySaving: 1, ...input.options };
  const pricing = priceFleet(input.clusters, input.catalog);
  const st = planState(input.clusters, input.workloads, input.placements, (cs, ws, ps) => allocateRates({ clusters: cs, workloads: ws, placements: ps }, input.catalog).lines, pricing);
  const existingViolations = st.violations();
  const monthlyBefore = st.totalPerHour() * HOURS_PER_MONTH;
  const recs: Recommendation[] = [];
  const add = (r: Omit<Recommendation, 'id'>) => recs.push({ id: `${r.type}-${recs.length + 1}`, ...r, monthlySaving: round2(r.monthlySaving) });

  const tooFew = rightsize(st, input.usage, o, add);
  for (const key of st.keys()) relocate(st, key, o.minMonthlySaving, add);
  consolidate(st, pricing, o, add);

  return { recommendations: recs, monthlyBefore, monthlyAfter: st.totalPerHour() * HOURS_PER_MONTH, placements: st.placements(), workloads: st.workloads(), existingViolations, tooFewSamples: { minSamples: o.minSamples, workloads: tooFew } };
}

type Add = (r: Omit<Recommendation, 'id'>) => void;

/** Adds the rightsizing recommendations; returns the workloads with too few samples to judge. */
function rightsize(st: PlanState, usage: ReadonlyMap<string, UsageProfile>, o: Required<RecommendOptions>, add: Add): string[] {
  const tooFew: string[] = [];
  for (const key of st.keys()) {
    const w = st.workload(key);
    const u = usage.get(key);
    if (!u || u.samples < o.minSamples) {
      tooFew.push(key);
      continue;
    }
    const req = workloadRequests(w);
    // Round up: CPU to 10 millicores, memory to 16 MiB.
    const cpu = Math.max(o.minCpu, Math.ceil(u.cpuP95 * o.cpuHeadroom * 100) / 100);
    const mem = Math.max(o.minMemoryGiB, Math.ceil((u.memoryP95GiB * o.memoryHeadroom * 1024) / 16) * (16 / 1024));
    const newCpu = req.cpu > 0 && cpu <= req.cpu * (1 - o.minReduction) ? cpu : req.cpu;
    const newMem = req.memoryGiB > 0 && mem <= req.memoryGiB * (1 - o.minReduction) ? mem : req.memoryGiB;
    if (newCpu === req.cpu && newMem === req.memoryGiB) continue;
    const resources = { ...w.spec.resources, ...(newCpu !== req.cpu ? { cpu: `${Math.round(newCpu * 1000)}m` } : {}), ...(newMem !== req.memoryGiB ? { memory: formatBytes(Math.round(newMem * GiB)) } : {}) };
    const next: Workload = { ...w, spec: { ...w.spec, resources } };
    const t = st.tryChange(new Map(), new Map([[key, next]]));
    if (!t.ok || -t.deltaPerHour * HOURS_PER_MONTH < o.minMonthlySaving) {
      t.rollback();
      continue;
    }
    t.commit();
    add({
      type: 'rightsize',
      workloads: [key],
      clusters: st.clustersOf(key).map((c) => c.cluster),
      monthlySaving: -t.deltaPerHour * HOURS_PER_MONTH,
      risk: u.samples >= o.confidentSamples ? 'low' : 'medium',
      reason: `p95 usage per replica is ${Math.round(u.cpuP95 * 1000)}m CPU and ${formatBytes(Math.round(u.memoryP95GiB * GiB))} over ${u.samples} samples; requests ${w.spec.resources?.cpu ?? '-'} / ${w.spec.resources?.memory ?? '-'} → ${resources.cpu ?? '-'} / ${resources.memory ?? '-'} (p95 × ${o.cpuHeadroom} CPU, × ${o.memoryHeadroom} memory)`,
      changes: [{ kind: 'Workload', namespace: w.metadata.namespace, name: w.metadata.name, patch: { spec: { resources } } }],
    });
  }
  return tooFew;
}

// The best single move of all replicas on one cluster to another allowed cluster, if it saves.
function relocate(st: PlanState, key: string, minSaving: number, add: Add): void {
  const w = st.workload(key);
  let best: { from: string; to: string; delta: number; spotBefore: number; spotAfter: number; clusters: ClusterReplicas } | undefined;
  const current = st.clustersOf(key);
  const spotBefore = st.spotReplicas(key);
  for (const from of current) {
    for (const to of st.clusterNames()) {
      if (to === from.cluster || clusterAllowed(w, st.cluster(to))) continue;
      const merged = new Map(current.map((c) => [c.cluster, c.replicas]));
      merged.delete(from.cluster);
      merged.set(to, (merged.get(to) ?? 0) + from.replicas);
      const clusters = [...merged].map(([cluster, replicas]) => ({ cluster, replicas })).sort((a, b) => a.cluster.localeCompare(b.cluster));
      const t = st.tryChange(new Map([[key, clusters]]));
      if (t.ok && (!best || t.deltaPerHour < best.delta)) best = { from: from.cluster, to, delta: t.deltaPerHour, spotBefore, spotAfter: st.spotReplicas(key), clusters };
      t.rollback();
    }
  }
  if (!best || -best.delta * HOURS_PER_MONTH < minSaving) return;
  st.tryChange(new Map([[key, best.clusters]])).commit();
  const toSpot = w.spec.placement.spotTolerant && best.spotAfter > best.spotBefore;
  const a = st.cluster(best.from);
  const b = st.cluster(best.to);
  add({
    type: toSpot ? 'spot' : 'move',
    workloads: [key],
    clusters: [best.from, best.to],
    monthlySaving: -best.delta * HOURS_PER_MONTH,
    risk: toSpot ? 'medium' : 'low',
    reason: toSpot
      ? `spot-tolerant: ${best.spotAfter - best.spotBefore} more replica(s) on spot capacity by moving from ${best.from} to ${best.to} (spot can be reclaimed at short notice)`
      : `${best.to} (${b.spec.provider} ${b.spec.region}) is cheaper than ${best.from} (${a.spec.provider} ${a.spec.region}) and keeps residency, spread and availability`,
    changes: [st.placementPatch(key)],
  });
}

function consolidate(st: PlanState, pricing: ReturnType<typeof priceFleet>, o: Required<RecommendOptions>, add: Add): void {
  const drained = new Set<string>();
  for (const name of st.clusterNames()) {
    const p = pricing.get(name);
    const load = st.load(name);
    if (p && !load && st.keysOn(name).length === 0) {
      // Nothing runs there (from the start, or since the moves above): only its removal saves.
      const saving = -st.cordon(name) * HOURS_PER_MONTH;
      if (saving < o.minMonthlySaving) continue;
      drained.add(name);
      add({
        type: 'consolidate',
        workloads: [],
        clusters: [name],
        monthlySaving: saving,
        risk: 'high',
        reason: `${name} runs no workload${p.feePerHour > 0 ? ` but costs its $${p.feePerHour.toFixed(2)}/h control-plane fee` : ''}: cordon and remove it (its node cost goes once its pools are scaled down; it is also room the others could fail over to)`,
        changes: [{ kind: 'Cluster', name, patch: { spec: { unschedulable: true } } }],
      });
      continue;
    }
    if (!p || !load || load.cpu / p.capacity.cpu >= o.consolidateBelow) continue;
    const keys = st.keysOn(name);
    const moves = new Map<string, ClusterReplicas>();
    const txs: { commit(): void; rollback(): void; deltaPerHour: number }[] = [];
    let ok = true;
    let delta = 0;
    for (const key of keys) {
      const w = st.workload(key);
      const current = st.clustersOf(key);
      const here = current.find((c) => c.cluster === name)!.replicas;
      let pick: { clusters: ClusterReplicas; delta: number } | undefined;
      for (const to of st.clusterNames()) {
        // Never onto a cluster that runs nothing: that one is the one to remove.
        if (to === name || drained.has(to) || st.keysOn(to).length === 0 || clusterAllowed(w, st.cluster(to))) continue;
        const merged = new Map(current.map((c) => [c.cluster, c.replicas]));
        merged.delete(name);
        merged.set(to, (merged.get(to) ?? 0) + here);
        const clusters = [...merged].map(([cluster, replicas]) => ({ cluster, replicas })).sort((a, b) => a.cluster.localeCompare(b.cluster));
        const t = st.tryChange(new Map([[key, clusters]]));
        if (t.ok && (!pick || t.deltaPerHour < pick.delta)) pick = { clusters, delta: t.deltaPerHour };
        t.rollback();
      }
      if (!pick) {
        ok = false;
        break;
      }
      // Keep this workload's move applied while placing the next, so they share the room left.
      const t = st.tryChange(new Map([[key, pick.clusters]]));
      txs.push(t);
      delta += t.deltaPerHour;
      moves.set(key, pick.clusters);
    }
    const fee = p.feePerHour;
    if (!ok || -(delta - fee) * HOURS_PER_MONTH < o.minMonthlySaving) {
      for (const t of txs.reverse()) t.rollback();
      continue;
    }
    for (const t of txs) t.commit();
    // Emptied and cordoned: its fee is what the consolidation saves on top of the moves.
    delta += st.cordon(name);
    drained.add(name);
    add({
      type: 'consolidate',
      workloads: [...moves.keys()],
      clusters: [name, ...new Set([...moves.values()].flatMap((cs) => cs.map((c) => c.cluster)))].filter((c, i, a) => a.indexOf(c) === i),
      monthlySaving: -delta * HOURS_PER_MONTH,
      risk: 'high',
      reason: `${name} has ${Math.round((load.cpu / p.capacity.cpu) * 100)}% of its CPU requested; moving its ${keys.length} workload(s) elsewhere inside their residency lets it be cordoned and removed (saves its $${p.feePerHour.toFixed(2)}/h control-plane fee, and its node cost once its pools are scaled down)`,
      changes: [...[...moves.keys()].map((k) => st.placementPatch(k)), { kind: 'Cluster', name, patch: { spec: { unschedulable: true } } }],
    });
  }
}
