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

  describe('booking existing Placements on their pools', () => {
    // 4 of the 16 vCPU are spot; two spot-tolerant workloads of 4 × 1 vCPU contend for them.
    const mixed = [cluster('mixed', { cpu: 16, memGiB: 64, spotNodes: 1, spotFactor: 0.3 })];
    const ws = [workload('aa', 4, 1, 1, { spotTolerant: true }), workload('zz', 4, 1, 1, { spotTolerant: true })];
    const pools = (f: ReturnType<typeof createFleetState>, key: string) => f.slots.get(key)!.map(({ od, spot }) => ({ od, spot }));

    it('books the recorded split, even when the inference would hand the spot pool to another workload', () => {
      // zz won the spot pool when it was placed; aa, first in name order, would take it if inferred.
      const f = createFleetState(mixed, ws, [placement('aa', { mixed: 4 }, { mixed: 0 }), placement('zz', { mixed: 4 }, { mixed: 4 })]);
      expect(pools(f, 'default/aa')).toEqual([{ od: 4, spot: 0 }]);
      expect(pools(f, 'default/zz')).toEqual([{ od: 0, spot: 4 }]);
      expect(f.free.freeSpotCpu[0]).toBeCloseTo(0, 9);
    });

    it('infers the split of Placements without it from the spot capacity the recorded ones leave', () => {
      const legacy = createFleetState(mixed, ws, [placement('aa', { mixed: 4 }), placement('zz', { mixed: 4 })]);
      expect(pools(legacy, 'default/aa')).toEqual([{ od: 0, spot: 4 }]);
      expect(pools(legacy, 'default/zz')).toEqual([{ od: 4, spot: 0 }]);
      const mixedAge = createFleetState(mixed, ws, [placement('aa', { mixed: 4 }), placement('zz', { mixed: 4 }, { mixed: 4 })]);
      expect(pools(mixedAge, 'default/aa')).toEqual([{ od: 4, spot: 0 }]);
    });

    it('records the split it places, for the controller to write', () => {
      const f = createFleetState(mixed, ws, [placement('zz', { mixed: 4 }, { mixed: 4 })]);
      expect(placeOne(f, ws[0]!).placement!.clusters).toEqual([{ cluster: 'mixed', replicas: 4 }]);
      const g = createFleetState(mixed, ws, []);
      expect(placeOne(g, ws[0]!).placement!.clusters).toEqual([{ cluster: 'mixed', replicas: 4, spotReplicas: 4 }]);
    });
  });
});
