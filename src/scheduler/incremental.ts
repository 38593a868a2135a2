// Incremental placement for the controllers: a compiled fleet kept in memory with its free
// capacity, one new workload placed in O(clusters), and failover that re-places only the
// replicas of failed clusters. Nothing else moves.
import { recordedSpot, type Cluster, type Placement, type Workload } from '../api/index.js';
import { UnschedulableCode } from './framework/contract.js';
import { compileCluster, compileFromParts, compileWorkload, type CompileOptions } from './model/compile.js';
import type { CompiledCluster, CompiledWorkload, Problem } from './model/types.js';
import { placeGreedy, placeWorkload } from './optimise/greedy.js';
import { emptyState, unitObjective, workloadCost, type PlanState, type Slot } from './optimise/state.js';
import { aloneVerdict } from './optimise/verdict.js';
import type { WorkloadPlacement } from './schedule.js';

/** The scheduler's in-memory view of the fleet: compiled clusters, free capacity, placements. */
export interface FleetState {
  clusters: CompiledCluster[];
  clusterIndex: Map<string, number>;
  workloads: Map<string, CompiledWorkload>;
  /** Replicas per workload key by cluster and pool. */
  slots: Map<string, Slot[]>;
  free: Pick<PlanState, 'freeOdCpu' | 'freeOdMem' | 'freeSpotCpu' | 'freeSpotMem' | 'freePods'>;
  opts: CompileOptions;
}

export interface IncrementalResult {
  placement?: WorkloadPlacement;
  unschedulable?: { namespace: string; name: string; code: string; reason: string };
}

const keyOf = (w: { metadata: { namespace?: string; name: string } }) => `${w.metadata.namespace ?? 'default'}/${w.metadata.name}`;

/**
 * Compiles the fleet and books the capacity used by `placements` (of `workloads`), each
 * cluster's replicas on the pools their Placement records (`spotReplicas`), inferred only for
 * Placements without it. Do this once; then call placeOne / replaceFailed as events arrive.
 */
export function createFleetState(clusters: readonly Cluster[], workloads: readonly Workload[], placements: readonly Placement[], opts: CompileOptions = {}): FleetState {
  const cs = [...clusters].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map((c, i) => compileCluster(c, i, opts.catalog));
  const problem = compileFromParts(cs, [], [], opts);
  const s = emptyState(problem);
  const fleet: FleetState = {
    clusters: cs,
    clusterIndex: problem.clusterIndex,
    workloads: new Map(workloads.map((w, i) => [keyOf(w), compileWorkload(w, i)])),
    slots: new Map(),
    free: { freeOdCpu: s.freeOdCpu, freeOdMem: s.freeOdMem, freeSpotCpu: s.freeSpotCpu, freeSpotMem: s.freeSpotMem, freePods: s.freePods },
    opts,
  };
  // Recorded splits are booked first, as placed; only Placements written before spotReplicas
  // was recorded have theirs inferred, from the spot capacity the recorded ones leave.
  const entries: { key: string; w: CompiledWorkload; c: number; replicas: number; spot: number | undefined; i: number }[] = [];
  for (const pl of placements) {
    const key = `${pl.metadata.namespace ?? 'default'}/${pl.spec.workload}`;
    const w = fleet.workloads.get(key);
    if (!w) continue;
    fleet.slots.set(key, []);
    for (const e of pl.spec.clusters) {
      const c = fleet.clusterIndex.get(e.cluster);
      if (c === undefined || e.replicas <= 0) continue;
      entries.push({ key, w, c, replicas: e.replicas, spot: recordedSpot(e), i: entries.length });
    }
  }
  const slots: Slot[] = [];
  for (const x of [...entries.filter((e) => e.spot !== undefined), ...entries.filter((e) => e.spot === undefined)]) {
    const cl = cs[x.c]!;
    // A recorded spot share is kept while the cluster still has a spot pool; the inference books
    // spot-tolerant replicas on the spot pool first, as the optimiser places them.
    const spot = cl.spotCpu <= 0 ? 0 : x.spot ?? (x.w.spotTolerant ? Math.min(x.replicas, Math.floor(Math.min(s.freeSpotCpu[x.c]! / (x.w.cpu || Infinity), s.freeSpotMem[x.c]! / (x.w.memGiB || Infinity)))) : 0);
    const slot = { c: x.c, od: x.replicas - spot, spot };
    book(fleet, x.w, slot, +1);
    slots[x.i] = slot;
  }
  // Each workload's slots in the order of its Placement's clusters.
  for (const x of entries) fleet.slots.get(x.key)!.push(slots[x.i]!);
  return fleet;
}

function book(f: FleetState, w: CompiledWorkload, x: Slot, sign: 1 | -1): void {
  f.free.freeOdCpu[x.c]! -= sign * x.od * w.cpu;
  f.free.freeOdMem[x.c]! -= sign * x.od * w.memGiB;
  f.free.freeSpotCpu[x.c]! -= sign * x.spot * w.cpu;
  f.free.freeSpotMem[x.c]! -= sign * x.spot * w.memGiB;
  f.free.freePods[x.c]! -= sign * (x.od + x.spot);
}

// A one-or-few-workload problem over the fleet's clusters, sharing its free capacity arrays.
function subProblem(f: FleetState, ws: CompiledWorkload[]): { problem: Problem; state: PlanState } {
  const indexed = ws.map((w, i) => ({ ...w, index: i }));
  const problem = compileFromParts(f.clusters, indexed, [], f.opts);
  const { freeOdCpu, freeOdMem, freeSpotCpu, freeSpotMem, freePods } = f.free;
  const state: PlanState = { problem, freeOdCpu, freeOdMem, freeSpotCpu, freeSpotMem, freePods, slots: indexed.map((w) => (f.slots.get(w.key) ?? []).map((x) => ({ ...x }))) };
  return { problem, state };
}

function toPlacement(s: PlanState, w: CompiledWorkload): WorkloadPlacement {
  const clusters = s.slots[w.index]!
    .map((x) => ({ cluster: s.problem.clusters[x.c]!.name, replicas: x.od + x.spot, ...(x.spot ? { spotReplicas: x.spot } : {}) }))
    .sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  return { namespace: w.namespace, name: w.name, clusters, costPerHour: Math.round(workloadCost(s, w) * 1e6) / 1e6 };
}

/**
 * Places one new (or changed) workload on the free capacity, cheapest first, without moving
 * anything else, and books it in the fleet state.
 * @example const r = placeOne(fleet, workload); if (r.placement) store.apply(...)
 */
export function placeOne(f: FleetState, workload: Workload): IncrementalResult {
  const key = keyOf(workload);
  const old = f.slots.get(key);
  const prev = f.workloads.get(key);
  if (old && prev) for (const x of old) book(f, prev, x, -1);
  f.slots.delete(key);
  const w = compileWorkload(workload, 0);
  f.workloads.set(key, w);
  const { problem, state } = subProblem(f, [w]);
  const cw = problem.workloads[0]!;
  const v = aloneVerdict(problem, cw);
  if (v) return { unschedulable: { namespace: cw.namespace, name: cw.name, code: v.code, reason: v.reason } };
  if (!placeWorkload(state, cw))
    return { unschedulable: { namespace: cw.namespace, name: cw.name, code: UnschedulableCode.CapacityContention, reason: 'fits alone on the empty fleet but not in the free capacity left' } };
  f.slots.set(key, state.slots[0]!);
  return { placement: toPlacement(state, cw) };
}

export interface FailoverResult {
  /** New placements of the workloads that had replicas on the failed clusters. */
  placements: WorkloadPlacement[];
  /** Workloads whose lost replicas found no room: they keep their surviving replicas. */
  degraded: { namespace: string; name: string; code: string; reason: string; missingReplicas: number }[];
  /** Replicas re-placed in total. */
  moved: number;
}

/**
 * Marks clusters failed and re-places only the replicas they held, each on the cheapest
 * feasible cluster with room inside the workload's residency; no other replica moves.
 */
export function replaceFailed(f: FleetState, failed: readonly string[]): FailoverResult {
  const down = new Set<number>();
  for (const n of failed) {
    const c = f.clusterIndex.get(n);
    if (c === undefined) continue;
    down.add(c);
    f.clusters[c] = { ...f.clusters[c]!, phase: 'NotReady' };
  }
  const affected: CompiledWorkload[] = [];
  for (const [key, slots] of f.slots) if (slots.some((x) => down.has(x.c))) affected.push(f.workloads.get(key)!);
  // Scarce and high-priority workloads first: they have the fewest places to go.
  affected.sort((a, b) => a.priority - b.priority || a.key.localeCompare(b.key));
  const { problem, state } = subProblem(f, affected);
  const result: FailoverResult = { placements: [], degraded: [], moved: 0 };
  for (const w of problem.workloads) {
    const lost = state.slots[w.index]!.filter((x) => down.has(x.c));
    const lostReplicas = lost.reduce((a, x) => a + x.od + x.spot, 0);
    // Failed clusters' capacity is gone with them: drop the replicas without freeing it.
    state.slots[w.index] = state.slots[w.index]!.filter((x) => !down.has(x.c));
    const ok = placeLost(state, w, lost.length, lostReplicas);
    if (!ok) result.degraded.push({ namespace: w.namespace, name: w.name, code: UnschedulableCode.CapacityContention, reason: `no room for ${lostReplicas} replica(s) inside its feasible clusters after the failure`, missingReplicas: lostReplicas });
    else result.moved += lostReplicas;
    f.slots.set(w.key, state.slots[w.index]!);
    result.placements.push(toPlacement(state, w));
  }
  return result;
}

// Places replicas lost from `copies` slots elsewhere: Duplicated re-creates each lost copy
// whole, Divided places the lost count cheapest first. False when not all fit.
function placeLost(state: PlanState, w: CompiledWorkload, copies: number, replicas: number): boolean {
  if (w.mode !== 'Duplicated') return placeGreedy(state, w, replicas);
  let ok = true;
  for (let i = 0; i < copies; i++) ok = placeDuplicateCopy(state, w) && ok;
  return ok;
}

export interface ResidencyEviction {
  placement: WorkloadPlacement;
  /** Clusters the workload's replicas were taken off: live, but outside its residency. */
  from: string[];
  /** Replicas taken off that found no room inside the residency (they are not run at all). */
  missingReplicas: number;
}

/**
 * Residency holds while replicas run, not only when they are placed: the replicas of `key` on
 * clusters outside its residency (a cluster's jurisdiction changed, or a Placement was written
 * by hand) are taken off them, their capacity freed, and placed inside the residency where
 * there is room; the rest are dropped, never left outside. Undefined when none is outside.
 */
export function evictOutsideResidency(f: FleetState, key: string): ResidencyEviction | undefined {
  const w0 = f.workloads.get(key);
  const allowed = w0?.residency;
  const slots = f.slots.get(key);
  if (!w0 || !allowed || !slots) return undefined;
  const outside = (x: Slot) => {
    const j = f.clusters[x.c]!.residency;
    return x.od + x.spot > 0 && (j === undefined || !allowed.includes(j));
  };
  const leaving = slots.filter(outside);
  if (leaving.length === 0) return undefined;
  for (const x of leaving) book(f, w0, x, -1);
  f.slots.set(key, slots.filter((x) => !outside(x)));
  const { problem, state } = subProblem(f, [w0]);
  const w = problem.workloads[0]!;
  const count = (xs: readonly Slot[]) => xs.reduce((a, x) => a + x.od + x.spot, 0);
  const lost = count(leaving);
  const kept = count(state.slots[0]!);
  // Short of room for all: as many as fit (each Duplicated copy is placed whole or not at all).
  if (!placeLost(state, w, leaving.length, lost) && w.mode !== 'Duplicated') for (let k = lost - 1; k > 0 && !placeGreedy(state, w, k); k--);
  f.slots.set(key, state.slots[0]!);
  return { placement: toPlacement(state, w), from: leaving.map((x) => f.clusters[x.c]!.name).sort(), missingReplicas: lost - (count(state.slots[0]!) - kept) };
}

// Duplicated: a lost copy is re-created whole on the cheapest feasible cluster not yet used.
function placeDuplicateCopy(s: PlanState, w: CompiledWorkload): boolean {
  const p = s.problem;
  const nc = p.clusters.length;
  const used = new Set(s.slots[w.index]!.map((x) => x.c));
  let best = -1;
  let bestU = Infinity;
  for (let c = 0; c < nc; c++) {
    if (used.has(c) || p.rejectedBy[w.index * nc + c] !== 0) continue;
    const u = Math.min(unitObjective(p, w, c, false), unitObjective(p, w, c, true));
    if (u < bestU && fits(s, w, c)) [best, bestU] = [c, u];
  }
  if (best < 0) return false;
  return placeGreedy(s, { ...w, minClusters: 0, minProviders: 0, minRegions: 0 }, w.replicas, new Set([...Array(nc).keys()].filter((c) => c !== best)));
}

function fits(s: PlanState, w: CompiledWorkload, c: number): boolean {
  const cpu = s.freeOdCpu[c]! + (w.spotTolerant ? s.freeSpotCpu[c]! : 0);
  const mem = s.freeOdMem[c]! + (w.spotTolerant ? s.freeSpotMem[c]! : 0);
  return cpu + 1e-9 >= w.cpu * w.replicas && mem + 1e-9 >= w.memGiB * w.replicas && s.freePods[c]! >= w.replicas;
}
