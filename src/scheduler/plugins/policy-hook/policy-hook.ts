// Policy hook: asks an injected decision function (the CEL policy engine, later) whether the
// workload may run on the cluster. Without a hook every cluster is allowed.
import { OK, ReasonCode, type FilterPlugin, type PolicyHook } from '../../framework/contract.js';

export const policyHookFilter = (hook?: PolicyHook): FilterPlugin => ({
  name: 'policy-hook',
  filter(w, c) {
    if (!hook) return OK;
    const d = hook(w, c);
    return d.allowed ? OK : { code: ReasonCode.PolicyDenied, reason: d.reason ?? 'denied by policy' };
  },
});
