import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from '../gateway/index.js';
import type { ClientResult } from './load.js';
import { buildReport, formatReport, type FaultRecord } from './report.js';
import { replicaViolations } from './runner.js';
import { parseScenario } from './scenario.js';

const T0 = 1_000_000;
const scenario = (expect?: Record<string, unknown>) =>
  parseScenario({ apiVersion: 'truststram.io/v1alpha1', kind: 'GameDay', metadata: { name: 's' }, spec: { load: { duration: '10s' }, timeline: [{ at: '2s', fail: { provider: 'aws' } }], ...(expect ? { expect } : {}) } });
const result = (sentAt: number, status: number, error?: string): ClientResult => ({ seq: sentAt, host: 'h', sentAt, doneAt: sentAt + 1, status, cluster: undefined, error });
const entry = (time: number, cluster: string, extra: Partial<AccessLogEntry> = {}): AccessLogEntry => ({
  time, method: 'GET', host: 'h', path: '/', route: 'ns/w', cluster, replica: 'r', jurisdiction: cluster.endsWith('us') ? 'us' : 'eu', residency: ['eu'], status: 200, latencyMs: 1, attempts: 1, tried: undefined, reason: undefined, ...extra,
});
const fault = (extra: Partial<FaultRecord> = {}): FaultRecord => ({ kind: 'provider', name: 'aws', clusters: ['aws-eu'], at: T0 + 2000, restoredAt: T0 + 8000, affected: ['ns/w'], capacityRestoredAt: T0 + 4500, degraded: [], ...extra });

describe('buildReport', () => {
  it('counts failures inside each fault window and traffic recovery from the last request routed (or retried) to the failed clusters', () => {
    const r = buildReport({
      scenario: scenario(),
      gateway: 'http://gw',
      startedAt: T0,
      hosts: ['h'],
      loadEndedAt: T0 + 10_000,
      results: [result(T0 + 1000, 502), result(T0 + 2100, 200), result(T0 + 2200, 503, 'endpoints_exhausted'), result(T0 + 2300, 0, 'UND_ERR_SOCKET'), result(T0 + 9000, 500)],
      access: [entry(T0 + 1500, 'aws-eu'), entry(T0 + 2050, 'aws-eu'), entry(T0 + 2180, 'gcp-eu', { attempts: 2, tried: ['aws-eu', 'gcp-eu'] }), entry(T0 + 2600, 'gcp-eu')],
      faults: [fault()],
      replicaViolations: [],
    });
    const f = r.faults[0]!;
    expect(f.totalRequests).toBe(3);
    expect(f.failedRequests).toBe(2);
    expect(f.failures).toEqual({ '503 endpoints_exhausted': 1, '0 UND_ERR_SOCKET': 1 });
    expect(f.trafficRecoveredMs).toBe(180);
    expect(f.capacityRestoredMs).toBe(2500);
    expect(f.restoredAfterMs).toBe(6000);
    expect(r.totals.failedRequests).toBe(4);
  });

  it('counts a retried request whose tries are unknown (HAProxy logs only the final server) as routed to the failed target', () => {
    const input = (access: AccessLogEntry[]) => ({ scenario: scenario(), gateway: 'g', startedAt: T0, hosts: ['h'], loadEndedAt: T0 + 10_000, results: [], access, faults: [fault()], replicaViolations: [] });
    expect(buildReport(input([entry(T0 + 2050, 'aws-eu'), entry(T0 + 2300, 'gcp-eu', { attempts: 2 }), entry(T0 + 2400, 'gcp-eu')])).faults[0]!.trafficRecoveredMs).toBe(300);
    // Tries known and none on the failed cluster: not counted.
    expect(buildReport(input([entry(T0 + 2050, 'aws-eu'), entry(T0 + 2300, 'gcp-eu', { attempts: 2, tried: ['azure-eu', 'gcp-eu'] })])).faults[0]!.trafficRecoveredMs).toBe(50);
  });

  it('counts residency violations from what was served and what was placed, not from what should have been', () => {
    const v = replicaViolations({
      time: T0 + 3000,
      clusters: [{ metadata: { name: 'aws-us' }, spec: { provider: 'aws', region: 'us-east-1' } }, { metadata: { name: 'gcp-eu' }, spec: { provider: 'gcp', region: 'europe-west1' } }] as never,
      workloads: [{ metadata: { name: 'w', namespace: 'ns' }, spec: { placement: { residency: ['eu'] } } }] as never,
      placements: [{ metadata: { name: 'w', namespace: 'ns' }, spec: { workload: 'w', clusters: [{ cluster: 'aws-us', replicas: 1 }, { cluster: 'gcp-eu', replicas: 2 }] } }] as never,
    });
    expect(v).toEqual([{ time: T0 + 3000, workload: 'ns/w', cluster: 'aws-us', jurisdiction: 'us' }]);
    const r = buildReport({ scenario: scenario({ residencyViolations: 0 }), gateway: 'g', startedAt: T0, hosts: ['h'], loadEndedAt: T0 + 10_000, results: [], access: [entry(T0 + 2500, 'azure-us')], faults: [fault()], replicaViolations: [...v, { ...v[0]!, time: T0 + 3100 }] });
    expect(r.faults[0]!.residency).toEqual({ requests: 1, replicas: 1 });
    expect(r.passed).toBe(false);
  });

  it('judges expectations, a workload that never came back included', () => {
    const r = buildReport({
      scenario: scenario({ failedRequests: 0, trafficRecoveredMs: 500, capacityRestoredMs: 3000, degraded: ['ns/w'] }),
      gateway: 'g',
      startedAt: T0,
      hosts: ['h'],
      loadEndedAt: T0 + 10_000,
      results: [result(T0 + 2500, 200)],
      access: [entry(T0 + 2300, 'aws-eu')],
      faults: [fault({ capacityRestoredAt: null, degraded: [{ workload: 'ns/w', reason: 'no room inside residency eu' }] })],
      replicaViolations: [],
    });
    expect(r.expectations.map((e) => [e.name, e.ok])).toEqual([['faultsAffectWorkloads', true], ['failedRequests', true], ['trafficRecoveredMs', true], ['capacityRestoredMs', false], ['degraded', true]]);
    const text = formatReport(r, (h, rows) => [h.join('|'), ...rows.map((x) => x.join('|'))].join('\n'));
    expect(text).toMatch(/ns\/w Degraded — no room inside residency eu/);
    expect(text).toMatch(/FAILED/);
  });

  it('fails a run whose fault hit no replica and no routed request, unless the step allows it', () => {
    const input = (f: FaultRecord, access: AccessLogEntry[] = [entry(T0 + 2500, 'gcp-eu')]) => ({
      scenario: scenario({ failedRequests: 0, capacityRestoredMs: 3000 }),
      gateway: 'g',
      startedAt: T0,
      hosts: ['h'],
      loadEndedAt: T0 + 10_000,
      results: [result(T0 + 2500, 200)],
      access,
      faults: [f],
      replicaViolations: [],
    });
    // What the runner records for a fault when no placement had replicas on its clusters.
    const idle = fault({ affected: [], capacityRestoredAt: T0 + 2000 });
    const r = buildReport(input(idle));
    expect(r.faults[0]).toMatchObject({ unaffected: true, routedToFailed: 0, capacityRestoredMs: null });
    expect(r.passed).toBe(false);
    expect(r.expectations.find((e) => e.name === 'faultsAffectWorkloads')).toMatchObject({ ok: false, actual: 'provider aws affected no workload (no replica on aws-eu, no request routed there)' });
    // Nothing was hit, so "capacity restored in 0 ms" would be a pass of nothing.
    expect(r.expectations.find((e) => e.name === 'capacityRestoredMs')).toMatchObject({ ok: false, actual: '- (no fault affected a workload)' });
    const text = formatReport(r, (h, rows) => [h.join('|'), ...rows.map((x) => x.join('|'))].join('\n'));
    expect(text).toMatch(/provider aws affected no workload .*it proves nothing/);
    expect(text).toMatch(/FAILED/);
    // A request routed to the failed cluster is an effect: the gateway had an endpoint there.
    expect(buildReport(input(idle, [entry(T0 + 2050, 'aws-eu')])).faults[0]).toMatchObject({ unaffected: false, routedToFailed: 1 });
    // Explicitly allowed (a re-fault after failover): reported, not failed.
    const allowed = buildReport({ ...input({ ...idle, allowUnaffected: true }), scenario: scenario({ failedRequests: 0 }) });
    expect(allowed.faults[0]).toMatchObject({ unaffected: true, allowUnaffected: true });
    expect(allowed.passed).toBe(true);
    expect(formatReport(allowed, (h, rows) => [h.join('|'), ...rows.map((x) => x.join('|'))].join('\n'))).toMatch(/affected no workload .*allowed by the scenario/);
  });

  it('judges failbacks onto a failed cluster from what the run saw', () => {
    const input = (failbacks: { workload: string; cluster: string; at: number }[]) => ({ scenario: scenario({ failbacks: 0 }), gateway: 'g', startedAt: T0, hosts: ['h'], loadEndedAt: T0 + 10_000, results: [], access: [], faults: [fault()], replicaViolations: [], failbacks });
    const none = buildReport(input([]));
    expect(none.expectations.find((e) => e.name === 'failbacks')).toMatchObject({ ok: true, actual: '0' });
    const back = buildReport(input([{ workload: 'ns/w', cluster: 'aws-eu', at: T0 + 7000 }]));
    expect(back.failbacks).toEqual([{ workload: 'ns/w', cluster: 'aws-eu', afterMs: 7000 }]);
    expect(back.totals.failbacks).toBe(1);
    expect(back.expectations.find((e) => e.name === 'failbacks')).toMatchObject({ ok: false, actual: '1 (ns/w → aws-eu)' });
    expect(back.passed).toBe(false);
  });
});
