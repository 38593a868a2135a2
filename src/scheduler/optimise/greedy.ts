// Per-workload placement moves used by the warm start, the repair of LP leftovers, failover
// and incremental placement. Each move is all-or-nothing: on failure it leaves the state as
// it found it.
import { websterDivide } from '../divide/webster.js';
import type { CompiledWorkload } from '../model/types.js';
import { addTo, removeFrom, roomIn, roomOn, unitObjective, type PlanState } from './state.js';

type Change = { c: number; spot: boolean; n: number };

/** One pool a workload may use, with its unit objective. */
export interface Pool {
  c: number;
  spot: boolean;
  u: number;
}

const poolCache = new WeakMap<object, Map<string, Pool[]>>();

/**
 * The pools of w's feasible clusters, cheapest first (ties by cluster index). Cached per
 * problem for workloads with equal requests, pools and feasibility, which is most of them.
 */
export function sortedPools(s: PlanState, w: CompiledWorkload): readonly Pool[] {
  const p = s.problem;
  const nc = p.clusters.length;
  let cache = poolCache.get(p);
  if (!cache) poolCache.set(p, (cache = new Map()));
  const key = p.objectiveFactor.has(w.index)
    ? `#${w.index}`
    : `${w.cpu}|${w.memGiB}|${w.spotTolerant}|${Buffer.from(p.rejectedBy.buffer, p.rejectedBy.byteOffset + w.index * nc, nc).toString('latin1')}`;
  let pools = cache.get(key);
  if (!pools) {
    pools = [];
    for (const c of candidates(s, w)) {
      for (const spot of [false, true]) {
        const u = unitObjective(p, w, c, spot);
        if (u < Infinity) pools.push({ c, spot, u });
      }
    }
    pools.sort((a, b) => a.u - b.u || a.c - b.c);
    cache.set(key, pools);
  }
  return pools;
}

function rollback(s: PlanState, w: CompiledWorkload, changes: Change[]): void {
  for (const ch of changes) removeFrom(s, w, ch.c, ch.spot, ch.n);
}

function add(s: PlanState, w: CompiledWorkload, c: number, spot: boolean, n: number, changes: Change[]): void {
  addTo(s, w, c, spot, n);
  changes.push({ c, spot, n });
}

/** Feasible cluster indices of w (every filter passed), minus `exclude`. */
export function candidates(s: PlanState, w: CompiledWorkload, exclude?: ReadonlySet<number>): number[] {
  const nc = s.problem.clusters.length;
  const base = w.index * nc;
  const out: number[] = [];
  for (let c = 0; c < nc; c++) if (s.problem.rejectedBy[base + c] === 0 && !exclude?.has(c)) out.push(c);
  return out;
}

/** Distinct providers, regions and clusters that hold replicas of w. */
export function spreadOf(s: PlanState, w: CompiledWorkload): { providers: Set<string>; regions: Set<string>; clusters: number } {
  const providers = new Set<string>();
  const regions = new Set<string>();
  let clusters = 0;
  for (const x of s.slots[w.index]!) {
    if (x.od + x.spot <= 0) continue;
    const cl = s.problem.clusters[x.c]!;
    providers.add(cl.provider);
    regions.add(cl.regionKey);
    clusters++;
  }
  return { providers, regions, clusters };
}

/** Whether w's current replicas meet its hard spread minimums. */
export function spreadMet(s: PlanState, w: CompiledWorkload): boolean {
  const sp = spreadOf(s, w);
  return sp.providers.size >= w.minProviders && sp.regions.size >= w.minRegions && sp.clusters >= w.minClusters;
}

/** Puts up to n replicas on c, cheapest pool first; returns how many it placed. */
function fillCluster(s: PlanState, w: CompiledWorkload, c: number, n: number, changes: Change[]): number {
  const p = s.problem;
  const order = unitObjective(p, w, c, true) < unitObjective(p, w, c, false) ? [true, false] : [false, true];
  let left = n;
  for (const spot of order) {
    if (left <= 0) break;
    if (unitObjective(p, w, c, spot) === Infinity) continue;
    const k = Math.min(left, roomIn(s, w, c, spot));
    if (k > 0) {
      add(s, w, c, spot, k, changes);
      left -= k;
    }
  }
  return n - left;
}

/**
 * Places `need` more replicas of a Divided workload: first one replica on each cluster that
 * adds a missing provider, region or cluster (cheapest first), then the rest on the cheapest
 * pools with room. All or nothing.
 */
export function placeGreedy(s: PlanState, w: CompiledWorkload, need: number, exclude?: ReadonlySet<number>): boolean {
  const p = s.problem;
  const cands = candidates(s, w, exclude);
  const changes: Change[] = [];
  let left = need;
  const sp = spreadOf(s, w);
  const used = new Set(s.slots[w.index]!.map((x) => x.c));
  const best = (c: number) => Math.min(unitObjective(p, w, c, false), unitObjective(p, w, c, true));
  while (left > 0 && (sp.providers.size < w.minProviders || sp.regions.size < w.minRegions || sp.clusters < w.minClusters)) {
    const needP = sp.providers.size < w.minProviders;
    const needR = sp.regions.size < w.minRegions;
    let pick = -1;
    let pickCost = Infinity;
    for (const c of cands) {
      if (used.has(c)) continue;
      const cl = p.clusters[c]!;
      if (needP && sp.providers.has(cl.provider)) continue;
      if (!needP && needR && sp.regions.has(cl.regionKey)) continue;
      if (roomOn(s, w, c) < 1) continue;
      const u = best(c);
      if (u < pickCost) [pick, pickCost] = [c, u];
    }
    if (pick < 0) return (rollback(s, w, changes), false);
    fillCluster(s, w, pick, 1, changes);
    const cl = p.clusters[pick]!;
    used.add(pick);
    sp.providers.add(cl.provider);
    sp.regions.add(cl.regionKey);
    sp.clusters++;
    left--;
  }
  if (sp.providers.size < w.minProviders || sp.regions.size < w.minRegions || sp.clusters < w.minClusters) return (rollback(s, w, changes), false);
  if (left > 0) {
    for (const pool of sortedPools(s, w)) {
      if (exclude?.has(pool.c)) continue;
      const k = Math.min(left, roomIn(s, w, pool.c, pool.spot));
      if (k > 0) {
        add(s, w, pool.c, pool.spot, k, changes);
        left -= k;
        if (left === 0) break;
      }
    }
  }
  if (left > 0) return (rollback(s, w, changes), false);
  return true;
}

/** Duplicated: spec.replicas on every feasible cluster with room; spread must still hold. */
export function placeDuplicated(s: PlanState, w: CompiledWorkload): boolean {
  const changes: Change[] = [];
  for (const c of candidates(s, w)) {
    if (roomOn(s, w, c) < w.replicas) continue;
    const before = changes.length;
    if (fillCluster(s, w, c, w.replicas, changes) < w.replicas) {
      rollback(s, w, changes.splice(before));
    }
  }
  if (changes.length === 0 || !spreadMet(s, w)) return (rollback(s, w, changes), false);
  return true;
}

/** The Webster split of a staticWeights workload over its feasible named clusters. */
export function weightedSplit(s: PlanState, w: CompiledWorkload): { c: number; n: number }[] {
  const cands = candidates(s, w).filter((c) => w.weights!.has(s.problem.clusters[c]!.name));
  const shares = websterDivide(w.replicas, cands.map((c) => w.weights!.get(s.problem.clusters[c]!.name)!));
  return cands.map((c, i) => ({ c, n: shares[i]! })).filter((x) => x.n > 0);
}

/** staticWeights: the Webster split, each share where the weights put it. */
export function placeWeighted(s: PlanState, w: CompiledWorkload): boolean {
  const changes: Change[] = [];
  for (const { c, n } of weightedSplit(s, w)) {
    if (roomOn(s, w, c) < n || fillCluster(s, w, c, n, changes) < n) return (rollback(s, w, changes), false);
  }
  if (!spreadMet(s, w)) return (rollback(s, w, changes), false);
  return true;
}

/** Places a whole workload by its mode; false (state unchanged) when it does not fit. */
export function placeWorkload(s: PlanState, w: CompiledWorkload): boolean {
  if (w.replicas === 0) return true;
  if (w.mode === 'Duplicated') return placeDuplicated(s, w);
  if (w.weights) return placeWeighted(s, w);
  return placeGreedy(s, w, w.replicas);
}
