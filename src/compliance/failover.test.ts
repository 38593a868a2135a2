import { describe, expect, it } from 'vitest';
import type { TrustStramEvent } from '../api/index.js';
import type { AuditEntry, HistoryEntry } from '../store/store.js';
import { computeFailoverHistory, type FailoverInputs } from './failover.js';

const T = (s: number) => new Date(Date.UTC(2026, 10, 21, 12, 0, s)).toISOString();

const health = (cluster: string, s: number, phase: string): AuditEntry => ({ seq: s, time: T(s), actor: 'controller:health', verb: 'health', kind: 'Cluster', name: cluster, details: { phase, reason: phase === 'Ready' ? 'AgentHeartbeating' : 'HeartbeatMissed' }, prevHash: '', hash: '' });

const placementAt = (s: number, name: string, clusters: Record<string, number>): HistoryEntry => ({
  resourceVersion: String(s),
  time: T(s),
  type: 'MODIFIED',
  object: { apiVersion: 'truststram.io/v1alpha1', kind: 'Placement', metadata: { name, namespace: 'shop' }, spec: { workload: name, generation: 1, clusters: Object.entries(clusters).map(([cluster, replicas]) => ({ cluster, replicas })), costPerHour: 0 } },
});

const statusAt = (s: number, name: string, ready: number, desired = 4): HistoryEntry => ({
  resourceVersion: String(s),
  time: T(s),
  type: 'MODIFIED',
  object: { apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', metadata: { name, namespace: 'shop' }, spec: {}, status: { readyReplicas: ready, desiredReplicas: desired } },
});

const event = (name: string, reason: string, involved: { kind: string; namespace?: string; name: string }, first: number, last = first, message = ''): TrustStramEvent => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Event',
  metadata: { name, namespace: involved.namespace ?? 'truststram-system' },
  spec: { involvedObject: involved, type: 'Warning', reason, message, count: 1, firstTimestamp: T(first), lastTimestamp: T(last) },
});

const base: FailoverInputs = {
  since: T(0),
  healthDecisions: [health('eu-1', 10, 'NotReady'), health('eu-1', 40, 'Ready')],
  events: [
    event('eu-1.abc', 'ClusterNotReady', { kind: 'Cluster', name: 'eu-1' }, 10),
    event('api.def', 'FailedOver', { kind: 'Workload', namespace: 'shop', name: 'api' }, 11, 11, 're-placed the replicas of failed eu-1: now eu-2 ×4'),
  ],
  placementHistory: [placementAt(1, 'api', { 'eu-1': 2, 'eu-2': 2 }), placementAt(2, 'web', { 'eu-2': 1 }), placementAt(11, 'api', { 'eu-2': 4 })],
  workloadHistory: [statusAt(5, 'api', 4), statusAt(11, 'api', 2), statusAt(14, 'api', 3), statusAt(17, 'api', 4), statusAt(30, 'api', 2)],
};

describe('computeFailoverHistory', () => {
  it('measures recovery from the ClusterNotReady transition to all replicas ready again', () => {
    const h = computeFailoverHistory(base);
    expect(h.incidents).toHaveLength(1);
    const i = h.incidents[0]!;
    expect(i).toMatchObject({ cluster: 'eu-1', notReadyAt: T(10), readyAgainAt: T(40), event: 'truststram-system/eu-1.abc' });
    // Only `api` had replicas on eu-1 at the failure; `web` did not.
    expect(i.workloads).toEqual([{ workload: 'shop/api', replicasLost: 2, outcome: 'FailedOver', message: 're-placed the replicas of failed eu-1: now eu-2 ×4', degradedAt: T(11), recoveredAt: T(17), recoveryMs: 7000 }]);
    expect(h.method).toContain('ClusterNotReady');
  });

  it('leaves recovery open while the workload has not recovered', () => {
    const h = computeFailoverHistory({ ...base, workloadHistory: [statusAt(11, 'api', 2), statusAt(14, 'api', 3)] });
    const w = h.incidents[0]!.workloads[0]!;
    expect(w.degradedAt).toBe(T(11));
    expect(w.recoveredAt).toBeUndefined();
    expect(w.recoveryMs).toBeUndefined();
  });

  it('counts each audited transition, even when the Events folded them into one', () => {
    const h = computeFailoverHistory({
      ...base,
      healthDecisions: [health('eu-1', 10, 'NotReady'), health('eu-1', 20, 'Ready'), health('eu-1', 50, 'NotReady')],
      events: [{ ...base.events[0]!, spec: { ...base.events[0]!.spec, count: 2, lastTimestamp: T(50) } }],
    });
    expect(h.incidents.map((i) => [i.notReadyAt, i.readyAgainAt ?? null, i.event ?? null])).toEqual([
      [T(10), T(20), 'truststram-system/eu-1.abc'],
      [T(50), null, 'truststram-system/eu-1.abc'],
    ]);
  });

  it("names each incident's own outcome from the audited decisions, though the Event folded the repeats into the latest message", () => {
    const decision = (s: number, message: string): AuditEntry => ({ seq: 100 + s, time: T(s), actor: 'controller:placement', verb: 'failover', kind: 'Workload', namespace: 'shop', name: 'api', details: { reason: 'FailedOver', message }, prevHash: '', hash: '' });
    const h = computeFailoverHistory({
      ...base,
      healthDecisions: [health('eu-1', 10, 'NotReady'), health('eu-1', 20, 'Ready'), health('eu-1', 50, 'NotReady')],
      // The second failure's Event message replaced the first one's.
      events: [event('api.def', 'FailedOver', { kind: 'Workload', namespace: 'shop', name: 'api' }, 11, 51, 're-placed the replicas of failed eu-1: now eu-3 ×4')],
      failoverDecisions: [decision(11, 're-placed the replicas of failed eu-1: now eu-2 ×4'), decision(51, 're-placed the replicas of failed eu-1: now eu-3 ×4')],
      placementHistory: [placementAt(1, 'api', { 'eu-1': 4 }), placementAt(11, 'api', { 'eu-2': 4 }), placementAt(25, 'api', { 'eu-1': 4 }), placementAt(51, 'api', { 'eu-3': 4 })],
    });
    expect(h.incidents.map((i) => i.workloads[0]?.message)).toEqual(['re-placed the replicas of failed eu-1: now eu-2 ×4', 're-placed the replicas of failed eu-1: now eu-3 ×4']);
  });

  it('falls back to the Event when no transition was audited', () => {
    const h = computeFailoverHistory({ ...base, healthDecisions: [] });
    expect(h.incidents.map((i) => [i.cluster, i.notReadyAt])).toEqual([['eu-1', T(10)]]);
  });
});
