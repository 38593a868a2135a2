// Large-neighbourhood search with exact sub-MILPs: free every movable replica on a small set
// of clusters and re-pack them there optimally (HiGHS branch and bound over groups of identical
// workloads). The incumbent is the MILP's warm start and a neighbourhood is adopted only when it
// is strictly cheaper, so the plan never gets worse. This repairs what rounding and one-replica
// moves cannot: fragmented capacity on cheap clusters that only a different mix of sizes fills.
import type { Highs } from 'highs';
import type { CompiledWorkload } from '../model/types.js';
import { groupWorkloads, type Group } from './lp.js';
import { spreadMet } from './greedy.js';
import { addTo, removeFrom, unitObjective, type PlanState } from './state.js';
import { seededRandom } from '../../util/random.js';

export interface LnsOptions {
  /** Neighbourhoods to try: the deterministic amount of work (a function of input and budget). */
  rounds: number;
  /** Clusters freed per neighbourhood. */
  clustersPerRound: number;
  /** Branch-and-bound node limit per sub-MILP (deterministic, unlike a time limit). */
  nodeLimit: number;
  /** Safety net only; hitting it is reported as truncated. */
  deadline: number;
}

export interface LnsResult {
  rounds: number;
  improved: number;
  gain: number;
}

// Workloads the optimiser may move at all (forced splits stay where semantics put them).
// Above this many commodities a sub-MILP's root can take seconds (HiGHS, measured).
const MAX_GROUPS = 70;

function movable(w: CompiledWorkload): boolean {
  return w.mode === 'Divided' && w.weights === undefined;
}

/** A sub-MILP commodity: a group of identical workloads, plus rows only a singleton needs. */
interface SubGroup extends Group {
  /** Σ replicas over `cs` ≤ upper (per-cluster caps, spread minimums). */
  rows: { cs: number[]; upper: number }[];
}

// The rows that keep a workload's caps and spread minimums for any re-pack inside the set,
// given its replicas outside: exact when at most one more region/provider is missing, or two
// with none outside (then no single region/provider may take them all); undefined otherwise
// (the workload stays fixed this round).
function constraintsOf(s: PlanState, w: CompiledWorkload, set: readonly number[], inSet: ReadonlySet<number>, rIn: number): SubGroup['rows'] | undefined {
  const p = s.problem;
  const rows: SubGroup['rows'] = [];
  // A cap only binds when more replicas are in play than it allows.
  if (rIn > w.maxPerCluster) for (const c of set) rows.push({ cs: [c], upper: w.maxPerCluster });
  const outR = new Set<string>();
  const outP = new Set<string>();
  let outC = 0;
  for (const x of s.slots[w.index]!) {
    if (inSet.has(x.c) || x.od + x.spot === 0) continue;
    outR.add(p.clusters[x.c]!.regionKey);
    outP.add(p.clusters[x.c]!.provider);
    outC++;
  }
  const need = (min: number, out: ReadonlySet<string>, label: (c: number) => string): boolean => {
    const d = min - out.size;
    if (d <= 0 || (d === 1 && out.size === 0)) return true;
    if (d === 1) rows.push({ cs: set.filter((c) => out.has(label(c))), upper: rIn - 1 });
    else if (d === 2 && out.size === 0) {
      const by = new Map<string, number[]>();
      for (const c of set) by.set(label(c), [...(by.get(label(c)) ?? []), c]);
      for (const cs of by.values()) rows.push({ cs, upper: rIn - 1 });
    } else return false;
    return true;
  };
  if (!need(w.minRegions, outR, (c) => p.clusters[c]!.regionKey)) return undefined;
  if (!need(w.minProviders, outP, (c) => p.clusters[c]!.provider)) return undefined;
  const dC = w.minClusters - outC;
  if (dC === 2) for (const c of set) rows.push({ cs: [c], upper: rIn - 1 });
  else if (dC > 2) return undefined;
  return rows;
}

// Identical unconstrained workloads share a group (any split of its replicas is valid for each
// member); a capped or spread workload is its own group with its rows.
function subGroups(s: PlanState, entries: { w: CompiledWorkload; rIn: number; rows: SubGroup['rows'] }[]): SubGroup[] {
  const plain = entries.filter((e) => e.rows.length === 0);
  const groups: SubGroup[] = groupWorkloads(s, plain.map((e) => ({ ...e.w, replicas: e.rIn }))).map((g) => ({ ...g, rows: [] }));
  const inPlain = new Set(plain.map((e) => e.w.index));
  for (const e of entries) if (!inPlain.has(e.w.index)) groups.push({ members: [{ ...e.w, replicas: e.rIn }], replicas: e.rIn, rep: e.w, rows: e.rows });
  return groups;
}

// Free capacity valued at the cluster's own prices: where a cheap cluster is left fragmented,
// a re-pack is most likely to pay. Neighbourhoods mix such clusters with others of the same
// jurisdiction (replicas can only move between clusters they may both use).
function pickClusters(s: PlanState, round: number, k: number, ranked: number[]): number[] {
  const p = s.problem;
  // Deterministic neighbourhood choice from the round number.
  const r = seededRandom(round * 2654435761 + 17);
  const seed = ranked[round % ranked.length]!;
  const res = p.clusters[seed]!.residency;
  const same = p.clusters.filter((c) => c.residency === res && c.index !== seed).map((c) => c.index);
  const others = p.clusters.filter((c) => c.residency !== res).map((c) => c.index);
  const out = [seed];
  // Mostly the same jurisdiction; a few others so "anywhere" workloads can cross over.
  const pool = [...same];
  while (out.length < k && (pool.length > 0 || others.length > 0)) {
    const fromOthers = others.length > 0 && (pool.length === 0 || r() < 0.25);
    const src = fromOthers ? others : pool;
    out.push(src.splice(Math.floor(r() * src.length), 1)[0]!);
  }
  return out;
}

function wasteRank(s: PlanState): number[] {
  const p = s.problem;
  const waste = p.clusters.map((c) => Math.max(0, s.freeOdCpu[c.index]!) * c.odCpuHour + Math.max(0, s.freeOdMem[c.index]!) * c.odMemHour + Math.max(0, s.freeSpotCpu[c.index]!) * c.spotCpuHour + Math.max(0, s.freeSpotMem[c.index]!) * c.spotMemHour);
  return p.clusters.map((c) => c.index).sort((a, b) => waste[b]! - waste[a]! || a - b);
}

type Taken = { w: CompiledWorkload; c: number; spot: boolean; n: number };
type Entry = { w: CompiledWorkload; rIn: number; rows: SubGroup['rows'] };

// The replicas a neighbourhood frees (every movable replica on its clusters whose workload's
// rules can be stated exactly) and the sub-MILP commodities they form. Reads only.
function neighbourhood(s: PlanState, free: readonly CompiledWorkload[], order: readonly number[]): { set: number[]; taken: Taken[]; entries: Entry[]; groups: SubGroup[] } {
  const set = [...order].sort((a, b) => a - b);
  const inSet = new Set(set);
  const taken: Taken[] = [];
  const entries: Entry[] = [];
  for (const w of free) {
    let rIn = 0;
    for (const x of s.slots[w.index]!) if (inSet.has(x.c)) rIn += x.od + x.spot;
    if (rIn === 0) continue;
    const rows = constraintsOf(s, w, set, inSet, rIn);
    if (!rows) continue;
    entries.push({ w, rIn, rows });
    for (const x of s.slots[w.index]!) {
      if (!inSet.has(x.c)) continue;
      if (x.od) taken.push({ w, c: x.c, spot: false, n: x.od });
      if (x.spot) taken.push({ w, c: x.c, spot: true, n: x.spot });
    }
  }
  return { set, taken, entries, groups: subGroups(s, entries) };
}

/**
 * Runs `rounds` neighbourhoods over `ws` (the flexible workloads). Returns how many improved the
 * plan and by how much in total.
 */
export function lnsSearch(highs: Highs, s: PlanState, ws: readonly CompiledWorkload[], o: LnsOptions): LnsResult {
  const p = s.problem;
  const free = ws.filter(movable);
  let improved = 0;
  let gain = 0;
  let ranked = wasteRank(s);
  let round = 0;
  let idle = 0;
  // A whole cycle of seeds without a gain: the plan is a local optimum for these neighbourhoods.
  for (; round < o.rounds && idle < p.clusters.length && performance.now() < o.deadline; round++) {
    if (round > 0 && round % ranked.length === 0) ranked = wasteRank(s);
    // Seed first, then companions; drop companions while the sub-MILP would have more
    // commodities than solve quickly (root effort grows steeply with them).
    const order = pickClusters(s, round, Math.min(o.clustersPerRound, p.clusters.length), ranked);
    let hood = neighbourhood(s, free, order);
    while (hood.groups.length > MAX_GROUPS && order.length > 2) {
      order.pop();
      hood = neighbourhood(s, free, order);
    }
    const { set, taken, entries, groups } = hood;
    if (taken.length === 0) continue;
    let before = 0;
    for (const t of taken) {
      before += t.n * unitObjective(p, t.w, t.c, t.spot);
      removeFrom(s, t.w, t.c, t.spot, t.n);
    }
    const sol = solveSubMilp(highs, s, groups, set, taken, o);
    let adopted = false;
    if (sol && sol.objective < before - 1e-7 * Math.max(1, before)) {
      const added = applyGroups(s, groups, sol.assign);
      // Belt and braces: the rows are exact, but a plan is only adopted when every rule holds.
      if (entries.every((e) => spreadMet(s, e.w) && s.slots[e.w.index]!.every((x) => x.od + x.spot <= e.w.maxPerCluster))) adopted = true;
      else for (const a of added) removeFrom(s, a.w, a.c, a.spot, a.n);
    }
    idle = adopted ? 0 : idle + 1;
    if (adopted) {
      improved++;
      gain += before - sol!.objective;
    } else for (const t of taken) addTo(s, t.w, t.c, t.spot, t.n);
  }
  return { rounds: round, improved, gain };
}

interface Col {
  g: number;
  c: number;
  spot: boolean;
}

// Pours each group's integer amounts into its members (any split is valid within a plain
// group; a constrained workload is alone in its group). Returns what it added.
function applyGroups(s: PlanState, groups: readonly SubGroup[], assign: { g: number; c: number; spot: boolean; n: number }[]): { w: CompiledWorkload; c: number; spot: boolean; n: number }[] {
  const byGroup: { c: number; spot: boolean; n: number }[][] = groups.map(() => []);
  for (const a of assign) byGroup[a.g]!.push({ ...a });
  const added: { w: CompiledWorkload; c: number; spot: boolean; n: number }[] = [];
  groups.forEach((g, gi) => {
    const cols = byGroup[gi]!;
    let j = 0;
    for (const m of g.members) {
      let need = m.replicas;
      while (need > 0) {
        const col = cols[j]!;
        const k = Math.min(need, col.n);
        addTo(s, m, col.c, col.spot, k);
        added.push({ w: m, c: col.c, spot: col.spot, n: k });
        col.n -= k;
        need -= k;
        if (col.n === 0) j++;
      }
    }
  });
  return added;
}

function solveSubMilp(highs: Highs, s: PlanState, groups: readonly SubGroup[], set: number[], taken: { w: CompiledWorkload; c: number; spot: boolean; n: number }[], o: LnsOptions): { objective: number; assign: { g: number; c: number; spot: boolean; n: number }[] } | undefined {
  const p = s.problem;
  const nc = p.clusters.length;
  const G = groups.length;
  const cols: Col[] = [];
  const colCost: number[] = [];
  const colIndex = new Map<string, number>();
  groups.forEach((g, gi) => {
    for (const c of set) {
      if (p.rejectedBy[g.rep.index * nc + c] !== 0) continue;
      for (const spot of [false, true]) {
        const u = unitObjective(p, g.rep, c, spot);
        if (u === Infinity) continue;
        colIndex.set(`${gi}|${c}|${spot}`, cols.length);
        cols.push({ g: gi, c, spot });
        colCost.push(u);
      }
    }
  });
  const K = set.length;
  // The groups' own rows (caps, spread), after the demand and capacity rows.
  const extraRows: { upper: number }[] = [];
  const rowsOfCol = new Map<string, number[]>();
  groups.forEach((g, gi) => {
    for (const r of g.rows) {
      const row = G + K * 5 + extraRows.length;
      extraRows.push({ upper: r.upper });
      for (const c of r.cs) rowsOfCol.set(`${gi}|${c}`, [...(rowsOfCol.get(`${gi}|${c}`) ?? []), row]);
    }
  });
  const numRows = G + K * 5 + extraRows.length;
  const numCols = cols.length;
  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  groups.forEach((g, gi) => {
    rowLower[gi] = g.replicas;
    rowUpper[gi] = g.replicas;
  });
  set.forEach((c, ci) => {
    const cap = [s.freeOdCpu[c]!, s.freeOdMem[c]!, s.freeSpotCpu[c]!, s.freeSpotMem[c]!, s.freePods[c]!];
    for (let k = 0; k < 5; k++) {
      rowLower[G + ci * 5 + k] = -highs.infinity;
      // A hair of tolerance: free capacity is a sum of floats.
      rowUpper[G + ci * 5 + k] = Number.isFinite(cap[k]!) ? Math.max(0, cap[k]! + 1e-9) : highs.infinity;
    }
  });
  extraRows.forEach((r, i) => {
    rowLower[G + K * 5 + i] = -highs.infinity;
    rowUpper[G + K * 5 + i] = Math.max(0, r.upper);
  });
  const pos = new Map(set.map((c, ci) => [c, ci]));
  const starts = new Int32Array(numCols + 1);
  const indices: number[] = [];
  const values: number[] = [];
  cols.forEach((col, j) => {
    const w = groups[col.g]!.rep;
    const r0 = G + pos.get(col.c)! * 5;
    starts[j] = indices.length;
    indices.push(col.g);
    values.push(1);
    const k0 = col.spot ? 2 : 0;
    if (w.cpu > 0) {
      indices.push(r0 + k0);
      values.push(w.cpu);
    }
    if (w.memGiB > 0) {
      indices.push(r0 + k0 + 1);
      values.push(w.memGiB);
    }
    indices.push(r0 + 4);
    values.push(1);
    for (const r of rowsOfCol.get(`${col.g}|${col.c}`) ?? []) {
      indices.push(r);
      values.push(1);
    }
  });
  starts[numCols] = indices.length;
  // Warm start: the incumbent, re-expressed per group.
  const gOf = new Map<number, number>();
  groups.forEach((g, gi) => g.members.forEach((m) => gOf.set(m.index, gi)));
  const x0 = new Float64Array(numCols);
  for (const t of taken) x0[colIndex.get(`${gOf.get(t.w.index)!}|${t.c}|${t.spot}`)!]! += t.n;
  const model = highs.createModel({
    numCols,
    numRows,
    colCost: Float64Array.from(colCost),
    colLower: new Float64Array(numCols),
    colUpper: Float64Array.from(cols, (col) => groups[col.g]!.replicas),
    rowLower,
    rowUpper,
    integrality: new Int32Array(numCols).fill(highs.constants.variableType.integer),
    matrix: { format: 'csc', numRows, numCols, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
  });
  try {
    model.options.set({ output_flag: false, mip_max_nodes: o.nodeLimit, mip_rel_gap: 1e-7 });
    // The deadline is a safety net, not the stopping rule (that is the node limit).
    if (Number.isFinite(o.deadline)) model.options.set({ time_limit: Math.max(0.01, (o.deadline - performance.now()) / 1000) });
    model.setSolution({ colValue: x0 });
    model.run();
    if (model.info.get('primal_solution_status') !== highs.constants.solutionStatus.feasible) return undefined;
    const x = model.getSolution().colValue;
    const assign: { g: number; c: number; spot: boolean; n: number }[] = [];
    let objective = 0;
    cols.forEach((col, j) => {
      const n = Math.round(x[j]!);
      if (n > 0) {
        assign.push({ ...col, n });
        objective += n * colCost[j]!;
      }
    });
    // Re-check exactly in our own arithmetic (HiGHS works to a tolerance).
    const use = new Map<string, number>();
    for (const a of assign) {
      const w = groups[a.g]!.rep;
      const k = `${a.c}|${a.spot}`;
      use.set(k + 'c', (use.get(k + 'c') ?? 0) + a.n * w.cpu);
      use.set(k + 'm', (use.get(k + 'm') ?? 0) + a.n * w.memGiB);
      use.set(`${a.c}p`, (use.get(`${a.c}p`) ?? 0) + a.n);
    }
    for (const c of set) {
      if ((use.get(`${c}|falsec`) ?? 0) > s.freeOdCpu[c]! + 1e-9 || (use.get(`${c}|falsem`) ?? 0) > s.freeOdMem[c]! + 1e-9) return undefined;
      if ((use.get(`${c}|truec`) ?? 0) > s.freeSpotCpu[c]! + 1e-9 || (use.get(`${c}|truem`) ?? 0) > s.freeSpotMem[c]! + 1e-9) return undefined;
      if ((use.get(`${c}p`) ?? 0) > s.freePods[c]! + 1e-9) return undefined;
    }
    const sums = new Float64Array(groups.length);
    for (const a of assign) sums[a.g]! += a.n;
    if (groups.some((g, gi) => sums[gi] !== g.replicas)) return undefined;
    return { objective, assign };
  } finally {
    model.dispose();
  }
}
