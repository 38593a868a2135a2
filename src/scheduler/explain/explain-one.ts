// One workload's explanation without re-scheduling the fleet: its filters and scores against
// every cluster, its current split booked on the capacity the other workloads' current
// Placements use (as the placement controller books it), its cost and failover warnings.
import type { Cluster, Placement, Workload } from '../../api/index.js';
import { surviveWarnings, type SurviveWarning } from '../analysis/survive.js';
import { createFleetState } from '../incremental.js';
import { compileFromParts, compileWorkload, type CompileOptions } from '../model/compile.js';
import { placeWorkload } from '../optimise/greedy.js';
import { contention } from '../optimise/solve.js';
import { workloadCost, type PlanState } from '../optimise/state.js';
import { aloneVerdict, type Verdict } from '../optimise/verdict.js';
import { explainWorkload, type Explanation } from './explain.js';

export interface ExplainOneInput {
  clusters: readonly Cluster[];
  /** Every workload: the others' requests size the capacity their placements use. */
  workloads: readonly Workload[];
  /** Every current Placement (the workload's own included, when it has one). */
  current: readonly Placement[];
  namespace: string;
  name: string;
  /** The fleet plan's bound gap, a fleet-wide number the caller computes (or caches). */
  boundGap: number;
  opts?: Omit<CompileOptions, 'explain'>;
}

export interface WorkloadExplanation {
  explanation: Explanation;
  /** availability.survive warnings of the split shown (none when it is unschedulable). */
  warnings: SurviveWarning[];
}

const keyOf = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Explains one workload in O(workloads + placements + clusters): the other workloads stay where
 * their Placements put them; this one shows its current split, or — without one — where
 * placement would put it now in the capacity left (no other replica moves, as the placement
 * controller does), or why it cannot be placed. Undefined when the workload does not exist.
 * @example const e = explainOne({ clusters, workloads, current, namespace: 'payments', name: 'payments-api', boundGap: 0 })
 */
export function explainOne(input: ExplainOneInput): WorkloadExplanation | undefined {
  const key = `${input.namespace}/${input.name}`;
  const wl = input.workloads.find((w) => keyOf(w) === key);
  if (!wl) return undefined;
  const own = input.current.filter((p) => `${p.metadata.namespace ?? 'default'}/${p.spec.workload}` === key);
  const others = input.current.filter((p) => `${p.metadata.namespace ?? 'default'}/${p.spec.workload}` !== key);
  const opts = input.opts ?? {};
  // Booked as the placement controller books the fleet: on the pools each Placement records.
  // For Placements written before spotReplicas existed, this workload goes first, as its
  // replicas were placed on their cheaper pool when they were placed.
  const fleet = createFleetState(input.clusters, input.workloads, [...own, ...others], opts);
  const problem = compileFromParts(fleet.clusters, [compileWorkload(wl, 0)], own, { ...opts, explain: true });
  const w = problem.workloads[0]!;
  const s: PlanState = { problem, ...fleet.free, slots: [(fleet.slots.get(key) ?? []).filter((x) => x.od + x.spot > 0).map((x) => ({ ...x }))] };
  let verdict: Verdict | undefined = aloneVerdict(problem, w);
  if (verdict) s.slots[0] = [];
  else if (s.slots[0]!.length === 0 && !placeWorkload(s, w)) verdict = contention(w);
  return {
    explanation: explainWorkload(s, w, verdict ? 0 : round(workloadCost(s, w)), input.boundGap, verdict),
    warnings: verdict ? [] : surviveWarnings(s, w),
  };
}
