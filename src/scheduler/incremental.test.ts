import { describe, expect, it } from 'vitest';
import { createFleetState, placeOne, replaceFailed } from './incremental.js';
import { cluster, placement, workload } from './testing/fixtures.js';

describe('incremental placement', () => {
  const clusters = [cluster('a', { cpu: 4, cpuHour: 0.01 }), cluster('b', { cpu: 8, cpuHour: 0.02 }), cluster('us', { region: 'us-east-1', cpu: 8, cpuHour: 0.001 })];

  it('places one workload in the free capacity left by the current placements', () => {
    const fleet = createFleetState(clusters, [workload('old', 3, 1, 1)], [placement('old', { a: 3 })]);
    const r = placeOne(fleet, workload('new', 3, 1, 1, { residency: 'eu' }));
    expect(r.placement!.clusters).toEqual([
      { cluster: 'a', replicas: 1 },
      { cluster: 'b', replicas: 2 },
    ]);
    // Its capacity is booked: a second identical workload no longer gets cluster a.
    const r2 = placeOne(fleet, workload('newer', 1, 1, 1, { residency: 'eu' }));
    expect(r2.placement!.clusters).toEqual([{ cluster: 'b', replicas: 1 }]);
  });

  it('reports contention and impossibility separately', () => {
    const fleet = createFleetState(clusters, [workload('old', 4, 1, 1)], [placement('old', { a: 4 })]);
    expect(placeOne(fleet, workload('x', 9, 1, 1, { residency: 'eu' })).unschedulable!.code).toBe('CapacityContention');
    expect(placeOne(fleet, workload('y', 1, 1, 1, { residency: 'uk' })).unschedulable!.code).toBe('NoFeasibleCluster');
  });

  it('re-places only the replicas of the failed cluster, inside residency', () => {
    const ws = [workload('p', 4, 1, 1, { residency: 'eu' }), workload('q', 2, 1, 1)];
    const fleet = createFleetState(clusters, ws, [placement('p', { a: 2, b: 2 }), placement('q', { us: 2 })]);
    const r = replaceFailed(fleet, ['a']);
    expect(r.placements).toHaveLength(1);
    expect(r.placements[0]).toMatchObject({ name: 'p', clusters: [{ cluster: 'b', replicas: 4 }] });
    expect(r.moved).toBe(2);
    expect(r.degraded).toEqual([]);
  });

  it('keeps surviving replicas and reports the workload degraded when there is no room', () => {
    const ws = [workload('p', 6, 2, 1, { residency: 'eu' })];
    const fleet = createFleetState(clusters, ws, [placement('p', { a: 2, b: 4 })]);
    const r = replaceFailed(fleet, ['a']);
    expect(r.degraded).toMatchObject([{ name: 'p', missingReplicas: 2 }]);
    expect(r.placements[0]!.clusters).toEqual([{ cluster: 'b', replicas: 4 }]);
  });
});
