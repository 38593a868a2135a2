// Static capacity filter: one replica (Duplicated: all replicas) must fit in the pools the
// workload may use on an empty cluster. Contention between workloads is the optimiser's job.
import { formatCpu } from '../../../api/index.js';
import { OK, ReasonCode, type FilterPlugin } from '../../framework/contract.js';
import type { CompiledCluster, CompiledWorkload } from '../../model/types.js';

/** How many replicas of `w` fit on the empty cluster `c` (pools it may use, pods, max per cluster). */
export function replicasThatFit(w: CompiledWorkload, c: CompiledCluster): number {
  let n = fitPool(w, c.odCpu, c.odMem);
  if (w.spotTolerant) n += fitPool(w, c.spotCpu, c.spotMem);
  return Math.min(n, c.pods, w.maxPerCluster);
}

function fitPool(w: CompiledWorkload, cpu: number, mem: number): number {
  const a = w.cpu > 0 ? Math.floor(cpu / w.cpu + 1e-9) : Infinity;
  const b = w.memGiB > 0 ? Math.floor(mem / w.memGiB + 1e-9) : Infinity;
  return Math.min(a, b);
}

export const capacityFilter = (): FilterPlugin => ({
  name: 'capacity',
  filter(w, c) {
    const need = w.mode === 'Duplicated' ? w.replicas : 1;
    const fit = replicasThatFit(w, c);
    if (fit >= need) return OK;
    const pools = w.spotTolerant ? 'on-demand + spot' : 'on-demand';
    return {
      code: ReasonCode.InsufficientCapacity,
      reason: `${need} replica(s) of ${formatCpu(w.cpu)} CPU / ${+w.memGiB.toFixed(3)}GiB do not fit (${pools}: ${formatCpu(+(c.odCpu + (w.spotTolerant ? c.spotCpu : 0)).toFixed(3))} CPU, ${+(c.odMem + (w.spotTolerant ? c.spotMem : 0)).toFixed(1)}GiB, ${c.pods} pods${w.maxPerCluster < Infinity ? `, max ${w.maxPerCluster} per cluster` : ''})`,
    };
  },
});
