// Test fixtures: small typed Cluster and Workload builders (validated through the real
// schemas, so defaults are applied exactly as an apply would).
import { clusterSchema, workloadSchema, type Cluster, type Placement, type Workload } from '../../api/index.js';

export interface ClusterOpts {
  provider?: 'aws' | 'azure' | 'gcp' | 'onprem';
  region?: string;
  residency?: string;
  cpu?: number;
  memGiB?: number;
  pods?: number;
  cpuHour?: number;
  memHour?: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  phase?: 'Ready' | 'NotReady' | 'Unknown';
  unschedulable?: boolean;
  /** vCPUs of the cluster that are spot (m6i.xlarge nodes: 4 vCPU, 16 GiB each; aws only). */
  spotNodes?: number;
  spotFactor?: number;
}

/** A cluster with capacity and a pricing override (no catalog needed except for spot shapes). */
export function cluster(name: string, o: ClusterOpts = {}): Cluster {
  const provider = o.provider ?? 'aws';
  return clusterSchema.parse({
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      provider,
      region: o.region ?? (provider === 'aws' ? 'eu-west-1' : provider === 'gcp' ? 'europe-west1' : provider === 'azure' ? 'westeurope' : 'dc1'),
      ...(o.residency ? { residency: o.residency } : provider === 'onprem' ? { residency: 'eu' } : {}),
      capacity: { cpu: String(o.cpu ?? 16), memory: `${o.memGiB ?? 64}Gi`, ...(o.pods !== undefined ? { pods: o.pods } : {}) },
      pricing: { cpuHour: o.cpuHour ?? 0.03, memoryGiBHour: o.memHour ?? 0.004, ...(o.spotFactor ? { spotFactor: o.spotFactor } : {}) },
      ...(o.spotNodes ? { nodePools: [{ instanceType: 'm6i.xlarge', count: o.spotNodes, spot: true }] } : {}),
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.unschedulable ? { unschedulable: true } : {}),
    },
    ...(o.phase ? { status: { phase: o.phase } } : {}),
  });
}

/** A workload; `placement` is the spec.placement object as a user writes it. */
export function workload(name: string, replicas: number, cpu: number, memGiB: number, placement: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Workload {
  return workloadSchema.parse({
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Workload',
    metadata: { name, namespace: 'default' },
    spec: { image: 'app@sha256:0', replicas, resources: { cpu: String(cpu), memory: `${memGiB * 1024}Mi` }, placement, ...extra },
  });
}

/** A Placement object as the controller stores it (for `current`); `spot` records spotReplicas per cluster. */
export function placement(workloadName: string, clusters: Record<string, number>, spot?: Record<string, number>): Placement {
  return {
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Placement',
    metadata: { name: workloadName, namespace: 'default' },
    spec: { workload: workloadName, generation: 1, clusters: Object.entries(clusters).map(([cluster, replicas]) => ({ cluster, replicas, ...(spot ? { spotReplicas: spot[cluster] ?? 0 } : {}) })), costPerHour: 0 },
  };
}
