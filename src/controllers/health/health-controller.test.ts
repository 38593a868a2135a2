import { describe, expect, it } from 'vitest';
import { API_VERSION, type Cluster } from '../../api/index.js';
import { judgeCluster } from './health-controller.js';

const c = (status?: Record<string, unknown>, driver: 'local' | 'kubernetes' = 'local'): Cluster =>
  ({ apiVersion: API_VERSION, kind: 'Cluster', metadata: { name: 'c1' }, spec: { provider: 'aws', region: 'eu-west-1', capacity: { cpu: '1', memory: '1Gi' }, driver: { type: driver } }, ...(status ? { status } : {}) }) as Cluster;

describe('judgeCluster', () => {
  const started = 0;
  it('is Ready while the lease is live and rechecks right after it would expire', () => {
    const v = judgeCluster(c(), { renewTime: 10_000, durationMs: 1500 }, 10_200, started, 3000, 1000)!;
    expect(v.phase).toBe('Ready');
    expect(v.recheckMs).toBe(1000);
    expect(judgeCluster(c(), { renewTime: 10_000, durationMs: 1500 }, 11_000, started, 3000, 1000)!.recheckMs).toBe(510);
  });
  it('is NotReady once the lease expired, naming how long it has been', () => {
    const v = judgeCluster(c({ phase: 'Ready' }), { renewTime: 10_000, durationMs: 1500 }, 11_600, started, 3000, 1000)!;
    expect(v.phase).toBe('NotReady');
    expect(v.reason).toBe('HeartbeatMissed');
    expect(v.message).toBe('no heartbeat for 1.6 s');
  });
  it('does not call a lease expired before its view of the shared leases is newer than the expiry', () => {
    const lease = { renewTime: 10_000, durationMs: 1500 };
    // The last read of the shared table started at 11 400, before the expiry at 11 500: a renewal
    // through another server may be unread. Nothing changes; look again soon.
    const unread = judgeCluster(c({ phase: 'Ready' }), lease, 11_600, started, 3000, 1000, 0, 11_400)!;
    expect(unread).toMatchObject({ phase: 'Ready', reason: 'AwaitingLeaseView', recheckMs: 100 });
    // Read at 11 550, after the expiry: the renewals stopped.
    expect(judgeCluster(c({ phase: 'Ready' }), lease, 11_600, started, 3000, 1000, 0, 11_550)!.reason).toBe('HeartbeatMissed');
  });
  it('waits during the start-up grace for agents that survived a restart', () => {
    expect(judgeCluster(c({ phase: 'Ready', lastHeartbeatTime: new Date(0).toISOString() }), undefined, 1000, started, 3000, 1000)!.reason).toBe('AwaitingAgent');
    expect(judgeCluster(c({ phase: 'Ready', lastHeartbeatTime: new Date(0).toISOString() }), undefined, 4000, started, 3000, 1000)!.phase).toBe('NotReady');
  });
  it('gives a newly started (or elected) server the grace even when an expired lease of an earlier agent is in the shared table', () => {
    const stale = { renewTime: 500, durationMs: 1500, holder: 'agent-of-old-leader' };
    const startedAt = 10_000;
    expect(judgeCluster(c({ phase: 'Ready', agent: { id: 'agent-of-old-leader' } }), stale, 11_000, startedAt, 3000, 1000)!.reason).toBe('AwaitingAgent');
    expect(judgeCluster(c({ phase: 'Ready', agent: { id: 'agent-of-old-leader' } }), stale, 13_100, startedAt, 3000, 1000)!.reason).toBe('HeartbeatMissed');
  });
  it('is Unknown when no agent ever reported, NotReady at once when the agent said it stopped', () => {
    expect(judgeCluster(c(), undefined, 5000, started, 3000, 1000)!.phase).toBe('Unknown');
    expect(judgeCluster(c({ phase: 'NotReady', agent: null }), undefined, 5000, started, 3000, 1000)!.reason).toBe('AgentStopped');
  });
  it('is not Ready while a new lease holder has not reported yet (the status still holds the dead agent\'s replicas)', () => {
    const lease = { renewTime: 10_000, durationMs: 1500, holder: 'new-agent' };
    const stale = judgeCluster(c({ phase: 'NotReady', agent: { id: 'dead-agent' } }), lease, 10_100, started, 3000, 1000)!;
    expect(stale).toMatchObject({ phase: 'NotReady', reason: 'AgentRegistering' });
    expect(judgeCluster(c({ phase: 'Ready', agent: { id: 'dead-agent' } }), lease, 10_100, started, 3000, 1000)!.phase).toBe('NotReady');
    expect(judgeCluster(c({ phase: 'NotReady', agent: { id: 'new-agent' } }), lease, 10_100, started, 3000, 1000)!.phase).toBe('Ready');
  });
  it('gives every lease a full period again after a control-plane stall', () => {
    const lease = { renewTime: 10_000, durationMs: 1500 };
    expect(judgeCluster(c({ phase: 'Ready' }), lease, 12_000, started, 3000, 1000)!.phase).toBe('NotReady');
    expect(judgeCluster(c({ phase: 'Ready' }), lease, 12_000, started, 3000, 1000, 11_800)!.phase).toBe('Ready');
    expect(judgeCluster(c({ phase: 'Ready' }), lease, 13_400, started, 3000, 1000, 11_800)!.phase).toBe('NotReady');
  });
  it('never brings a cluster already found NotReady back to Ready because of a stall (its lease ran out before it)', () => {
    const lease = { renewTime: 10_000, durationMs: 1500 };
    const v = judgeCluster(c({ phase: 'NotReady' }), lease, 12_000, started, 3000, 1000, 11_800)!;
    expect(v).toMatchObject({ phase: 'NotReady', reason: 'HeartbeatMissed' });
    // A real renewal still makes it Ready at once.
    expect(judgeCluster(c({ phase: 'NotReady' }), { renewTime: 11_900, durationMs: 1500 }, 12_000, started, 3000, 1000, 11_800)!.phase).toBe('Ready');
  });
  it('leaves clusters of other drivers alone', () => {
    expect(judgeCluster(c(undefined, 'kubernetes'), undefined, 5000, started, 3000, 1000)).toBeUndefined();
  });
});

describe('judgeCluster for a freshly declared cluster', () => {
  it('waits for the new agent from the cluster creation time, not only from control-plane start', () => {
    const fresh = { ...c(), metadata: { name: 'c1', creationTimestamp: new Date(100_000).toISOString() } } as Cluster;
    expect(judgeCluster(fresh, undefined, 101_000, 0, 3000, 1000)!.reason).toBe('AwaitingAgent');
    expect(judgeCluster(fresh, undefined, 104_000, 0, 3000, 1000)!.phase).toBe('Unknown');
  });
});
