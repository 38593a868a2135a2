import { describe, expect, it } from 'vitest';
import type { Cluster, Placement, Workload } from '../api/index.js';
import { cluster, placement, workload } from '../scheduler/testing/fixtures.js';
import { buildResidencyMap, clusterJurisdiction } from './residency.js';

/** A cluster whose agent reports one ready replica endpoint of `key`. */
function reporting(c: Cluster, key: string, port: number): Cluster {
  return { ...c, status: { phase: 'Ready', workloads: { [key]: { replicaStatus: [{ name: 'r0', endpoint: `127.0.0.1:${port}`, ready: true, phase: 'Running' }] } } } };
}

const eu1 = cluster('eu-1', { provider: 'aws', region: 'eu-west-1' });
const eu2 = cluster('eu-2', { provider: 'gcp', region: 'europe-west1' });
const us1 = cluster('us-1', { provider: 'aws', region: 'us-east-1' });
const onprem = cluster('dc-1', { provider: 'onprem', residency: 'eu' });

describe('clusterJurisdiction', () => {
  it('takes the declared residency, else the region catalog, never a guess', () => {
    expect(clusterJurisdiction(eu1)).toBe('eu');
    expect(clusterJurisdiction(us1)).toBe('us');
    expect(clusterJurisdiction(onprem)).toBe('eu');
    expect(clusterJurisdiction({ ...us1, spec: { ...us1.spec, region: 'nowhere-1' } })).toBeUndefined();
  });
});

describe('buildResidencyMap', () => {
  const api = workload('api', 2, 0.5, 1, { residency: 'eu' }, { traffic: { host: 'api.eu.example' }, sinks: [{ kind: 'logs', endpoint: 'https://logs.eu.example', residency: 'eu' }] });

  it('lists every replica, gateway route and sink with its jurisdiction and finds no crossing when all are inside', () => {
    const clusters = [reporting(eu1, 'default/api', 4001), reporting(eu2, 'default/api', 4002), us1];
    const m = buildResidencyMap([api], [placement('api', { 'eu-1': 1, 'eu-2': 1 })], clusters);
    expect(m.crossings).toEqual([]);
    const row = m.workloads[0]!;
    expect(row.residency).toEqual(['eu']);
    expect(row.replicas.map((t) => [t.target, t.amount, t.jurisdiction, t.inside])).toEqual([
      ['eu-1', 1, 'eu', true],
      ['eu-2', 1, 'eu', true],
    ]);
    expect(row.routes.map((t) => [t.target, t.cluster, t.detail, t.jurisdiction])).toEqual([
      ['127.0.0.1:4001', 'eu-1', 'api.eu.example', 'eu'],
      ['127.0.0.1:4002', 'eu-2', 'api.eu.example', 'eu'],
    ]);
    expect(row.sinks.map((t) => [t.target, t.detail, t.jurisdiction, t.inside])).toEqual([['https://logs.eu.example', 'logs', 'eu', true]]);
  });

  it('reports a replica placed outside, a sink outside and endpoints the gateway refused', () => {
    const leaky: Workload = { ...api, spec: { ...api.spec, sinks: [{ kind: 'backup', endpoint: 's3://backups-us', residency: 'us' }] } };
    const m = buildResidencyMap([leaky], [placement('api', { 'eu-1': 1, 'us-1': 1 })], [eu1, reporting(us1, 'default/api', 4003)]);
    expect(m.crossings.map((c) => [c.type, c.target, c.jurisdiction])).toEqual([
      ['replica', 'us-1', 'us'],
      ['sink', 's3://backups-us', 'us'],
      ['route', 'us-1', 'us'],
    ]);
    expect(m.crossings[0]!.message).toContain('1 replica(s) on cluster us-1 is in us, outside its residency eu');
    // The gateway itself never routes there: the refused endpoint is not in the routes.
    expect(m.workloads[0]!.routes).toEqual([]);
  });

  it('treats a cluster of unknown jurisdiction as outside a residency, and leaves unrestricted workloads alone', () => {
    const unknown = { ...us1, metadata: { name: 'x-1' }, spec: { ...us1.spec, region: 'nowhere-1' } } as Cluster;
    const free = workload('free', 1, 0.5, 1, {}, { sinks: [{ kind: 'metrics', endpoint: 'm', residency: 'us' }] });
    const m = buildResidencyMap([api, free], [placement('api', { 'x-1': 2 }), placement('free', { 'us-1': 1 })] as Placement[], [unknown, us1]);
    expect(m.crossings.map((c) => [c.workload, c.type, c.jurisdiction])).toEqual([['default/api', 'replica', 'unknown']]);
    expect(m.workloads.find((w) => w.workload === 'default/free')!.residency).toBeUndefined();
  });
});
