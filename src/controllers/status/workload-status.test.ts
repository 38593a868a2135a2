import { describe, expect, it } from 'vitest';
import { API_VERSION, validateObject, type Cluster, type Placement, type Workload } from '../../api/index.js';
import { computeWorkloadStatus } from './workload-status.js';

const w = validateObject({ apiVersion: API_VERSION, kind: 'Workload', metadata: { name: 'api', namespace: 'ns' }, spec: { image: 'x', replicas: 4 } });
const workload = { ...(w.ok ? (w.object as Workload) : ({} as Workload)), metadata: { name: 'api', namespace: 'ns', generation: 2 } };
const placement = { apiVersion: API_VERSION, kind: 'Placement', metadata: { name: 'api', namespace: 'ns' }, spec: { workload: 'api', generation: 2, clusters: [{ cluster: 'a', replicas: 2 }, { cluster: 'b', replicas: 2 }], costPerHour: 0.5 } } as Placement;
const cluster = (name: string, phase: string, ready: number, restart = 0, crash = false): Cluster =>
  ({
    apiVersion: API_VERSION,
    kind: 'Cluster',
    metadata: { name },
    spec: {},
    status: {
      phase,
      workloads: { 'ns/api': { generation: 2, desiredReplicas: 2, replicas: 2, readyReplicas: ready, updatedReplicas: 2, replicaStatus: [{ name: 'r0', restartCount: restart, phase: crash ? 'CrashLoop' : 'Running', ready: true }] } },
    },
  }) as unknown as Cluster;

describe('computeWorkloadStatus', () => {
  it('sums ready replicas per cluster and is Available, not Progressing, not Degraded when all run', () => {
    const s = computeWorkloadStatus(workload, placement, new Map([['a', cluster('a', 'Ready', 2)], ['b', cluster('b', 'Ready', 2)]]), undefined, 'T');
    expect(s.readyReplicas).toBe(4);
    expect(s.clusters.map((c) => [c.cluster, c.readyReplicas])).toEqual([['a', 2], ['b', 2]]);
    expect(s.conditions.map((c) => [c.type, c.status])).toEqual([['Available', 'True'], ['Progressing', 'False'], ['Degraded', 'False']]);
  });

  it('does not count replicas on a NotReady cluster and says the workload is Degraded', () => {
    const s = computeWorkloadStatus(workload, placement, new Map([['a', cluster('a', 'NotReady', 2)], ['b', cluster('b', 'Ready', 2)]]), undefined, 'T');
    expect(s.readyReplicas).toBe(2);
    expect(s.conditions.find((c) => c.type === 'Available')!.status).toBe('False');
    expect(s.conditions.find((c) => c.type === 'Degraded')!.reason).toBe('ClusterNotReady');
  });

  it('reports crash loops and keeps transition times when nothing flips', () => {
    const clusters = new Map([['a', cluster('a', 'Ready', 2, 3, true)], ['b', cluster('b', 'Ready', 2)]]);
    const first = computeWorkloadStatus(workload, placement, clusters, undefined, 'T1');
    expect(first.restarts).toBe(3);
    expect(first.conditions.find((c) => c.type === 'Degraded')!.reason).toBe('CrashLoop');
    const second = computeWorkloadStatus(workload, placement, clusters, first, 'T2');
    expect(second.conditions.every((c) => c.lastTransitionTime === 'T1')).toBe(true);
  });

  it('counts reports of an older generation as not ready (a rollout in progress)', () => {
    const old = cluster('a', 'Ready', 2);
    (old.status as { workloads: Record<string, { generation: number }> }).workloads['ns/api']!.generation = 1;
    const s = computeWorkloadStatus(workload, placement, new Map([['a', old], ['b', cluster('b', 'Ready', 2)]]), undefined, 'T');
    expect(s.readyReplicas).toBe(2);
    expect(s.conditions.find((c) => c.type === 'Progressing')!.status).toBe('True');
  });
});
