// The scheduler's extension points in one file (Karmada framework/interface.go style): filter
// plugins decide feasibility of one cluster for one workload, score plugins rank the survivors.
import type { CompiledCluster, CompiledWorkload } from '../model/types.js';

/** Every rejection carries one of these constant codes, counted in the diagnosis. */
export const ReasonCode = {
  Ok: 'Ok',
  ResidencyMismatch: 'ResidencyMismatch',
  ClusterSelectorMismatch: 'ClusterSelectorMismatch',
  ClusterAffinityMismatch: 'ClusterAffinityMismatch',
  ClusterExcluded: 'ClusterExcluded',
  TaintNotTolerated: 'TaintNotTolerated',
  ClusterNotReady: 'ClusterNotReady',
  ClusterUnschedulable: 'ClusterUnschedulable',
  InsufficientCapacity: 'InsufficientCapacity',
  SpotOnly: 'SpotOnly',
  NotInStaticWeights: 'NotInStaticWeights',
  PolicyDenied: 'PolicyDenied',
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

/** Why a whole workload could not be placed. */
export const UnschedulableCode = {
  NoFeasibleCluster: 'NoFeasibleCluster',
  SpreadUnsatisfiable: 'SpreadUnsatisfiable',
  StaticWeightsConflict: 'StaticWeightsConflict',
  CapacityContention: 'CapacityContention',
  Infeasible: 'Infeasible',
} as const;
export type UnschedulableCode = (typeof UnschedulableCode)[keyof typeof UnschedulableCode];

/** The verdict of one filter on one cluster. */
export interface Result {
  code: ReasonCode;
  reason: string;
}

export const OK: Result = { code: ReasonCode.Ok, reason: '' };

/** A feasibility check (Nomad FeasibilityChecker, Karmada FilterPlugin). Pure and cheap. */
export interface FilterPlugin {
  readonly name: string;
  filter(workload: CompiledWorkload, cluster: CompiledCluster): Result;
}

/** A ranker: a score in [0, 100] (higher is better) for a feasible cluster, with its meaning. */
export interface ScorePlugin {
  readonly name: string;
  score(workload: CompiledWorkload, cluster: CompiledCluster, ctx: ScoreContext): number;
}

/** What scorers may look at besides the pair: the other feasible clusters (for normalising). */
export interface ScoreContext {
  feasible: readonly CompiledCluster[];
  /** Replicas the workload currently has per cluster index (stickiness). */
  current?: ReadonlyMap<number, number>;
}

/** Per-cluster diagnosis when a workload is filtered: which plugin removed which cluster. */
export interface ClusterVerdict {
  cluster: string;
  feasible: boolean;
  filter?: string;
  code?: ReasonCode;
  reason?: string;
  scores?: Record<string, number>;
}

/** Injected policy decision (the CEL policy engine plugs in here later). */
export type PolicyHook = (workload: CompiledWorkload, cluster: CompiledCluster) => { allowed: boolean; reason?: string };
