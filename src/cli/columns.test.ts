import { describe, expect, it } from 'vitest';
import { columnsFor, rowsFor } from './columns.js';

const now = Date.parse('2026-01-10T00:00:00Z');
const cluster = (spec: object, status?: object) => ({ kind: 'Cluster', metadata: { name: 'c1', creationTimestamp: '2026-01-09T23:00:00Z' }, spec: { provider: 'aws', region: 'eu-west-1', residency: 'eu', ...spec }, status });

describe('cluster columns', () => {
  const cols = columnsFor('Cluster', false, false);
  it('has the kubectl-like headers', () => {
    expect(cols.map((c) => c.header)).toEqual(['NAME', 'PROVIDER', 'REGION', 'RESIDENCY', 'STATUS', 'CPU', 'MEMORY', 'AGE']);
  });
  it('prefers reported allocatable capacity, then declared capacity', () => {
    expect(rowsFor([cluster({ capacity: { cpu: '16', memory: '64Gi' } })], cols, now)[0]).toEqual(['c1', 'aws', 'eu-west-1', 'eu', 'Unknown', '16', '64Gi', '60m']);
    expect(rowsFor([cluster({ capacity: { cpu: '16', memory: '64Gi' } }, { phase: 'Ready', allocatable: { cpu: 12, memory: 48 * 2 ** 30 } })], cols, now)[0]!.slice(4, 7)).toEqual(['Ready', '12', '48Gi']);
  });
  it('sizes node pools from the catalog, or counts nodes when a type is unknown', () => {
    const pools = cluster({ nodePools: [{ instanceType: 'm6i.large', count: 3 }, { instanceType: 'm6i.xlarge', count: 1 }] });
    const sizer = (_p: string, _r: string, t: string) => ({ 'm6i.large': { vcpu: 2, memoryGiB: 8 }, 'm6i.xlarge': { vcpu: 4, memoryGiB: 16 } })[t];
    expect(rowsFor([pools], cols, now, sizer)[0]!.slice(5, 7)).toEqual(['10', '40Gi']);
    expect(rowsFor([pools], cols, now, () => undefined)[0]!.slice(5, 7)).toEqual(['4 nodes', '4 nodes']);
  });
  it('marks cordoned clusters', () => {
    expect(rowsFor([cluster({ unschedulable: true, capacity: { cpu: 1, memory: 1 } })], cols, now)[0]![4]).toBe('Unknown,SchedulingDisabled');
  });
});

describe('workload columns', () => {
  it('shows NAMESPACE only across namespaces and extra columns only when wide', () => {
    expect(columnsFor('Workload', false, false).map((c) => c.header)).toEqual(['NAME', 'REPLICAS', 'READY', 'RESIDENCY', 'AGE']);
    expect(columnsFor('Workload', false, true).map((c) => c.header)).toEqual(['NAMESPACE', 'NAME', 'REPLICAS', 'READY', 'RESIDENCY', 'AGE']);
    expect(columnsFor('Workload', true, false).map((c) => c.header)).toContain('IMAGE');
  });
  it('joins a residency list', () => {
    const w = { kind: 'Workload', metadata: { name: 'w', namespace: 'n' }, spec: { replicas: 3, placement: { residency: ['eu', 'ch'] } }, status: { readyReplicas: 2 } };
    expect(rowsFor([w], columnsFor('Workload', false, true), now)[0]!.slice(0, 5)).toEqual(['n', 'w', '3', '2', 'eu,ch']);
  });
});
