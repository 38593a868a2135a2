// Observed usage per workload replica, from the history of Cluster status that the agents
// write (status.workloads["ns/name"].replicaStatus[].usage): p95 of CPU and memory, the input
// of rightsizing recommendations.
import { GiB, type Cluster } from '../api/index.js';
import type { Store } from '../store/index.js';

export interface UsageProfile {
  /** p95 of per-replica CPU in cores and memory in GiB over the samples. */
  cpuP95: number;
  memoryP95GiB: number;
  /** Number of samples the percentiles were taken over. */
  samples: number;
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Per-workload usage profiles from Cluster versions. Each replica's sample counts once per
 * distinct reported value in sequence: agents refresh usage every report interval, so a run of
 * identical values is one sample re-sent with heartbeats, not many (documented approximation
 * of a time series the store does not keep at a finer grain).
 */
export function usageProfiles(clusterVersions: Iterable<Cluster>): Map<string, UsageProfile> {
  const cpu = new Map<string, number[]>();
  const mem = new Map<string, number[]>();
  const last = new Map<string, string>();
  for (const c of clusterVersions) {
    const ws = (c.status as { workloads?: Record<string, { replicaStatus?: { name?: string; usage?: { cpu: number; memory: number } }[] }> } | undefined)?.workloads ?? {};
    for (const [key, w] of Object.entries(ws)) {
      for (const r of w.replicaStatus ?? []) {
        if (!r.usage) continue;
        const id = `${c.metadata.name}/${key}/${r.name ?? ''}`;
        const v = `${r.usage.cpu}/${r.usage.memory}`;
        if (last.get(id) === v) continue;
        last.set(id, v);
        (cpu.get(key) ?? cpu.set(key, []).get(key)!).push(r.usage.cpu);
        (mem.get(key) ?? mem.set(key, []).get(key)!).push(r.usage.memory / GiB);
      }
    }
  }
  const out = new Map<string, UsageProfile>();
  for (const [key, xs] of cpu) out.set(key, { cpuP95: percentile(xs, 95), memoryP95GiB: percentile(mem.get(key)!, 95), samples: xs.length });
  return out;
}

/** Usage profiles over a window of the store's Cluster history (default the last 7 days). */
export async function usageProfilesFromStore(store: Store, opts: { since?: Date; until?: Date } = {}): Promise<Map<string, UsageProfile>> {
  const until = opts.until ?? new Date();
  const since = opts.since ?? new Date(until.getTime() - 7 * 86_400_000);
  const h = await store.history('Cluster', { since: since.toISOString(), until: until.toISOString(), includeStateAtSince: true });
  return usageProfiles(h.filter((e) => e.type !== 'DELETED').map((e) => e.object as Cluster));
}
