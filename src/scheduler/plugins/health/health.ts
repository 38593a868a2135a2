// Health filter: NotReady and Unknown clusters, and cordoned (spec.unschedulable) clusters,
// receive no new replicas.
import { OK, ReasonCode, type FilterPlugin } from '../../framework/contract.js';

export const healthFilter = (): FilterPlugin => ({
  name: 'health',
  filter(_w, c) {
    if (c.phase !== 'Ready') return { code: ReasonCode.ClusterNotReady, reason: `cluster is ${c.phase}` };
    if (c.unschedulable) return { code: ReasonCode.ClusterUnschedulable, reason: 'cluster is cordoned (spec.unschedulable)' };
    return OK;
  },
});
