// The optimiser, assembled: verdicts → keep current → forced splits → greedy warm start →
// LP relaxation → round down and pour → repair leftovers → local improvement → bound.
import type { Highs } from 'highs';
import { UnschedulableCode } from '../framework/contract.js';
import type { CompiledWorkload, Problem } from '../model/types.js';
import { candidates, placeGreedy, placeWorkload, spreadMet } from './greedy.js';
import { ejectionPass } from './eject.js';
import { improve } from './improve.js';
import { lnsSearch, type LnsResult } from './lns.js';
import { placeWithEviction } from './repair.js';
import { groupWorkloads, solveLp, type Group, type LpResult } from './lp.js';
import { addTo, cloneState, clearWorkload, emptyState, placedReplicas, removeFrom, roomIn, unitObjective, unitUsd, workloadCost, workloadObjective, type PlanState } from './state.js';
import { aloneVerdict, type Verdict } from './verdict.js';

export interface SolveOptions {
  /** Wall-clock budget for the whole solve (ms). */
  timeLimitMs: number;
  /** The loaded LP solver; without it the greedy plan and a capacity-free bound are returned. */
  highs?: Highs;
  /** Re-optimise from scratch instead of keeping valid current placements. */
  rebalance?: boolean;
}

export interface SolveOutcome {
  state: PlanState;
  unschedulable: Map<number, Verdict>;
  objective: number;
  lowerBound: number;
  /** Proven lower bound of the USD cost alone (equals lowerBound when no workload is latency-aware). */
  costLowerBound: number;
  /** How the bound was proven: LP optimum, or the capacity-free per-workload minimum. */
  boundKind: 'lp' | 'relaxed';
  stats: Record<string, number | string>;
}

// Scarce first: workloads with fewer feasible clusters (EU-only, pinned) compete for less.
function placementOrder(p: Problem, ws: CompiledWorkload[]): CompiledWorkload[] {
  const nc = p.clusters.length;
  const nfeas = new Map<number, number>();
  for (const w of ws) {
    let n = 0;
    for (let c = 0; c < nc; c++) if (p.rejectedBy[w.index * nc + c] === 0) n++;
    nfeas.set(w.index, n);
  }
  return [...ws].sort(
    (a, b) => a.priority - b.priority || nfeas.get(a.index)! - nfeas.get(b.index)! || b.replicas * (b.cpu + b.memGiB / 4) - a.replicas * (a.cpu + a.memGiB / 4) || a.index - b.index,
  );
}

// Keeps what still fits of the current placement of a flexible workload and tops it up.
function keepCurrent(s: PlanState, w: CompiledWorkload, cur: ReadonlyMap<number, number>): boolean {
  const p = s.problem;
  const nc = p.clusters.length;
  let left = w.replicas;
  const order = [...cur].sort((a, b) => a[0] - b[0]);
  for (const [c, n] of order) {
    if (p.rejectedBy[w.index * nc + c] !== 0) continue;
    let k = Math.min(n, left);
    for (const spot of unitObjective(p, w, c, true) < unitObjective(p, w, c, false) ? [true, false] : [false, true]) {
      if (unitObjective(p, w, c, spot) === Infinity) continue;
      const r = Math.min(k, roomIn(s, w, c, spot));
      if (r > 0) addTo(s, w, c, spot, r);
      k -= r;
      left -= r;
    }
  }
  if (left > 0 && !placeGreedy(s, w, left)) return (clearWorkload(s, w), false);
  if (!spreadMet(s, w)) return (clearWorkload(s, w), false);
  return true;
}

// Gives each group's floored LP amounts to its members, cheapest pool first. Members that do
// not get all their replicas keep what they got and are returned with what they still need.
function pour(s: PlanState, groups: readonly Group[], lp: LpResult): { w: CompiledWorkload; need: number }[] {
  const amount = new Float64Array(lp.columns.length);
  lp.columns.forEach((_, j) => (amount[j] = Math.floor(lp.values![j]! + 1e-6)));
  const byGroup: number[][] = groups.map(() => []);
  lp.columns.forEach((col, j) => {
    if (amount[j]! > 0) byGroup[col.g]!.push(j);
  });
  const short: { w: CompiledWorkload; need: number }[] = [];
  groups.forEach((g, gi) => {
    const pools = byGroup[gi]!.sort((a, b) => lp.columns[a]!.cost - lp.columns[b]!.cost || lp.columns[a]!.c - lp.columns[b]!.c);
    const members = [...g.members].sort((a, b) => a.priority - b.priority || b.replicas - a.replicas || a.index - b.index);
    for (const w of members) {
      let need = w.replicas - placedReplicas(s, w.index);
      // A spread member takes at most what the LP's spread rows allow per region/provider, so
      // the split the LP priced is one each member can actually have.
      const perRegion = new Map<string, number>();
      const perProvider = new Map<string, number>();
      const regionCap = w.replicas - Math.max(0, w.minRegions - 1);
      const providerCap = w.replicas - Math.max(0, w.minProviders - 1);
      for (const j of pools) {
        if (need === 0) break;
        const col = lp.columns[j]!;
        const cl = s.problem.clusters[col.c]!;
        const spreadRoom = Math.min(regionCap - (perRegion.get(cl.regionKey) ?? 0), providerCap - (perProvider.get(cl.provider) ?? 0));
        const k = Math.min(need, amount[j]!, roomIn(s, w, col.c, col.spot), spreadRoom);
        if (k <= 0) continue;
        addTo(s, w, col.c, col.spot, k);
        perRegion.set(cl.regionKey, (perRegion.get(cl.regionKey) ?? 0) + k);
        perProvider.set(cl.provider, (perProvider.get(cl.provider) ?? 0) + k);
        amount[j]! -= k;
        need -= k;
      }
      if (need > 0) short.push({ w, need });
    }
  });
  return short;
}

// A poured workload that misses its spread minimum gives up its dearest replica to a cluster
// in a new provider/region/cluster (placeGreedy's spread phase), until the minimum holds.
function repairSpread(s: PlanState, w: CompiledWorkload): boolean {
  for (let guard = 0; guard < 16 && !spreadMet(s, w); guard++) {
    let worst: { c: number; spot: boolean; u: number } | undefined;
    for (const x of s.slots[w.index]!) {
      if (x.od + x.spot < 2) continue;
      for (const spot of [false, true]) {
        if ((spot ? x.spot : x.od) === 0) continue;
        const u = unitObjective(s.problem, w, x.c, spot);
        if (!worst || u > worst.u) worst = { c: x.c, spot, u };
      }
    }
    if (!worst) return false;
    removeFrom(s, w, worst.c, worst.spot, 1);
    if (!placeGreedy(s, w, 1)) {
      addTo(s, w, worst.c, worst.spot, 1);
      return false;
    }
  }
  return spreadMet(s, w);
}

/**
 * LP-guided construction: solve, pour the floors, then re-solve the LP on what is still
 * missing (residual demand, residual capacity) a few times — each round places most of the
 * rest at LP-optimal prices — and finish the last few replicas greedily.
 */
function lpConstruct(s: PlanState, highs: Highs, flexible: CompiledWorkload[], first: { groups: Group[]; lp: LpResult }, deadline: number, touched: Set<number>): CompiledWorkload[] {
  let short = pour(s, first.groups, first.lp);
  for (const x of short) touched.add(x.w.index);
  for (let round = 0; round < 4 && short.length > 0 && performance.now() < deadline; round++) {
    // Residual groups: each short workload stands for its missing replicas only.
    // Spread is not restated for the residual: the member's poured replicas may already meet
    // it, and repairSpread below fixes the few that do not.
    const residual = short.map(({ w, need }) => ({ ...w, replicas: need, minRegions: 1, minProviders: 1, minClusters: 1 }));
    const groups = groupWorkloads(s, residual);
    for (const g of groups) g.members = g.members.map((m) => flexible.find((f) => f.index === m.index) ?? m);
    const lp = solveLp(highs, s, groups, deadline - performance.now());
    if (!lp.values) break;
    const before = short.reduce((a, x) => a + x.need, 0);
    short = pour(s, groups, lp);
    // Stop when a round no longer halves what is missing: the greedy finishes faster.
    if (short.reduce((a, x) => a + x.need, 0) * 2 > before) break;
  }
  const failed: CompiledWorkload[] = [];
  for (const { w } of short) {
    const need = w.replicas - placedReplicas(s, w.index);
    if (need > 0 && !placeGreedy(s, w, need)) {
      clearWorkload(s, w);
      failed.push(w);
    }
  }
  for (const w of flexible) {
    if (placedReplicas(s, w.index) === w.replicas && !spreadMet(s, w) && !repairSpread(s, w)) {
      clearWorkload(s, w);
      if (!placeGreedy(s, w, w.replicas)) failed.push(w);
    }
  }
  return placeOrEvict(s, failed, flexible);
}

// Last resort for workloads that fit nowhere: greedy again, then eviction-based repair.
function placeOrEvict(s: PlanState, failed: CompiledWorkload[], flexible: CompiledWorkload[]): CompiledWorkload[] {
  if (failed.length === 0) return failed;
  const movable = new Set(flexible.map((w) => w.index));
  return placementOrder(s.problem, failed).filter((w) => !placeGreedy(s, w, w.replicas) && !placeWithEviction(s, w, movable));
}

function totalObjective(s: PlanState): number {
  let sum = 0;
  for (const w of s.problem.workloads) sum += workloadObjective(s, w);
  return sum;
}

function placedCount(s: PlanState, ws: readonly CompiledWorkload[]): number {
  let n = 0;
  for (const w of ws) if (placedReplicas(s, w.index) === w.replicas) n += w.replicas;
  return n;
}

/**
 * Solves a compiled problem. The greedy warm start alone is always a feasible plan; the LP
 * path replaces it only when it places at least as many replicas at a lower objective.
 */
export function solve(p: Problem, opts: SolveOptions): SolveOutcome {
  const t0 = performance.now();
  // 3% of the budget is kept for building the result after the solve.
  const deadline = t0 + opts.timeLimitMs * 0.97;
  const unschedulable = new Map<number, Verdict>();
  const ok: CompiledWorkload[] = [];
  // Identical workloads get identical verdicts: compute each once.
  const verdicts = new Map<string, Verdict | undefined>();
  const nc = p.clusters.length;
  for (const w of p.workloads) {
    const key = `${w.filterKey}|${w.replicas}|${w.minProviders}|${w.minRegions}|${w.minClusters}|${Buffer.from(p.rejectedBy.buffer, p.rejectedBy.byteOffset + w.index * nc, nc).toString('latin1')}`;
    if (!verdicts.has(key)) verdicts.set(key, aloneVerdict(p, w));
    const v = verdicts.get(key);
    if (v) unschedulable.set(w.index, v);
    else ok.push(w);
  }
  // 1. Keep valid current placements (stability), 2. forced splits (Duplicated, staticWeights):
  // both are decided by semantics, not by the optimiser, so they go first and the bound is
  // proven for the rest given them.
  const verdictMs = performance.now() - t0;
  const base = emptyState(p);
  const flexible: CompiledWorkload[] = [];
  let kept = 0;
  for (const w of placementOrder(p, ok)) {
    const cur = opts.rebalance ? undefined : p.current.get(w.index);
    const forced = w.mode === 'Duplicated' || w.weights !== undefined;
    if (forced) {
      if (!placeWorkload(base, w)) unschedulable.set(w.index, contention(w));
    } else if (cur && cur.size > 0 && keepCurrent(base, w, cur)) kept++;
    else flexible.push(w);
  }
  const fixedObjective = totalObjective(base);

  // 3. LP relaxation, round down, pour into workloads, re-solve the residual, repair greedily.
  const tLp = performance.now();
  const groups = groupWorkloads(base, flexible);
  let lp: LpResult | undefined;
  let best: PlanState | undefined;
  let bestFailed: CompiledWorkload[] = [];
  let touched = new Set<number>();
  if (opts.highs && flexible.length > 0 && performance.now() < deadline) {
    lp = solveLp(opts.highs, base, groups, deadline - performance.now());
    if (lp.values) {
      best = cloneState(base);
      bestFailed = lpConstruct(best, opts.highs, flexible, { groups, lp }, deadline, touched);
    }
  }
  const lpPathMs = performance.now() - tLp;
  // 4. The greedy plan (scarce first): the answer without a solver, and the fallback whenever
  // the LP path fails or leaves a workload out that the greedy can place.
  const tHeur = performance.now();
  let heuristicObjective: number | undefined;
  if (!best || bestFailed.length > 0) {
    const heur = cloneState(base);
    const heurFailed: CompiledWorkload[] = [];
    for (const w of placementOrder(p, flexible)) if (!placeGreedy(heur, w, w.replicas)) heurFailed.push(w);
    const failed = placeOrEvict(heur, heurFailed, flexible);
    heuristicObjective = totalObjective(heur);
    if (!best || placedCount(heur, flexible) > placedCount(best, flexible)) {
      [best, bestFailed] = [heur, failed];
      touched = new Set(flexible.map((w) => w.index));
    }
  }
  const heuristicMs = performance.now() - tHeur;
  // 5. Local improvement until no cheaper move exists or time runs out.
  const tImp = performance.now();
  let moved = improve(best, flexible, deadline);
  // A complete, improved plan exists from here on; the rest only polishes it.
  const firstPlanMs = performance.now() - t0;
  // Ejection passes until none pays off: first over the workloads the LP amounts did not
  // place, then — on problems small enough for the budget — over all flexible workloads. The
  // scope depends only on the input and the budget, never on the clock, so the plan is
  // deterministic; the deadline is a safety net (`truncated` says when it cut the search).
  const allScope = flexible.length * p.clusters.length <= opts.timeLimitMs * 100;
  let scope = flexible.filter((w) => touched.has(w.index));
  for (let pass = 0; pass < 8 && performance.now() < deadline; pass++) {
    const ejected = ejectionPass(best, scope, flexible, deadline);
    moved += ejected + improve(best, flexible, deadline);
    if (ejected === 0) {
      if (!allScope || scope.length === flexible.length) break;
      scope = flexible;
    }
  }
  const improveMs = performance.now() - tImp;
  // 6. With a budget to spare, large-neighbourhood search: re-pack a few clusters at a time
  // exactly (sub-MILPs). Adopts only strictly cheaper neighbourhoods, so it cannot make the
  // plan worse; its amount of work is a function of the input and the budget.
  const tLns = performance.now();
  const rounds = lnsRounds(p.clusters.length, flexible.length, opts.timeLimitMs);
  let lns: LnsResult = { rounds: 0, improved: 0, gain: 0 };
  if (opts.highs && rounds > 0 && performance.now() < deadline) {
    lns = lnsSearch(opts.highs, best, flexible, { rounds, clustersPerRound: LNS_CLUSTERS, nodeLimit: LNS_NODES, deadline });
    if (lns.improved > 0) moved += improve(best, flexible, deadline);
  }
  const lnsMs = performance.now() - tLns;
  const truncated = performance.now() >= deadline;
  for (const w of bestFailed) unschedulable.set(w.index, contention(w));
  const objective = totalObjective(best);

  // 7. The proven bound: the LP optimum when it placed everything the plan placed; otherwise
  // each placed workload at its cheapest feasible pool, ignoring capacity.
  let lowerBound = fixedObjective;
  let boundKind: 'lp' | 'relaxed' = 'relaxed';
  const lpClean = lp?.status === 'optimal' && lp.unplaced.every((u) => u < 1e-6) && bestFailed.length === 0;
  if (lp && lpClean) {
    lowerBound += lp.objective;
    boundKind = 'lp';
  } else if (lp?.status === 'optimal' && opts.highs && bestFailed.length > 0 && performance.now() < deadline) {
    // Contention: prove the bound for the set of workloads actually placed.
    const placed = flexible.filter((w) => !bestFailed.includes(w));
    const lp2 = solveLp(opts.highs, base, groupWorkloads(base, placed), Math.max(100, deadline - performance.now()));
    if (lp2.status === 'optimal' && lp2.unplaced.every((u) => u < 1e-6)) {
      lowerBound += lp2.objective;
      boundKind = 'lp';
    } else lowerBound += relaxedBound(best, placed);
  } else lowerBound += relaxedBound(best, flexible.filter((w) => !bestFailed.includes(w)));
  lowerBound = Math.min(lowerBound, objective);
  const costLowerBound = usdBound(best, base, flexible.filter((w) => !bestFailed.includes(w)), lowerBound, opts.highs, deadline);
  const solveMs = performance.now() - t0;
  return {
    state: best,
    unschedulable,
    objective,
    lowerBound,
    costLowerBound,
    boundKind,
    stats: { groups: groups.length, lpColumns: lp?.columns.length ?? 0, lpMs: lp?.ms ?? 0, lpStatus: lp?.status ?? 'skipped', heuristicObjective: heuristicObjective ?? 'skipped', moved, kept, verdictMs: Math.round(verdictMs), heuristicMs: Math.round(heuristicMs), lpPathMs: Math.round(lpPathMs), improveMs: Math.round(improveMs), lnsRounds: lns.rounds, lnsImproved: lns.improved, lnsGain: +lns.gain.toFixed(6), lnsMs: Math.round(lnsMs), solveMs: Math.round(solveMs), firstPlanMs: Math.round(firstPlanMs), truncated: String(truncated) },
  };
}

// LNS sizing. A neighbourhood is LNS_CLUSTERS clusters; the node limit bounds branch and bound
// deterministically. The search starts at a 5 s budget (below it the first plan is the answer,
// as fast as possible); it gets what the budget leaves after an estimate of the rest of the solve
// (≈ 0.5 s + workloads × clusters / 1,500 ms, measured on the bench machine) at an assumed
// LNS_ROUND_MS per neighbourhood, and at most three neighbourhoods per cluster.
const LNS_MIN_BUDGET_MS = 5000;
const LNS_CLUSTERS = 6;
const LNS_NODES = 50;
const LNS_ROUND_MS = 200;

/** How many LNS neighbourhoods a solve may try: from the problem size and budget only. */
export function lnsRounds(clusters: number, workloads: number, timeLimitMs: number): number {
  if (timeLimitMs < LNS_MIN_BUDGET_MS || clusters < 2) return 0;
  const spare = timeLimitMs * 0.8 - (500 + (workloads * clusters) / 1500);
  return Math.max(0, Math.min(3 * clusters, Math.floor(spare / LNS_ROUND_MS)));
}

/** The verdict of a workload that fits alone on the empty fleet but not next to the others. */
export function contention(w: CompiledWorkload): Verdict {
  return { code: UnschedulableCode.CapacityContention, reason: `${w.key} fits alone on the empty fleet but not next to the workloads placed before it (capacity contention)` };
}

// With latency-aware workloads the objective is not USD: prove a USD bound separately, with
// the same LP priced in plain USD (valid for any plan, the optimiser's included).
function usdBound(best: PlanState, base: PlanState, placed: CompiledWorkload[], objectiveBound: number, highs: Highs | undefined, deadline: number): number {
  const p = best.problem;
  const planUsd = p.workloads.reduce((a, w) => a + workloadCost(best, w), 0);
  if (p.objectiveFactor.size === 0) return Math.min(objectiveBound, planUsd);
  const fixed = p.workloads.reduce((a, w) => a + workloadCost(base, w), 0);
  let flex = relaxedBound(best, placed, true);
  if (highs && placed.length > 0) {
    const lp = solveLp(highs, base, groupWorkloads(base, placed), Math.max(100, deadline - performance.now()), true);
    if (lp.status === 'optimal' && lp.unplaced.every((u) => u < 1e-6)) flex = lp.objective;
  }
  return Math.min(fixed + flex, planUsd);
}

function relaxedBound(s: PlanState, ws: readonly CompiledWorkload[], usd = false): number {
  const unit = usd ? unitUsd : unitObjective;
  let sum = 0;
  for (const w of ws) {
    let min = Infinity;
    for (const c of candidates(s, w)) min = Math.min(min, unit(s.problem, w, c, false), unit(s.problem, w, c, true));
    if (min < Infinity) sum += min * w.replicas;
  }
  return sum;
}
