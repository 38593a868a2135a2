// Failbacks seen during a GameDay: a workload whose replicas left a cluster the run failed and
// later came back onto it (a failback surge or its final split), measured from the sampled
// placements, not from what the controller says it did. A flapping cluster must get none.
import type { Placement } from '../api/index.js';

/** One workload moved back onto a cluster the run had failed. */
export interface Failback {
  workload: string;
  cluster: string;
  /** Epoch ms of the first sample showing replicas back on the cluster. */
  at: number;
}

export interface FailbackWatch {
  /** A fault hit `clusters` while `affected` workloads (`ns/name`) had replicas there. */
  fault(clusters: readonly string[], affected: readonly string[]): void;
  /** One sample of every placement. */
  observe(time: number, placements: readonly Placement[]): void;
  failbacks(): Failback[];
}

const keyOf = (p: Placement) => `${p.metadata.namespace ?? 'default'}/${p.spec.workload}`;

/**
 * Tracks, per workload and failed cluster, whether its replicas left (evacuated) and then came
 * back. A workload that never left (the fault was restored before failover) is no failback.
 * @example
 * const w = createFailbackWatch();
 * w.fault(['gcp-us'], ['shop/web']);
 * w.observe(t1, placements); // shop/web off gcp-us: evacuated
 * w.observe(t2, placements); // shop/web on gcp-us again: a failback at t2
 */
export function createFailbackWatch(): FailbackWatch {
  // `${workload}\n${cluster}` → 'hit' (fault seen, replicas still there) or 'left' (moved off).
  const state = new Map<string, 'hit' | 'left'>();
  const seen: Failback[] = [];
  return {
    fault(clusters, affected) {
      for (const w of affected) for (const c of clusters) if (!state.has(`${w}\n${c}`)) state.set(`${w}\n${c}`, 'hit');
    },
    observe(time, placements) {
      const on = new Set(placements.flatMap((p) => p.spec.clusters.filter((e) => e.replicas > 0).map((e) => `${keyOf(p)}\n${e.cluster}`)));
      const present = new Set(placements.map(keyOf));
      for (const [k, s] of state) {
        const [workload, cluster] = k.split('\n') as [string, string];
        if (!present.has(workload)) continue;
        if (s === 'hit' && !on.has(k)) state.set(k, 'left');
        else if (s === 'left' && on.has(k)) {
          seen.push({ workload, cluster, at: time });
          // Leaving again and coming back again is another failback.
          state.set(k, 'hit');
        }
      }
    },
    failbacks: () => [...seen],
  };
}
