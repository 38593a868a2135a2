// Taints and tolerations as in Kubernetes: a NoSchedule or NoExecute taint without a matching
// toleration makes the cluster infeasible; PreferNoSchedule only lowers nothing here (soft).
import type { Taint, Toleration } from '../../../api/index.js';
import { OK, ReasonCode, type FilterPlugin } from '../../framework/contract.js';

/** Whether one toleration matches one taint (Kubernetes `ToleratesTaint`). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key === undefined || t.key === '') return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export const taintTolerationFilter = (): FilterPlugin => ({
  name: 'taint-toleration',
  filter(w, c) {
    for (const taint of c.taints) {
      if (taint.effect === 'PreferNoSchedule') continue;
      if (!w.tolerations.some((t) => tolerates(t, taint)))
        return { code: ReasonCode.TaintNotTolerated, reason: `taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect} is not tolerated` };
    }
    return OK;
  },
});
