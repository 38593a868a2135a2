// The convergence plan for one workload: which replicas to start and which to stop, computed
// from desired and observed state as plain data (compute, then apply — see STYLE.md). Scale
// changes touch only the difference; a template change is a rolling replace that surges by
// 25% (at least one) and never stops a ready old replica before a new one is ready.
import type { ReplicaPhase } from '../contract.js';

/** What the planner needs to know about one existing (not terminating) replica. */
export interface ObservedReplica {
  name: string;
  ordinal: number;
  templateHash: string;
  phase: ReplicaPhase;
  ready: boolean;
}

export interface RolloutPlan {
  /** Ordinals to start with the desired template. */
  start: number[];
  /** Names of replicas to stop. */
  stop: string[];
}

/** Extra replicas allowed during a rolling replace, as Deployment's default maxSurge 25%. */
export function maxSurge(replicas: number): number {
  return Math.max(1, Math.ceil(replicas / 4));
}

/**
 * Plans one convergence step; calling it again after the step is applied (and replicas
 * became ready) continues the rollout. Pure and deterministic.
 * @example planRollout(3, 'abc', []) // { start: [0, 1, 2], stop: [] }
 */
export function planRollout(desired: number, hash: string, observed: readonly ObservedReplica[]): RolloutPlan {
  const byOrdinalDesc = (a: ObservedReplica, b: ObservedReplica) => b.ordinal - a.ordinal || (a.name < b.name ? 1 : -1);
  const stop: string[] = [];
  const current: ObservedReplica[] = [];
  const seen = new Set<number>();
  // Current-template replicas beyond the desired count (or duplicated ordinals) go first.
  for (const r of [...observed].filter((o) => o.templateHash === hash).sort((a, b) => a.ordinal - b.ordinal)) {
    if (r.ordinal >= desired || seen.has(r.ordinal)) stop.push(r.name);
    else {
      seen.add(r.ordinal);
      current.push(r);
    }
  }
  const old = observed.filter((o) => o.templateHash !== hash).sort(byOrdinalDesc);
  // Old replicas that do not serve cost availability nothing: stop them right away.
  const oldReady = old.filter((o) => o.ready);
  for (const o of old) if (!o.ready) stop.push(o.name);

  const missing: number[] = [];
  for (let i = 0; i < desired; i++) if (!seen.has(i)) missing.push(i);
  const total = current.length + oldReady.length;
  const room = oldReady.length === 0 ? missing.length : Math.max(0, desired + maxSurge(desired) - total);
  const start = missing.slice(0, Math.min(missing.length, room));

  // Keep at least `desired` ready replicas: an old one goes only when a new one can replace it.
  const currentReady = current.filter((c) => c.ready).length;
  const removableOld = Math.max(0, oldReady.length + currentReady - desired);
  for (const o of oldReady.slice(0, removableOld)) stop.push(o.name);
  return { start, stop };
}
