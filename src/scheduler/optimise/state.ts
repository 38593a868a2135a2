// The mutable working plan of the optimiser: free capacity per cluster pool and the replicas
// of every workload per cluster and pool. Every heuristic, repair and incremental step goes
// through add/remove here, so capacity accounting lives in exactly one place.
import type { CompiledWorkload, Problem } from '../model/types.js';
import { odReplicaCost, spotReplicaCost } from '../model/unit-cost.js';

/** Replicas of one workload on one cluster, by pool. */
export interface Slot {
  c: number;
  od: number;
  spot: number;
}

export interface PlanState {
  problem: Problem;
  freeOdCpu: Float64Array;
  freeOdMem: Float64Array;
  freeSpotCpu: Float64Array;
  freeSpotMem: Float64Array;
  freePods: Float64Array;
  /** Per workload index: its slots (empty = not placed). */
  slots: Slot[][];
}

const EPS = 1e-9;

/** A plan with nothing placed: free capacity = cluster capacity. */
export function emptyState(problem: Problem): PlanState {
  const cs = problem.clusters;
  return {
    problem,
    freeOdCpu: Float64Array.from(cs, (c) => c.odCpu),
    freeOdMem: Float64Array.from(cs, (c) => c.odMem),
    freeSpotCpu: Float64Array.from(cs, (c) => c.spotCpu),
    freeSpotMem: Float64Array.from(cs, (c) => c.spotMem),
    freePods: Float64Array.from(cs, (c) => c.pods),
    slots: problem.workloads.map(() => []),
  };
}

/** Independent copy (for trying a move and keeping the better plan). */
export function cloneState(s: PlanState): PlanState {
  return {
    problem: s.problem,
    freeOdCpu: s.freeOdCpu.slice(),
    freeOdMem: s.freeOdMem.slice(),
    freeSpotCpu: s.freeSpotCpu.slice(),
    freeSpotMem: s.freeSpotMem.slice(),
    freePods: s.freePods.slice(),
    slots: s.slots.map((l) => l.map((x) => ({ ...x }))),
  };
}

function fitIn(w: CompiledWorkload, cpu: number, mem: number): number {
  const a = w.cpu > 0 ? Math.floor((cpu + EPS) / w.cpu) : Infinity;
  const b = w.memGiB > 0 ? Math.floor((mem + EPS) / w.memGiB) : Infinity;
  return Math.max(0, Math.min(a, b));
}

/** Replicas of w on cluster c now. */
export function onCluster(s: PlanState, w: number, c: number): number {
  for (const x of s.slots[w]!) if (x.c === c) return x.od + x.spot;
  return 0;
}

/** How many more replicas of w fit in one pool of c (pods and maxPerCluster included). */
export function roomIn(s: PlanState, w: CompiledWorkload, c: number, spot: boolean): number {
  const pool = spot ? (w.spotTolerant ? fitIn(w, s.freeSpotCpu[c]!, s.freeSpotMem[c]!) : 0) : fitIn(w, s.freeOdCpu[c]!, s.freeOdMem[c]!);
  return Math.min(pool, Math.floor(s.freePods[c]! + EPS), w.maxPerCluster - onCluster(s, w.index, c));
}

/** Total room for w on c across the pools it may use. */
export function roomOn(s: PlanState, w: CompiledWorkload, c: number): number {
  const od = fitIn(w, s.freeOdCpu[c]!, s.freeOdMem[c]!);
  const sp = w.spotTolerant ? fitIn(w, s.freeSpotCpu[c]!, s.freeSpotMem[c]!) : 0;
  return Math.max(0, Math.min(od + sp, Math.floor(s.freePods[c]! + EPS), w.maxPerCluster - onCluster(s, w.index, c)));
}

/** Adds n replicas of w to one pool of c, without checking room (callers check first). */
export function addTo(s: PlanState, w: CompiledWorkload, c: number, spot: boolean, n: number): void {
  if (n <= 0) return;
  if (spot) {
    s.freeSpotCpu[c]! -= n * w.cpu;
    s.freeSpotMem[c]! -= n * w.memGiB;
  } else {
    s.freeOdCpu[c]! -= n * w.cpu;
    s.freeOdMem[c]! -= n * w.memGiB;
  }
  s.freePods[c]! -= n;
  const list = s.slots[w.index]!;
  let slot = list.find((x) => x.c === c);
  if (!slot) list.push((slot = { c, od: 0, spot: 0 }));
  if (spot) slot.spot += n;
  else slot.od += n;
}

/** Removes n replicas of w from one pool of c. */
export function removeFrom(s: PlanState, w: CompiledWorkload, c: number, spot: boolean, n: number): void {
  const list = s.slots[w.index]!;
  const i = list.findIndex((x) => x.c === c);
  if (i < 0 || n <= 0) return;
  const slot = list[i]!;
  const k = Math.min(n, spot ? slot.spot : slot.od);
  if (spot) {
    slot.spot -= k;
    s.freeSpotCpu[c]! += k * w.cpu;
    s.freeSpotMem[c]! += k * w.memGiB;
  } else {
    slot.od -= k;
    s.freeOdCpu[c]! += k * w.cpu;
    s.freeOdMem[c]! += k * w.memGiB;
  }
  s.freePods[c]! += k;
  if (slot.od + slot.spot === 0) list.splice(i, 1);
}

/** Removes every replica of w (a workload is placed whole or not at all). */
export function clearWorkload(s: PlanState, w: CompiledWorkload): void {
  for (const slot of [...s.slots[w.index]!]) {
    removeFrom(s, w, slot.c, true, slot.spot);
    removeFrom(s, w, slot.c, false, slot.od);
  }
}

/** Objective per replica-hour of w in one pool of c (USD × latency factor); Infinity if unusable. */
export function unitObjective(p: Problem, w: CompiledWorkload, c: number, spot: boolean): number {
  const cl = p.clusters[c]!;
  const usd = spot ? spotReplicaCost(w, cl) : cl.odCpu > 0 ? odReplicaCost(w, cl) : Infinity;
  const f = p.objectiveFactor.get(w.index);
  return f ? usd * f[c]! : usd;
}

/** USD per replica-hour of w in one pool of c, without latency factors; Infinity if unusable. */
export function unitUsd(p: Problem, w: CompiledWorkload, c: number, spot: boolean): number {
  const cl = p.clusters[c]!;
  return spot ? spotReplicaCost(w, cl) : cl.odCpu > 0 ? odReplicaCost(w, cl) : Infinity;
}

/** USD per hour of w's current slots. */
export function workloadCost(s: PlanState, w: CompiledWorkload): number {
  let sum = 0;
  for (const x of s.slots[w.index]!) {
    const cl = s.problem.clusters[x.c]!;
    if (x.od) sum += x.od * odReplicaCost(w, cl);
    if (x.spot) sum += x.spot * spotReplicaCost(w, cl);
  }
  return sum;
}

/** Objective per hour of w's current slots. */
export function workloadObjective(s: PlanState, w: CompiledWorkload): number {
  let sum = 0;
  for (const x of s.slots[w.index]!) {
    if (x.od) sum += x.od * unitObjective(s.problem, w, x.c, false);
    if (x.spot) sum += x.spot * unitObjective(s.problem, w, x.c, true);
  }
  return sum;
}

/** Replicas of w currently placed. */
export function placedReplicas(s: PlanState, w: number): number {
  let n = 0;
  for (const x of s.slots[w]!) n += x.od + x.spot;
  return n;
}
