import { describe, expect, it } from 'vitest';
import { API_VERSION, validateObject, type Cluster, type Placement, type Workload } from '../../api/index.js';
import { planPlacements } from './plan.js';
import { onlineView, settleDelay } from './placement-controller.js';

function valid<T>(o: unknown): T {
  const r = validateObject(o);
  if (!r.ok) throw new Error(JSON.stringify(r.causes));
  return r.object as T;
}
const cluster = (name: string, provider: string, region: string, phase = 'Ready', cpu = 8, price = 0.03): Cluster => ({
  ...valid<Cluster>({ apiVersion: API_VERSION, kind: 'Cluster', metadata: { name }, spec: { provider, region, capacity: { cpu: String(cpu), memory: '32Gi', pods: 50 }, pricing: { cpuHour: price, memoryGiBHour: 0.004 } } }),
  status: { phase },
});
const workload = (name: string, replicas: number, residency: string, extra: Record<string, unknown> = {}, generation = 1): Workload => ({
  ...valid<Workload>({ apiVersion: API_VERSION, kind: 'Workload', metadata: { name, namespace: 'team' }, spec: { image: 'x', replicas, resources: { cpu: '1', memory: '1Gi' }, placement: { residency, ...extra } } }),
  metadata: { name, namespace: 'team', generation },
});
const placement = (w: string, clusters: { cluster: string; replicas: number; spotReplicas?: number }[], generation = 1): Placement => ({
  apiVersion: API_VERSION,
  kind: 'Placement',
  metadata: { name: w, namespace: 'team' },
  spec: { workload: w, generation, clusters, costPerHour: 0 },
});

const fleet = () => [cluster('aws-eu', 'aws', 'eu-west-1', 'Ready', 8, 0.02), cluster('gcp-eu', 'gcp', 'europe-west1', 'Ready', 8, 0.03), cluster('aws-us', 'aws', 'us-east-1', 'Ready', 64, 0.001)];

describe('planPlacements', () => {
  it('places new workloads inside their residency, cheapest first, and says why', () => {
    const plan = planPlacements({ clusters: fleet(), workloads: [workload('pay', 3, 'eu')], placements: [] });
    expect(plan.upserts).toHaveLength(1);
    expect(plan.upserts[0]!.clusters).toEqual([{ cluster: 'aws-eu', replicas: 3, spotReplicas: 0 }]);
    expect(plan.upserts[0]!.event.reason).toBe('Scheduled');
  });

  it('leaves current placements alone (stability) and deletes placements of deleted workloads', () => {
    const plan = planPlacements({
      clusters: fleet(),
      workloads: [workload('pay', 3, 'eu')],
      placements: [placement('pay', [{ cluster: 'gcp-eu', replicas: 3 }]), placement('gone', [{ cluster: 'aws-us', replicas: 1 }])],
    });
    expect(plan.upserts).toEqual([]);
    expect(plan.deletes).toEqual([{ namespace: 'team', name: 'gone' }]);
  });

  it('re-places only the replicas of a failed cluster, never across the residency boundary', () => {
    const clusters = fleet();
    clusters[0] = { ...clusters[0]!, status: { phase: 'NotReady' } };
    const plan = planPlacements({
      clusters,
      workloads: [workload('pay', 4, 'eu'), workload('web', 2, 'us')],
      placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 2 }, { cluster: 'gcp-eu', replicas: 2 }]), placement('web', [{ cluster: 'aws-us', replicas: 2 }])],
    });
    expect(plan.failedClusters).toEqual(['aws-eu']);
    expect(plan.upserts.map((u) => u.name)).toEqual(['pay']);
    expect(plan.upserts[0]!.clusters).toEqual([{ cluster: 'gcp-eu', replicas: 4, spotReplicas: 0 }]);
    expect(plan.upserts[0]!.event.reason).toBe('FailedOver');
  });

  it('takes replicas off a live cluster whose jurisdiction changed, and moves only those inside the residency', () => {
    const clusters = fleet();
    // aws-eu is re-declared in us-east-1: its replicas of EU-resident workloads must go, the others stay.
    clusters[0] = { ...clusters[0]!, spec: { ...clusters[0]!.spec, region: 'us-east-1', residency: 'us' } };
    const plan = planPlacements({
      clusters,
      workloads: [workload('pay', 4, 'eu'), workload('web', 2, 'us')],
      placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 2 }, { cluster: 'gcp-eu', replicas: 2 }]), placement('web', [{ cluster: 'aws-eu', replicas: 2 }])],
    });
    expect(plan.failedClusters).toEqual([]);
    expect(plan.upserts.map((u) => u.name)).toEqual(['pay']);
    expect(plan.upserts[0]!.clusters).toEqual([{ cluster: 'gcp-eu', replicas: 4, spotReplicas: 0 }]);
    expect(plan.upserts[0]!.event).toMatchObject({ reason: 'MovedIntoResidency', type: 'Warning' });
    expect(plan.upserts[0]!.event.message).toContain('replicas on aws-eu (jurisdiction us) were outside residency eu');
    // Applied, the next round changes nothing.
    const next = planPlacements({ clusters, workloads: [workload('pay', 4, 'eu'), workload('web', 2, 'us')], placements: [placement('pay', plan.upserts[0]!.clusters), placement('web', [{ cluster: 'aws-eu', replicas: 2 }])] });
    expect(next.upserts).toEqual([]);
  });

  it('stops replicas written by hand outside the residency even when there is no room inside it (Degraded)', () => {
    const plan = planPlacements({
      clusters: fleet(),
      workloads: [workload('pay', 12, 'eu')],
      // A hand-written Placement: 8 on the EU cluster, 4 on the US one; the other EU cluster has 8 cores.
      placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 8 }, { cluster: 'aws-us', replicas: 4 }])],
    });
    expect(plan.upserts).toHaveLength(1);
    const u = plan.upserts[0]!;
    expect(u.clusters.some((c) => c.cluster === 'aws-us' && c.replicas > 0)).toBe(false);
    expect(u.clusters.reduce((n, c) => n + c.replicas, 0)).toBe(12);
    expect(u.event.reason).toBe('MovedIntoResidency');
    const full = planPlacements({
      clusters: [cluster('aws-eu', 'aws', 'eu-west-1', 'Ready', 8), cluster('aws-us', 'aws', 'us-east-1', 'Ready', 64)],
      workloads: [workload('pay', 12, 'eu')],
      placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 8 }, { cluster: 'aws-us', replicas: 4 }])],
    });
    expect(full.upserts[0]!.clusters).toEqual([{ cluster: 'aws-eu', replicas: 8, spotReplicas: 0 }]);
    expect(full.upserts[0]!.event.reason).toBe('Degraded');
    expect(full.upserts[0]!.unschedulable).toMatchObject({ reason: 'InsufficientCapacityInResidency' });
    expect(full.upserts[0]!.event.message).toContain('4 found no room inside it and are not run');
  });

  it('reports Degraded, keeping surviving replicas, when the residency has no room left', () => {
    const clusters = fleet();
    clusters[0] = { ...clusters[0]!, status: { phase: 'NotReady' } };
    const plan = planPlacements({
      clusters,
      workloads: [workload('pay', 12, 'eu')],
      placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 6 }, { cluster: 'gcp-eu', replicas: 6 }])],
    });
    const u = plan.upserts[0]!;
    expect(u.event.reason).toBe('Degraded');
    expect(u.unschedulable?.reason).toBe('InsufficientCapacityInResidency');
    expect(u.clusters.every((c) => c.cluster !== 'aws-us')).toBe(true);
    // The survivors stay and the room left inside the residency (2 of 8 CPUs) is used.
    expect(u.clusters).toEqual([{ cluster: 'gcp-eu', replicas: 8, spotReplicas: 0 }]);
    expect(u.event.message).toMatch(/4 of 12 found no capacity/);
  });

  it('runs as many replicas as fit inside the residency when every replica sat on the failed cluster', () => {
    const clusters = fleet();
    clusters[0] = { ...clusters[0]!, status: { phase: 'NotReady' } };
    const plan = planPlacements({
      clusters,
      workloads: [workload('pay', 8, 'eu'), workload('web', 6, 'eu')],
      placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 8 }]), placement('web', [{ cluster: 'gcp-eu', replicas: 6 }])],
    });
    expect(plan.upserts.map((u) => [u.name, u.event.reason])).toEqual([['pay', 'Degraded']]);
    expect(plan.upserts[0]!.clusters).toEqual([{ cluster: 'gcp-eu', replicas: 2, spotReplicas: 0 }]);
    const alone = planPlacements({ clusters, workloads: [workload('pay', 4, 'eu')], placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 4 }])] });
    expect(alone.upserts[0]!.clusters).toEqual([{ cluster: 'gcp-eu', replicas: 4, spotReplicas: 0 }]);
    expect(alone.upserts[0]!.event.reason).toBe('FailedOver');
  });

  it('re-places a workload whose spec changed and reports an unschedulable one without partial placement', () => {
    const plan = planPlacements({
      clusters: fleet(),
      workloads: [workload('pay', 5, 'eu', {}, 2), workload('huge', 40, 'eu')],
      placements: [placement('pay', [{ cluster: 'aws-eu', replicas: 3 }], 1)],
    });
    const pay = plan.upserts.find((u) => u.name === 'pay')!;
    expect(pay.generation).toBe(2);
    expect(pay.clusters.reduce((a, c) => a + c.replicas, 0)).toBe(5);
    const huge = plan.upserts.find((u) => u.name === 'huge')!;
    expect(huge.clusters).toEqual([]);
    expect(huge.event.reason).toBe('FailedScheduling');
  });
});

describe('online view', () => {
  it('treats clusters without any status as Unknown and waits for freshly declared ones', () => {
    const c = { ...fleet()[0]!, status: undefined, metadata: { name: 'new', creationTimestamp: new Date(1000).toISOString() } } as Cluster;
    expect((onlineView([c])[0]!.status as { phase: string }).phase).toBe('Unknown');
    expect(settleDelay([c], 2000, 5000)).toBe(4000);
    expect(settleDelay([c], 7000, 5000)).toBe(0);
    expect(settleDelay(fleet(), 2000, 5000)).toBe(0);
  });
});

describe('settle delay', () => {
  it('also waits for recent clusters the health controller already called Unknown', () => {
    const c = { ...fleet()[0]!, status: { phase: 'Unknown' }, metadata: { name: 'new', creationTimestamp: new Date(1000).toISOString() } } as Cluster;
    expect(settleDelay([c], 2000, 5000)).toBe(4000);
  });
});

describe('mass failure', () => {
  it('pauses failover when most of the fleet is NotReady at once, and fails over again when enough is back', () => {
    const clusters = fleet().map((c, i) => (i < 2 ? { ...c, status: { phase: 'NotReady' } } : c));
    const placements = [placement('pay', [{ cluster: 'aws-eu', replicas: 2 }, { cluster: 'gcp-eu', replicas: 2 }])];
    const paused = planPlacements({ clusters, workloads: [workload('pay', 4, 'eu')], placements });
    expect(paused.failoverPaused).toMatch(/2 of 3 clusters are NotReady/);
    expect(paused.upserts).toEqual([]);
    const one = fleet().map((c, i) => (i === 0 ? { ...c, status: { phase: 'NotReady' } } : c));
    const resumed = planPlacements({ clusters: one, workloads: [workload('pay', 4, 'eu')], placements });
    expect(resumed.failoverPaused).toBeUndefined();
    expect(resumed.upserts[0]!.event.reason).toBe('FailedOver');
  });
});

describe('recording the spot split', () => {
  // 16 vCPU of which 4 (one m6i.xlarge) are spot at 30 % of the on-demand price.
  const mixed = (name: string, phase = 'Ready'): Cluster => ({
    ...valid<Cluster>({ apiVersion: API_VERSION, kind: 'Cluster', metadata: { name }, spec: { provider: 'aws', region: 'eu-west-1', capacity: { cpu: '16', memory: '64Gi', pods: 50 }, pricing: { cpuHour: 0.03, memoryGiBHour: 0.004, spotFactor: 0.3 }, nodePools: [{ instanceType: 'm6i.xlarge', count: 1, spot: true }] } }),
    status: { phase },
  });
  const spotty = (name: string, replicas: number) => workload(name, replicas, 'eu', { spotTolerant: true });

  it('writes how many replicas the scheduler put on spot, 0 included', () => {
    const plan = planPlacements({ clusters: [mixed('spot-b')], workloads: [spotty('batch', 6), workload('web', 2, 'eu')], placements: [] });
    expect(plan.upserts.find((u) => u.name === 'batch')!.clusters).toEqual([{ cluster: 'spot-b', replicas: 6, spotReplicas: 4 }]);
    expect(plan.upserts.find((u) => u.name === 'web')!.clusters).toEqual([{ cluster: 'spot-b', replicas: 2, spotReplicas: 0 }]);
  });

  it('fails over onto the spot capacity the recorded splits leave free', () => {
    // aa runs on on-demand (placed before the spot nodes came), mm holds 2 of the 4 spot vCPU.
    const clusters = [mixed('spot-a', 'NotReady'), mixed('spot-b')];
    const workloads = [spotty('aa', 4), spotty('mm', 2), spotty('zz', 2)];
    const recorded = [placement('aa', [{ cluster: 'spot-b', replicas: 4, spotReplicas: 0 }]), placement('mm', [{ cluster: 'spot-b', replicas: 2, spotReplicas: 2 }]), placement('zz', [{ cluster: 'spot-a', replicas: 2, spotReplicas: 2 }])];
    const plan = planPlacements({ clusters, workloads, placements: recorded });
    expect(plan.upserts.map((u) => [u.name, u.event.reason])).toEqual([['zz', 'FailedOver']]);
    expect(plan.upserts[0]!.clusters).toEqual([{ cluster: 'spot-b', replicas: 2, spotReplicas: 2 }]);
    // Without the field the old inference hands aa, first by name, the whole spot pool: none is left for zz.
    const legacy = recorded.map((p) => ({ ...p, spec: { ...p.spec, clusters: p.spec.clusters.map(({ cluster, replicas }) => ({ cluster, replicas })) } }));
    expect(planPlacements({ clusters, workloads, placements: legacy }).upserts[0]!.clusters).toEqual([{ cluster: 'spot-b', replicas: 2, spotReplicas: 0 }]);
  });
});
