// Residency on the Placement path itself: a Placement may only name clusters inside its
// Workload's residency. The scheduler never writes one that does not; this guards what others
// write (a hand-edited Placement) and tells the controller when a stored one needs repair.
import { clusterJurisdiction, type Cluster, type Placement, type Workload } from '../../api/index.js';
import type { Cause } from '../../api/index.js';


/**
 * The entries of `p.spec.clusters` holding replicas outside the residency of `w`: one cause each,
 * naming the field. A cluster of unknown jurisdiction is outside (residency is never guessed); an
 * unknown cluster is left to the controller (it holds nothing to run).
 */
export function placementOutsideResidency(p: Placement, w: Workload | undefined, clusterByName: (name: string) => Cluster | undefined): Cause[] {
  const allowed = w?.spec.placement.residency;
  if (!allowed?.length) return [];
  const causes: Cause[] = [];
  p.spec.clusters.forEach((e, i) => {
    const c = clusterByName(e.cluster);
    if (!c || e.replicas <= 0) return;
    const j = clusterJurisdiction(c);
    if (j !== undefined && allowed.includes(j)) return;
    causes.push({
      field: `spec.clusters[${i}].cluster`,
      message: `cluster ${e.cluster} is in jurisdiction ${j ?? 'unknown'}, outside the residency ${allowed.join('/')} of workload ${w!.metadata.namespace ?? 'default'}/${w!.metadata.name}`,
    });
  });
  return causes;
}
