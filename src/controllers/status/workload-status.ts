// Pure: a Workload's status in Deployment style, from its Placement and what the agents of its
// clusters report. Replicas on clusters that are not Ready count as not ready: their reports
// are the last words of an agent that is gone.
import type { Cluster, Condition, Placement, Workload } from '../../api/index.js';
import type { ReplicaReport } from '../../drivers/index.js';
import { clusterIsUp } from '../placement/plan.js';

export interface WorkloadStatus {
  observedGeneration: number;
  /** Replicas the placement asks for, summed over clusters. */
  desiredReplicas: number;
  /** Replicas that exist on Ready clusters. */
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  unavailableReplicas: number;
  restarts: number;
  clusters: { cluster: string; replicas: number; readyReplicas: number; phase: string }[];
  costPerHour: number;
  conditions: Condition[];
}

interface Published {
  generation?: number;
  desiredReplicas?: number;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  converged?: boolean;
  replicaStatus?: ReplicaReport[];
}

export function reportOf(c: Cluster | undefined, key: string): Published | undefined {
  return ((c?.status as { workloads?: Record<string, Published> } | undefined)?.workloads ?? {})[key];
}

/** Computes the status; `previous` keeps condition transition times stable. */
export function computeWorkloadStatus(w: Workload, p: Placement | undefined, clusters: ReadonlyMap<string, Cluster>, previous: WorkloadStatus | undefined, now: string): WorkloadStatus {
  const key = `${w.metadata.namespace ?? 'default'}/${w.metadata.name}`;
  const generation = w.metadata.generation ?? 0;
  const rows: WorkloadStatus['clusters'] = [];
  let replicas = 0;
  let ready = 0;
  let updated = 0;
  let restarts = 0;
  let crashLooping = 0;
  const downClusters: string[] = [];
  for (const e of p?.spec.clusters ?? []) {
    if (e.replicas <= 0) continue;
    const c = clusters.get(e.cluster);
    const up = clusterIsUp(c);
    const r = reportOf(c, key);
    const phase = ((c?.status as { phase?: string } | undefined)?.phase ?? 'Unknown');
    const current = up && r && r.generation === generation;
    const rr = current ? (r.readyReplicas ?? 0) : 0;
    rows.push({ cluster: e.cluster, replicas: e.replicas, readyReplicas: rr, phase });
    if (!up) downClusters.push(e.cluster);
    if (up && r) {
      replicas += r.replicas ?? 0;
      ready += rr;
      updated += current ? (r.updatedReplicas ?? 0) : 0;
      for (const rep of r.replicaStatus ?? []) {
        restarts += rep.restartCount;
        if (rep.phase === 'CrashLoop' || rep.phase === 'Failed') crashLooping++;
      }
    }
  }
  const desired = rows.reduce((a, r) => a + r.replicas, 0);
  const want = w.spec.placement.mode === 'Duplicated' ? desired : w.spec.replicas;
  // Deployment semantics: Available while at most 25% (rounded down) of the replicas are unavailable.
  const maxUnavailable = Math.floor(want * 0.25);
  const conds: Condition[] = [];
  const cond = (type: string, status: boolean, reason: string, message: string) => {
    const prev = previous?.conditions.find((c) => c.type === type);
    const s = status ? 'True' : 'False';
    conds.push({ type, status: s, reason, message, lastTransitionTime: prev && prev.status === s ? prev.lastTransitionTime : now });
  };
  const unsched = p?.spec.unschedulable;
  cond('Available', want === 0 || ready >= want - maxUnavailable, ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', `${ready}/${want} replicas ready`);
  const converged = ready >= want && desired >= want && updated >= want;
  cond('Progressing', !converged && !unsched, converged ? 'NewReplicasAvailable' : unsched ? 'ProgressDeadlineBlocked' : 'ReplicasUpdating', converged ? 'all replicas updated and ready' : `${updated}/${want} updated, ${ready}/${want} ready`);
  const degradedReason = unsched
    ? [unsched.reason, unsched.message]
    : downClusters.length
      ? ['ClusterNotReady', `replicas on ${downClusters.join(', ')} are being re-placed`]
      : crashLooping
        ? ['CrashLoop', `${crashLooping} replica(s) crash-looping or failed`]
        : undefined;
  cond('Degraded', !!degradedReason, degradedReason?.[0] ?? 'AsExpected', degradedReason?.[1] ?? 'no faults');
  return {
    observedGeneration: generation,
    desiredReplicas: want,
    replicas,
    readyReplicas: ready,
    updatedReplicas: updated,
    unavailableReplicas: Math.max(0, want - ready),
    restarts,
    clusters: rows.sort((a, b) => a.cluster.localeCompare(b.cluster)),
    costPerHour: p?.spec.costPerHour ?? 0,
    conditions: conds,
  };
}
