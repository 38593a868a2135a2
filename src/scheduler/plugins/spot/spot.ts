// Spot tolerance: a cluster whose capacity is all spot serves only spotTolerant workloads.
// Mixed clusters stay feasible; the optimiser keeps intolerant workloads off their spot pool.
import { OK, ReasonCode, type FilterPlugin } from '../../framework/contract.js';

export const spotFilter = (): FilterPlugin => ({
  name: 'spot',
  filter(w, c) {
    if (!w.spotTolerant && c.odCpu <= 0 && c.spotCpu > 0) return { code: ReasonCode.SpotOnly, reason: 'cluster has only spot capacity and the workload is not spotTolerant' };
    return OK;
  },
});
