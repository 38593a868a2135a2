// How the agent publishes its ClusterReport into the Cluster's status (the contract the
// controllers and the gateway read; documented in docs/adr/0006-local-driver.md):
//   status.workloads["<namespace>/<name>"] = WorkloadReport without its `workload` key
// Usage numbers change on every sample; they are refreshed only every `usageReportMs` so an
// idle cluster's status does not change (and is not rewritten) on every heartbeat.
import { workloadKeyString, type ClusterReport, type ReplicaReport, type Resources, type WorkloadReport } from '../contract.js';

/** One entry of Cluster `status.workloads`. */
export type PublishedWorkload = Omit<WorkloadReport, 'workload'> & { namespace: string; name: string };

export interface PublishedReport {
  workloads: Record<string, PublishedWorkload>;
  allocated: Resources;
  usage: Resources;
}

/** Keeps usage numbers stable between refreshes. */
export function createReportPublisher(usageReportMs: number): { publish(r: ClusterReport): PublishedReport } {
  let lastRefresh = 0;
  let replicaUsage = new Map<string, ReplicaReport['usage']>();
  let clusterUsage: Resources = { cpu: 0, memory: 0, pods: 0 };
  return {
    publish(r) {
      const now = Date.now();
      const refresh = now - lastRefresh >= usageReportMs;
      if (refresh) {
        lastRefresh = now;
        replicaUsage = new Map();
        clusterUsage = roundResources(r.usage);
      }
      const workloads: Record<string, PublishedWorkload> = {};
      for (const w of r.workloads) {
        const { workload, replicaStatus, ...rest } = w;
        const reps = replicaStatus.map((rep) => {
          const key = `${workloadKeyString(workload)}/${rep.name}`;
          if (refresh && rep.usage) replicaUsage.set(key, rep.usage);
          const { usage: _fresh, ...without } = rep;
          const u = replicaUsage.get(key);
          return u ? { ...without, usage: u } : without;
        });
        workloads[workloadKeyString(workload)] = { namespace: workload.namespace, name: workload.name, ...rest, replicaStatus: reps };
      }
      return { workloads, allocated: roundResources(r.allocated), usage: clusterUsage };
    },
  };
}

function roundResources(r: Resources): Resources {
  return { cpu: Math.round(r.cpu * 1000) / 1000, memory: Math.round(r.memory), pods: r.pods };
}
