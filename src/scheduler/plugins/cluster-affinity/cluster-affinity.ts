// Cluster selector and Karmada-style cluster affinity: explicit names, label selector,
// providers, regions and exclusions. Exclusion wins over every positive match.
import { OK, ReasonCode, type FilterPlugin } from '../../framework/contract.js';

export const clusterAffinityFilter = (): FilterPlugin => ({
  name: 'cluster-affinity',
  filter(w, c) {
    if (w.clusterSelector && !w.clusterSelector(c.labels))
      return { code: ReasonCode.ClusterSelectorMismatch, reason: 'cluster labels do not match clusterSelector' };
    const a = w.affinity;
    if (!a) return OK;
    if (a.exclude?.has(c.name)) return { code: ReasonCode.ClusterExcluded, reason: 'cluster is listed in clusterAffinity.exclude' };
    if (a.names && !a.names.has(c.name)) return { code: ReasonCode.ClusterAffinityMismatch, reason: 'cluster is not in clusterAffinity.clusterNames' };
    if (a.providers && !a.providers.has(c.provider))
      return { code: ReasonCode.ClusterAffinityMismatch, reason: `provider ${c.provider} is not in clusterAffinity.providers` };
    if (a.regions && !a.regions.has(c.region)) return { code: ReasonCode.ClusterAffinityMismatch, reason: `region ${c.region} is not in clusterAffinity.regions` };
    if (a.labelSelector && !a.labelSelector(c.labels))
      return { code: ReasonCode.ClusterAffinityMismatch, reason: 'cluster labels do not match clusterAffinity.labelSelector' };
    return OK;
  },
});
