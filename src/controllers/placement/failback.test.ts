import { describe, expect, it } from 'vitest';
import { API_VERSION, validateObject, type Cluster, type Placement, type Workload } from '../../api/index.js';
import { surgeOf } from './split.js';
import { FAILBACK, FAILED_OVER_FROM, domains, failbackReadiness, planFailback, DEFAULT_FAILBACK, type FailbackState } from './failback.js';
import { planPlacements } from './plan.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function valid<T>(o: unknown): T {
  const r = validateObject(o);
  if (!r.ok) throw new Error(JSON.stringify(r.causes));
  return r.object as T;
}
/** A cluster Ready since `readyForMs` (its Ready condition's transition time). */
const cluster = (name: string, provider: string, region: string, price: number, readyForMs = 3_600_000, phase = 'Ready', workloads: Record<string, unknown> = {}): Cluster => ({
  ...valid<Cluster>({ apiVersion: API_VERSION, kind: 'Cluster', metadata: { name }, spec: { provider, region, capacity: { cpu: '8', memory: '32Gi', pods: 50 }, pricing: { cpuHour: price, memoryGiBHour: 0.004 } } }),
  status: { phase, conditions: [{ type: 'Ready', status: phase === 'Ready' ? 'True' : 'False', lastTransitionTime: ago(readyForMs) }], workloads },
});
const workload = (name: string, replicas: number, extra: Record<string, unknown> = {}): Workload => ({
  ...valid<Workload>({ apiVersion: API_VERSION, kind: 'Workload', metadata: { name, namespace: 'team' }, spec: { image: 'x', replicas, resources: { cpu: '1', memory: '1Gi' }, placement: { residency: 'eu', ...extra } } }),
  metadata: { name, namespace: 'team', generation: 1 },
});
const placement = (w: string, clusters: { cluster: string; replicas: number }[], costPerHour: number, annotations?: Record<string, string>): Placement => ({
  apiVersion: API_VERSION,
  kind: 'Placement',
  metadata: { name: w, namespace: 'team', ...(annotations ? { annotations } : {}) },
  spec: { workload: w, generation: 1, clusters, costPerHour },
});
const fleet = (awsReadyForMs = 3_600_000) => [cluster('aws-eu', 'aws', 'eu-west-1', 0.01, awsReadyForMs), cluster('gcp-eu', 'gcp', 'europe-west1', 0.05), cluster('azure-eu', 'azure', 'westeurope', 0.06)];
const failedOver = (clusters = [{ cluster: 'gcp-eu', replicas: 2 }], cost = 0.108) => placement('pay', clusters, cost, { [FAILED_OVER_FROM]: 'aws-eu' });
const plan = (clusters: Cluster[], placements: Placement[], transitions = new Map<string, number[]>(), w = workload('pay', 2)) =>
  planFailback({ clusters, workloads: [w], placements, now: NOW, transitions });

describe('failbackReadiness', () => {
  it('holds a returned cluster back until it has been Ready for the stable period, and says how long to wait', () => {
    const r = failbackReadiness(fleet(10_000)[0], [], NOW, DEFAULT_FAILBACK);
    expect(r.ok).toBe(false);
    expect(r.waitMs).toBe(20_000);
    expect(failbackReadiness(fleet(30_000)[0], [], NOW, DEFAULT_FAILBACK).ok).toBe(true);
  });

  it('never trusts a flapping cluster, however long its current Ready spell', () => {
    const flaps = [NOW - 500_000, NOW - 400_000, NOW - 300_000, NOW - 200_000];
    const r = failbackReadiness(fleet(60_000)[0], flaps, NOW, { ...DEFAULT_FAILBACK, stableMs: 1000 });
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/flapping/);
    // It is trusted again once the oldest counted transition leaves the window.
    expect(r.waitMs).toBe(100_000);
  });
});

describe('planFailback', () => {
  it('fails back to a stable, cheaper origin make-before-break: first the surge (old ∪ new)', () => {
    const p = plan(fleet(), [failedOver()]);
    expect(p.upserts).toHaveLength(1);
    const u = p.upserts[0]!;
    expect(u.event.reason).toBe('FailingBack');
    // The new split records its pools; the old one (written before spotReplicas) stays unrecorded.
    expect(u.clusters).toEqual([{ cluster: 'aws-eu', replicas: 2, spotReplicas: 0 }, { cluster: 'gcp-eu', replicas: 2 }]);
    const state = JSON.parse(u.annotations![FAILBACK]!) as FailbackState;
    expect(state.to).toEqual([{ cluster: 'aws-eu', replicas: 2, spotReplicas: 0 }]);
    expect(state.from).toEqual([{ cluster: 'gcp-eu', replicas: 2 }]);
    expect(u.annotations![FAILED_OVER_FROM]).toBeUndefined();
  });

  it('waits while the origin is settling and asks to be woken when it is stable', () => {
    const p = plan(fleet(5000), [failedOver()]);
    expect(p.upserts).toEqual([]);
    expect(p.recheckMs).toBe(25_000);
  });

  it('does not fail back to a flapping cluster', () => {
    const flaps = new Map([['aws-eu', [NOW - 300_000, NOW - 240_000, NOW - 180_000, NOW - 120_000]]]);
    expect(plan(fleet(), [failedOver()], flaps).upserts).toEqual([]);
  });

  it('keeps replicas where they are when moving back would not lower the cost, and forgets the origin', () => {
    const clusters = [cluster('aws-eu', 'aws', 'eu-west-1', 0.09), cluster('gcp-eu', 'gcp', 'europe-west1', 0.05)];
    const p = plan(clusters, [failedOver()]);
    expect(p.upserts).toHaveLength(1);
    expect(p.upserts[0]!.event.reason).toBe('FailbackSkipped');
    expect(p.upserts[0]!.clusters).toEqual([{ cluster: 'gcp-eu', replicas: 2 }]);
    expect(p.upserts[0]!.annotations ?? {}).not.toHaveProperty(FAILED_OVER_FROM);
  });

  it('keeps replicas where they are when moving back would span fewer failure domains', () => {
    const spread = failedOver([{ cluster: 'gcp-eu', replicas: 1 }, { cluster: 'azure-eu', replicas: 1 }], 0.118);
    const p = plan(fleet(), [spread]);
    expect(p.upserts[0]!.event.reason).toBe('FailbackSkipped');
    expect(p.upserts[0]!.event.message).toMatch(/reduce availability/);
  });

  it('removes the old replicas only once the new ones report ready', () => {
    const state: FailbackState = { from: [{ cluster: 'gcp-eu', replicas: 2 }], to: [{ cluster: 'aws-eu', replicas: 2 }], fromCost: 0.108, toCost: 0.028, startedAt: NOW - 1000 };
    const surge = placement('pay', [{ cluster: 'aws-eu', replicas: 2 }, { cluster: 'gcp-eu', replicas: 2 }], 0.108, { [FAILBACK]: JSON.stringify(state) });
    const notYet = plan([cluster('aws-eu', 'aws', 'eu-west-1', 0.01, 3_600_000, 'Ready', { 'team/pay': { generation: 1, readyReplicas: 1 } }), ...fleet().slice(1)], [surge]);
    expect(notYet.upserts).toEqual([]);
    expect(notYet.recheckMs).toBe(250);
    const done = plan([cluster('aws-eu', 'aws', 'eu-west-1', 0.01, 3_600_000, 'Ready', { 'team/pay': { generation: 1, readyReplicas: 2 } }), ...fleet().slice(1)], [surge]);
    expect(done.upserts[0]!.event.reason).toBe('FailedBack');
    expect(done.upserts[0]!.clusters).toEqual([{ cluster: 'aws-eu', replicas: 2 }]);
    expect(done.upserts[0]!.annotations ?? {}).not.toHaveProperty(FAILBACK);
  });
});

describe('planPlacements with failback', () => {
  it('records where failed-over replicas came from', () => {
    const clusters = fleet();
    clusters[0] = cluster('aws-eu', 'aws', 'eu-west-1', 0.01, 1000, 'NotReady');
    const p = planPlacements({ clusters, workloads: [workload('pay', 2)], placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 2 }], 0.028)], now: NOW });
    expect(p.upserts[0]!.event.reason).toBe('FailedOver');
    expect(p.upserts[0]!.annotations?.[FAILED_OVER_FROM]).toBe('aws-eu');
  });

  it('abandons a failback whose target fails again: back to the old split, no surplus replicas', () => {
    const clusters = fleet();
    clusters[0] = cluster('aws-eu', 'aws', 'eu-west-1', 0.01, 1000, 'NotReady');
    const state: FailbackState = { from: [{ cluster: 'gcp-eu', replicas: 2 }], to: [{ cluster: 'aws-eu', replicas: 2 }], fromCost: 0.108, toCost: 0.028, startedAt: NOW - 1000 };
    const surge = placement('pay', [{ cluster: 'aws-eu', replicas: 2 }, { cluster: 'gcp-eu', replicas: 2 }], 0.108, { [FAILBACK]: JSON.stringify(state) });
    const p = planPlacements({ clusters, workloads: [workload('pay', 2)], placements: [surge], now: NOW });
    expect(p.upserts).toHaveLength(1);
    expect(p.upserts[0]!.event.reason).toBe('FailbackAborted');
    expect(p.upserts[0]!.clusters).toEqual([{ cluster: 'gcp-eu', replicas: 2 }]);
    expect(p.upserts[0]!.annotations?.[FAILED_OVER_FROM]).toBe('aws-eu');
  });

  it('never fails back while a failover is being handled in the same round', () => {
    const clusters = fleet();
    clusters[2] = cluster('azure-eu', 'azure', 'westeurope', 0.06, 1000, 'NotReady');
    const p = planPlacements({ clusters, workloads: [workload('pay', 2), workload('web', 1)], placements: [failedOver(), placement('web', [{ cluster: 'azure-eu', replicas: 1 }], 0.064)], now: NOW });
    expect(p.upserts.map((u) => u.event.reason)).toEqual(['FailedOver']);
  });
});

describe('helpers', () => {
  it('surgeOf keeps the larger recorded spot part, and leaves it unrecorded when a side does not record it', () => {
    expect(surgeOf([{ cluster: 'a', replicas: 2, spotReplicas: 2 }, { cluster: 'b', replicas: 1, spotReplicas: 0 }], [{ cluster: 'a', replicas: 3, spotReplicas: 1 }, { cluster: 'b', replicas: 2 }])).toEqual([
      { cluster: 'a', replicas: 3, spotReplicas: 2 },
      { cluster: 'b', replicas: 2 },
    ]);
  });

  it('surgeOf keeps the larger count per cluster; domains counts clusters, regions, providers', () => {
    expect(surgeOf([{ cluster: 'a', replicas: 3 }, { cluster: 'b', replicas: 1 }], [{ cluster: 'b', replicas: 2 }, { cluster: 'c', replicas: 0 }])).toEqual([{ cluster: 'a', replicas: 3 }, { cluster: 'b', replicas: 2 }]);
    const byName = new Map(fleet().map((c) => [c.metadata.name, c]));
    expect(domains([{ cluster: 'aws-eu', replicas: 1 }, { cluster: 'gcp-eu', replicas: 1 }], byName)).toEqual({ clusters: 2, regions: 2, providers: 2 });
  });
});
