// schedule(): compile the problem, solve it, and turn the plan into the result shape every
// consumer reads (CLI `schedule`, the placement controller, tests, the benchmark).
import type { Highs } from 'highs';
import type { Cluster, Placement, Workload } from '../api/index.js';
import type { PriceCatalog } from './model/pricing-adapter.js';
import { surviveWarnings, type SurviveWarning } from './analysis/survive.js';
import { explainWorkload, type Explanation } from './explain/explain.js';
import type { PolicyHook } from './framework/contract.js';
import { compileProblem } from './model/compile.js';
import { loadSolver } from './optimise/lp.js';
import { solve } from './optimise/solve.js';
import { workloadCost } from './optimise/state.js';

export interface ScheduleInput {
  clusters: readonly Cluster[];
  workloads: readonly Workload[];
  /** Current placements: kept when still valid (stability) unless `rebalance` is set. */
  current?: readonly Placement[];
  /** Wall-clock budget in ms (default 10,000); the solver stops earlier when it is done. */
  timeLimitMs?: number;
  catalog?: PriceCatalog;
  /** Build per-workload explanations (every cluster's verdict and scores). */
  explain?: boolean;
  policy?: PolicyHook;
  rebalance?: boolean;
  /** Skip the LP (greedy plan, capacity-free bound): for callers that cannot wait for it. */
  heuristicOnly?: boolean;
}

export interface WorkloadPlacement {
  namespace: string;
  name: string;
  clusters: { cluster: string; replicas: number; spotReplicas?: number }[];
  costPerHour: number;
}

export interface Unschedulable {
  namespace: string;
  name: string;
  /** Constant code (UnschedulableCode) and its text. */
  code: string;
  reason: string;
}

export interface ScheduleResult {
  placements: WorkloadPlacement[];
  unschedulable: Unschedulable[];
  /** USD per hour of every placed replica (requests × unit prices). */
  totalCostPerHour: number;
  /** Proven lower bound of the USD cost of any plan that places the same workloads. */
  lowerBoundCostPerHour: number;
  /** Proven lower bound of the objective (equal to the cost bound unless workloads are latency-aware). */
  lowerBoundObjectivePerHour: number;
  /** The objective the optimiser minimised: USD plus latency penalties of latency/balanced workloads. */
  objectivePerHour: number;
  /** (objective − objective bound) / objective bound: the optimiser's distance from optimal. */
  gap: number;
  boundKind: 'lp' | 'relaxed';
  elapsedMs: number;
  warnings: SurviveWarning[];
  explanations?: Explanation[];
  stats: Record<string, number | string>;
}

export const DEFAULT_TIME_LIMIT_MS = 10_000;

const round = (x: number, d = 6) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Places every workload on the fleet at the lowest cost that meets every hard constraint.
 * @example const r = await schedule({ clusters, workloads, timeLimitMs: 3000 })
 */
export async function schedule(input: ScheduleInput): Promise<ScheduleResult> {
  const highs = input.heuristicOnly ? undefined : await loadSolver();
  return scheduleWith(input, highs);
}

/** schedule() with an already loaded solver (or none: greedy plan only), synchronously. */
export function scheduleWith(input: ScheduleInput, highs: Highs | undefined): ScheduleResult {
  const t0 = performance.now();
  const timeLimitMs = input.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const problem = compileProblem(input.clusters, input.workloads, input.current, { catalog: input.catalog, explain: input.explain, policy: input.policy });
  const compileMs = performance.now() - t0;
  const out = solve(problem, { timeLimitMs: Math.max(1, timeLimitMs - compileMs), highs, rebalance: input.rebalance });
  const s = out.state;
  const placements: WorkloadPlacement[] = [];
  const unschedulable: Unschedulable[] = [];
  const warnings: SurviveWarning[] = [];
  let total = 0;
  const gap = out.lowerBound > 0 ? Math.max(0, (out.objective - out.lowerBound) / out.lowerBound) : 0;
  const explanations: Explanation[] = [];
  for (const w of problem.workloads) {
    const v = out.unschedulable.get(w.index);
    const cost = v ? 0 : workloadCost(s, w);
    if (v) unschedulable.push({ namespace: w.namespace, name: w.name, code: v.code, reason: v.reason });
    else {
      total += cost;
      const clusters = s.slots[w.index]!
        .map((x) => ({ cluster: problem.clusters[x.c]!.name, replicas: x.od + x.spot, ...(x.spot > 0 ? { spotReplicas: x.spot } : {}) }))
        .sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
      placements.push({ namespace: w.namespace, name: w.name, clusters, costPerHour: round(cost) });
      warnings.push(...surviveWarnings(s, w));
    }
    if (input.explain) explanations.push(explainWorkload(s, w, round(cost), round(gap, 8), v));
  }
  return {
    placements,
    unschedulable,
    totalCostPerHour: round(total),
    lowerBoundCostPerHour: round(out.costLowerBound),
    lowerBoundObjectivePerHour: round(out.lowerBound),
    objectivePerHour: round(out.objective),
    gap: round(gap, 8),
    boundKind: out.boundKind,
    elapsedMs: Math.round(performance.now() - t0),
    warnings,
    ...(input.explain ? { explanations } : {}),
    stats: { ...out.stats, compileMs: Math.round(compileMs) },
  };
}
