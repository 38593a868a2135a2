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
    expect(r.expectations.map((e) => [e.name, e.ok])).toEqual([['failedRequests', true], ['trafficRecoveredMs', true], ['capacityRestoredMs', false], ['degraded', true]]);
    const text = formatReport(r, (h, rows) => [h.join('|'), ...rows.map((x) => x.join('|'))].join('\n'));
    expect(text).toMatch(/ns\/w Degraded — no room inside residency eu/);
    expect(text).toMatch(/FAILED/);
  });
});
