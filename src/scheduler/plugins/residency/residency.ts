// Residency filter: a cluster outside the workload's jurisdictions is never feasible, and a
// cluster whose jurisdiction is unknown never satisfies a residency requirement.
import { OK, ReasonCode, type FilterPlugin } from '../../framework/contract.js';

export const residencyFilter = (): FilterPlugin => ({
  name: 'residency',
  filter(w, c) {
    if (!w.residency) return OK;
    if (c.residency === undefined)
      return { code: ReasonCode.ResidencyMismatch, reason: `cluster region ${c.provider}/${c.region} has no known jurisdiction; workload requires ${w.residency.join(',')}` };
    if (!w.residency.includes(c.residency))
      return { code: ReasonCode.ResidencyMismatch, reason: `cluster is in ${c.residency}, workload requires ${w.residency.join(',')}` };
    return OK;
  },
});
