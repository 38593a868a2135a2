// The LP relaxation: identical workloads grouped into one commodity, one column per group ×
// cluster pool, demand rows per group, capacity rows per pool. Its optimum is a proven lower
// bound for the flexible part of the plan, and its solution guides the rounding.
import * as highsModule from 'highs';
import type { Highs } from 'highs';
import type { CompiledWorkload } from '../model/types.js';
import { unitObjective, unitUsd, type PlanState } from './state.js';

// highs ships CommonJS typings but its ESM build default-exports the loader function.
const loadHighs = (highsModule as unknown as { default: () => Promise<Highs> }).default;
let solver: Promise<Highs> | undefined;

/** Loads the HiGHS WebAssembly module once per process and reuses it. */
export function loadSolver(): Promise<Highs> {
  solver ??= loadHighs().then((h) => (warmUp(h), h));
  return solver;
}

// WebAssembly starts in V8's baseline tier and is optimised once hot: the first large solve
// runs several times slower than later ones. One small transportation LP at load time pays
// most of that once, where it does not count against a caller's time budget.
function warmUp(h: Highs): void {
  const n = 60;
  const m = 40;
  const numCols = n * m;
  const colCost = Float64Array.from({ length: numCols }, (_, j) => 1 + ((j * 7919) % 97) / 10);
  const starts = Int32Array.from({ length: numCols + 1 }, (_, j) => 2 * j);
  const indices = new Int32Array(2 * numCols);
  const values = new Float64Array(2 * numCols);
  for (let j = 0; j < numCols; j++) {
    indices[2 * j] = j % n;
    indices[2 * j + 1] = n + Math.floor(j / n);
    values[2 * j] = 1;
    values[2 * j + 1] = 1 + (j % 5);
  }
  const rowLower = Float64Array.from({ length: n + m }, (_, i) => (i < n ? 10 : -h.infinity));
  const rowUpper = Float64Array.from({ length: n + m }, (_, i) => (i < n ? 10 : 40));
  const model = h.createModel({ numCols, numRows: n + m, colCost, colLower: new Float64Array(numCols), colUpper: new Float64Array(numCols).fill(h.infinity), rowLower, rowUpper, matrix: { format: 'csc', numRows: n + m, numCols, starts, indices, values } });
  try {
    model.options.set({ output_flag: false });
    for (let i = 0; i < 3; i++) {
      model.clearSolver();
      model.run();
    }
  } finally {
    model.dispose();
  }
}

/** Workloads that are interchangeable for the LP: same requests, pools, limits and feasible set. */
export interface Group {
  members: CompiledWorkload[];
  replicas: number;
  rep: CompiledWorkload;
}

/**
 * Groups flexible workloads by (cpu, memory, spot, max per cluster, spread minimums,
 * feasibility mask). Spread is in the key so the LP can state it per group (see solveLp).
 */
export function groupWorkloads(s: PlanState, ws: readonly CompiledWorkload[]): Group[] {
  const p = s.problem;
  const nc = p.clusters.length;
  const byKey = new Map<string, Group>();
  for (const w of ws) {
    const mask = Buffer.from(p.rejectedBy.buffer, p.rejectedBy.byteOffset + w.index * nc, nc).toString('latin1');
    const own = p.objectiveFactor.has(w.index) ? `#${w.index}` : '';
    const key = `${w.cpu}|${w.memGiB}|${w.spotTolerant}|${w.maxPerCluster}|${w.minProviders}|${w.minRegions}|${w.minClusters}|${own}|${mask}`;
    const g = byKey.get(key);
    if (g) {
      g.members.push(w);
      g.replicas += w.replicas;
    } else byKey.set(key, { members: [w], replicas: w.replicas, rep: w });
  }
  return [...byKey.values()];
}

export interface LpColumn {
  g: number;
  c: number;
  spot: boolean;
  cost: number;
}

export interface LpResult {
  /** 'optimal' = bound proven; otherwise only the solution (if any) is usable as a guide. */
  status: 'optimal' | 'timeLimit' | 'failed';
  objective: number;
  columns: LpColumn[];
  values: Float64Array | undefined;
  /** Replicas the LP could not place per group (slack > 0 means capacity contention). */
  unplaced: Float64Array;
  ms: number;
}

/**
 * Solves the LP relaxation over the state's free capacity. Each group may leave replicas
 * unplaced at a high penalty, so the LP is always feasible and contention shows up as slack.
 */
export function solveLp(highs: Highs, s: PlanState, groups: readonly Group[], timeLimitMs: number, usd = false): LpResult {
  const t0 = performance.now();
  const p = s.problem;
  const nc = p.clusters.length;
  const cols: LpColumn[] = [];
  let maxCost = 0;
  groups.forEach((g, gi) => {
    const base = g.rep.index * nc;
    for (let c = 0; c < nc; c++) {
      if (p.rejectedBy[base + c] !== 0) continue;
      for (const spot of [false, true]) {
        const cost = usd ? unitUsd(p, g.rep, c, spot) : unitObjective(p, g.rep, c, spot);
        if (cost === Infinity) continue;
        cols.push({ g: gi, c, spot, cost });
        if (cost > maxCost) maxCost = cost;
      }
    }
  });
  const penalty = Math.max(1, maxCost) * 1000;
  // Rows: demand per group, then per cluster: od cpu, od mem, spot cpu, spot mem, pods.
  const G = groups.length;
  const rowOf = (c: number, k: number) => G + c * 5 + k;
  const numRows = G + nc * 5;
  const rowLower = new Float64Array(numRows);
  const rowUpper = new Float64Array(numRows);
  const inf = highs.infinity;
  groups.forEach((g, gi) => {
    rowLower[gi] = g.replicas;
    rowUpper[gi] = g.replicas;
  });
  for (let c = 0; c < nc; c++) {
    const free = [s.freeOdCpu[c]!, s.freeOdMem[c]!, s.freeSpotCpu[c]!, s.freeSpotMem[c]!, s.freePods[c]!];
    for (let k = 0; k < 5; k++) {
      rowLower[rowOf(c, k)] = -inf;
      rowUpper[rowOf(c, k)] = Number.isFinite(free[k]!) ? Math.max(0, free[k]!) : inf;
    }
  }
  // Spread rows (valid for every plan, so the bound stays proven and gets tighter): a member
  // that must reach minRegions puts at most replicas − (minRegions − 1) in any one region; the
  // same for providers and clusters. Summed over the group's members.
  const spreadRows = new Map<string, number>();
  const extraUpper: number[] = [];
  const spreadRow = (gi: number, kind: string, id: string, upper: number): number => {
    const key = `${gi}|${kind}|${id}`;
    let r = spreadRows.get(key);
    if (r === undefined) {
      spreadRows.set(key, (r = numRows + extraUpper.length));
      extraUpper.push(Math.max(0, upper));
    }
    return r;
  };
  const spreadOf = (col: LpColumn): number[] => {
    const g = groups[col.g]!;
    const w = g.rep;
    const m = g.members.length;
    const out: number[] = [];
    if (w.minRegions > 1) out.push(spreadRow(col.g, 'r', p.clusters[col.c]!.regionKey, g.replicas - m * (w.minRegions - 1)));
    if (w.minProviders > 1) out.push(spreadRow(col.g, 'p', p.clusters[col.c]!.provider, g.replicas - m * (w.minProviders - 1)));
    if (w.minClusters > 1) out.push(spreadRow(col.g, 'c', String(col.c), g.replicas - m * (w.minClusters - 1)));
    return out;
  };
  const colSpread = cols.map(spreadOf);
  const numCols = cols.length + G;
  const colCost = new Float64Array(numCols);
  const colLower = new Float64Array(numCols);
  const colUpper = new Float64Array(numCols);
  const starts = new Int32Array(numCols + 1);
  const indices: number[] = [];
  const values: number[] = [];
  cols.forEach((col, j) => {
    const g = groups[col.g]!;
    const w = g.rep;
    colCost[j] = col.cost;
    colUpper[j] = Number.isFinite(w.maxPerCluster) ? Math.min(g.replicas, w.maxPerCluster * g.members.length) : g.replicas;
    starts[j] = indices.length;
    indices.push(col.g);
    values.push(1);
    const k0 = col.spot ? 2 : 0;
    if (w.cpu > 0) {
      indices.push(rowOf(col.c, k0));
      values.push(w.cpu);
    }
    if (w.memGiB > 0) {
      indices.push(rowOf(col.c, k0 + 1));
      values.push(w.memGiB);
    }
    indices.push(rowOf(col.c, 4));
    values.push(1);
    for (const r of colSpread[j]!) {
      indices.push(r);
      values.push(1);
    }
  });
  for (let gi = 0; gi < G; gi++) {
    const j = cols.length + gi;
    colCost[j] = penalty;
    colUpper[j] = groups[gi]!.replicas;
    starts[j] = indices.length;
    indices.push(gi);
    values.push(1);
  }
  starts[numCols] = indices.length;
  const allRows = numRows + extraUpper.length;
  const allLower = new Float64Array(allRows);
  const allUpper = new Float64Array(allRows);
  allLower.set(rowLower);
  allUpper.set(rowUpper);
  allLower.fill(-inf, numRows);
  allUpper.set(extraUpper, numRows);
  const model = highs.createModel({
    numCols,
    numRows: allRows,
    colCost,
    colLower,
    colUpper,
    rowLower: allLower,
    rowUpper: allUpper,
    matrix: { format: 'csc', numRows: allRows, numCols, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
  });
  try {
    model.options.set({ output_flag: false, time_limit: Math.max(0.05, timeLimitMs / 1000) });
    model.run();
    const st = model.getModelStatus();
    const status = st === highs.constants.modelStatus.optimal ? 'optimal' : st === highs.constants.modelStatus.timeLimit ? 'timeLimit' : 'failed';
    const hasPrimal = model.info.get('primal_solution_status') === highs.constants.solutionStatus.feasible;
    const sol = hasPrimal ? model.getSolution().colValue : undefined;
    const unplaced = new Float64Array(G);
    let objective = 0;
    if (sol) {
      for (let gi = 0; gi < G; gi++) unplaced[gi] = sol[cols.length + gi]!;
      for (let j = 0; j < cols.length; j++) objective += cols[j]!.cost * sol[j]!;
    }
    return { status, objective, columns: cols, values: sol, unplaced, ms: performance.now() - t0 };
  } finally {
    model.dispose();
  }
}
