// Per-replica CPU and memory usage. Real replicas are measured from /proc over their whole
// process group (what the replica forks counts too, as in a pod's cgroup): CPU is the rate of
// utime+stime between two samples, memory the sum of VmRSS. Simulated replicas report
// synthetic numbers from their runtime.
import type { Replica } from './replica.js';
import { sampleGroups } from '../../util/proc.js';

export interface Usage {
  cpu: number;
  memory: number;
}

/** Remembers the previous sample of each group, so CPU is a rate and not a lifetime total. */
export function createUsageSampler(): { sample(replicas: Iterable<Replica>): Map<Replica, Usage> } {
  let prev = new Map<number, { cpuSeconds: number; at: number }>();
  return {
    sample(replicas) {
      const out = new Map<Replica, Usage>();
      const real = new Map<number, { replica: Replica; startedAt: number }>();
      for (const r of replicas) {
        const inst = r.current();
        if (!inst) continue;
        if (inst.syntheticUsage) out.set(r, inst.syntheticUsage());
        else if (inst.pgid !== undefined) real.set(inst.pgid, { replica: r, startedAt: Date.parse(r.report().startedAt ?? '') || Date.now() });
      }
      const samples = sampleGroups(real.keys());
      if (!samples) return out;
      const now = Date.now();
      const next = new Map<number, { cpuSeconds: number; at: number }>();
      for (const [pgid, s] of samples) {
        const entry = real.get(pgid)!;
        const before = prev.get(pgid);
        // First sight of a group: average over its life so far.
        const base = before ?? { cpuSeconds: 0, at: entry.startedAt };
        const seconds = Math.max(0.001, (now - base.at) / 1000);
        const cpu = Math.max(0, (s.cpuSeconds - base.cpuSeconds) / seconds);
        out.set(entry.replica, { cpu: Math.round(cpu * 1000) / 1000, memory: s.memoryBytes });
        // Keep the older baseline when sampled again within 200 ms: tick resolution is 10 ms.
        next.set(pgid, before && now - before.at < 200 ? before : { cpuSeconds: s.cpuSeconds, at: now });
      }
      prev = next;
      return out;
    },
  };
}
