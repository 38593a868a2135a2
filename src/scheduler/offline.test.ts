import { describe, expect, it } from 'vitest';
import { formatScheduleTable, scheduleOffline } from './offline.js';
import { cluster, workload } from './testing/fixtures.js';

describe('scheduleOffline', () => {
  it('prints exactly the documented JSON fields', async () => {
    const r = await scheduleOffline([cluster('a'), cluster('us', { region: 'us-east-1' })], [workload('w', 2, 1, 1), workload('x', 1, 1, 1, { residency: 'uk' })]);
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['placements', 'unschedulable', 'totalCostPerHour', 'lowerBoundCostPerHour', 'elapsedMs']));
    expect(r.placements[0]).toEqual({ namespace: 'default', name: 'w', clusters: [{ cluster: 'a', replicas: 2 }], costPerHour: 0.068 });
    expect(r.unschedulable[0]).toMatchObject({ namespace: 'default', name: 'x', reason: expect.stringContaining('clusters feasible') });
    expect(r.explanations).toBeUndefined();
    const table = formatScheduleTable(r);
    expect(table).toContain('a=2');
    expect(table).toContain('NoFeasibleCluster');
  });

  it('rejects a document of the wrong kind with a validation error', async () => {
    await expect(scheduleOffline([workload('w', 1, 1, 1)], [])).rejects.toThrow(/expected Cluster/);
  });

  it('adds explanations when asked', async () => {
    const r = await scheduleOffline([cluster('a')], [workload('w', 1, 1, 1)], { explain: true });
    expect(r.explanations![0]!.clusters[0]!.cluster).toBe('a');
    expect(formatScheduleTable(r, { explain: true })).toContain('chosen ×1');
  });
});
