// Test fixtures for the gateway: Workload, Placement and Cluster objects shaped as the store
// holds them, with the endpoints an agent publishes in Cluster status.workloads.
import type { ApiObject } from '../../api/index.js';

const API = 'truststram.io/v1alpha1';

export interface WorkloadFixture {
  namespace?: string;
  name: string;
  host: string;
  pathPrefix?: string;
  routing?: 'weighted' | 'locality';
  residency?: string[];
  slo?: number;
  healthPath?: string;
}

export function workload(w: WorkloadFixture): ApiObject {
  return {
    apiVersion: API,
    kind: 'Workload',
    metadata: { name: w.name, namespace: w.namespace ?? 'default' },
    spec: {
      image: 'echo',
      replicas: 1,
      placement: { mode: 'Divided', optimizeFor: 'cost', spotTolerant: false, ...(w.residency ? { residency: w.residency } : {}) },
      traffic: { host: w.host, routing: w.routing ?? 'weighted', slo: w.slo ?? 0.999, ...(w.pathPrefix ? { pathPrefix: w.pathPrefix } : {}) },
      ...(w.healthPath ? { healthCheck: { path: w.healthPath } } : {}),
    },
  };
}

export function placement(workloadName: string, clusters: Record<string, number>, namespace = 'default'): ApiObject {
  return {
    apiVersion: API,
    kind: 'Placement',
    metadata: { name: workloadName, namespace },
    spec: { workload: workloadName, generation: 1, costPerHour: 0, clusters: Object.entries(clusters).map(([cluster, replicas]) => ({ cluster, replicas })) },
  };
}

export interface ReplicaFixture {
  endpoint: string;
  name?: string;
  ready?: boolean;
}

export interface ClusterFixture {
  name: string;
  provider?: string;
  region: string;
  residency?: string;
  phase?: 'Ready' | 'NotReady' | 'Unknown';
  /** `namespace/name` -> replicas with endpoints. */
  workloads?: Record<string, ReplicaFixture[]>;
}

export function cluster(c: ClusterFixture): ApiObject {
  const workloads: Record<string, unknown> = {};
  for (const [key, reps] of Object.entries(c.workloads ?? {})) {
    const [namespace, name] = key.split('/');
    workloads[key] = {
      namespace,
      name,
      generation: 1,
      templateHash: 'h',
      desiredReplicas: reps.length,
      replicas: reps.length,
      readyReplicas: reps.filter((r) => r.ready !== false).length,
      updatedReplicas: reps.length,
      converged: true,
      replicaStatus: reps.map((r, i) => ({
        name: r.name ?? `${name}-h-${i}`,
        ordinal: i,
        templateHash: 'h',
        phase: 'Running',
        ready: r.ready !== false,
        restartCount: 0,
        endpoint: r.endpoint,
        simulated: false,
      })),
    };
  }
  return {
    apiVersion: API,
    kind: 'Cluster',
    metadata: { name: c.name },
    spec: { provider: c.provider ?? 'aws', region: c.region, ...(c.residency ? { residency: c.residency } : {}), capacity: { cpu: '16', memory: '64Gi' }, driver: { type: 'local' } },
    status: { phase: c.phase ?? 'Ready', workloads },
  };
}
