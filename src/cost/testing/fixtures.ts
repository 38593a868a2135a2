// Small typed builders of Clusters, Workloads and Placements for the cost tests: catalog
// instance types, so prices are the shipped ones.
import { API_VERSION, type Cluster, type Placement, type Workload } from '../../api/index.js';
import type { HistoryEntry } from '../../store/index.js';

export function cluster(name: string, opts: { provider?: 'aws' | 'azure' | 'gcp'; region?: string; type?: string; count?: number; spotType?: string; spotCount?: number; labels?: Record<string, string>; status?: Record<string, unknown> } = {}): Cluster {
  const pools: NonNullable<Cluster['spec']['nodePools']> = [{ name: 'general', instanceType: opts.type ?? 'm6i.xlarge', count: opts.count ?? 2, spot: false }];
  if (opts.spotType) pools.push({ name: 'spot', instanceType: opts.spotType, count: opts.spotCount ?? 1, spot: true });
  return {
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: { provider: opts.provider ?? 'aws', region: opts.region ?? 'eu-west-1', nodePools: pools, driver: { type: 'local' } } as Cluster['spec'],
    ...(opts.status ? { status: opts.status } : {}),
  };
}

export function workload(
  ns: string,
  name: string,
  opts: { cpu?: string; memory?: string; replicas?: number; labels?: Record<string, string>; residency?: string[]; spot?: boolean; spread?: { minProviders?: number; minRegions?: number; minClusters?: number; maxReplicasPerCluster?: number }; survive?: 'cluster' | 'region' | 'provider'; selector?: Record<string, string> } = {},
): Workload {
  return {
    apiVersion: API_VERSION,
    kind: 'Workload',
    metadata: { name, namespace: ns, labels: opts.labels ?? { team: ns } },
    spec: {
      image: 'registry.example/app@sha256:' + 'a'.repeat(64),
      replicas: opts.replicas ?? 1,
      resources: { cpu: opts.cpu ?? '1', memory: opts.memory ?? '2Gi' },
      priority: 'tier-2',
      placement: {
        mode: 'Divided',
        optimizeFor: 'cost',
        spotTolerant: opts.spot ?? false,
        ...(opts.residency ? { residency: opts.residency } : {}),
        ...(opts.spread ? { spread: opts.spread } : {}),
        ...(opts.selector ? { clusterSelector: opts.selector } : {}),
      },
      ...(opts.survive ? { availability: { tier: 'active-active', survive: opts.survive } } : {}),
    } as Workload['spec'],
  };
}

/** A Placement; `spot` records spotReplicas per cluster (absent: written before the field existed). */
export function placement(ns: string, name: string, clusters: Record<string, number>, costPerHour = 0, spot?: Record<string, number>): Placement {
  return {
    apiVersion: API_VERSION,
    kind: 'Placement',
    metadata: { name, namespace: ns },
    spec: { workload: name, generation: 1, clusters: Object.entries(clusters).map(([cluster, replicas]) => ({ cluster, replicas, ...(spot ? { spotReplicas: spot[cluster] ?? 0 } : {}) })), costPerHour },
  };
}

let rv = 0;
/** A history entry at an ISO time. */
export function at(time: string, object: HistoryEntry['object'], type: HistoryEntry['type'] = 'MODIFIED'): HistoryEntry {
  return { resourceVersion: String(++rv), time, type, object };
}

/** Usage status of a cluster as the local agent publishes it. */
export function usageStatus(usage: Record<string, { cpu: number; memoryBytes: number }[]>): Record<string, unknown> {
  const workloads: Record<string, unknown> = {};
  for (const [k, reps] of Object.entries(usage)) {
    const [namespace, name] = k.split('/');
    workloads[k] = { namespace, name, replicaStatus: reps.map((u, i) => ({ name: `${name}-${i}`, ordinal: i, usage: { cpu: u.cpu, memory: u.memoryBytes } })) };
  }
  return { phase: 'Ready', workloads };
}
