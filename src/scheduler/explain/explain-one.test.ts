import { describe, expect, it } from 'vitest';
import { cluster, placement, workload } from '../testing/fixtures.js';
import { explainOne } from './explain-one.js';

describe('explainOne', () => {
  const clusters = [cluster('a', { cpu: 4, cpuHour: 0.01 }), cluster('b', { cpu: 8, cpuHour: 0.02 }), cluster('us', { region: 'us-east-1', cpu: 8, cpuHour: 0.001 })];
  const explain = (ws: ReturnType<typeof workload>[], current: ReturnType<typeof placement>[], name: string) =>
    explainOne({ clusters, workloads: ws, current, namespace: 'default', name, boundGap: 0.5 })!;

  it('shows the split actually placed, at its cost, with every filter and score', () => {
    // p sits on the dearer cluster b; a re-plan would move it to a, the explanation does not.
    const ws = [workload('p', 2, 1, 1, { residency: 'eu' })];
    const { explanation: e, warnings } = explain(ws, [placement('p', { b: 2 })], 'p');
    expect(e.chosen).toEqual([{ cluster: 'b', replicas: 2, spotReplicas: 0 }]);
    expect(e.costPerHour).toBeCloseTo(2 * (0.02 + 0.004), 9);
    expect(e.boundGap).toBe(0.5);
    expect(e.clusters.find((c) => c.cluster === 'us')).toMatchObject({ feasible: false, filter: 'residency', code: 'ResidencyMismatch' });
    expect(e.clusters.find((c) => c.cluster === 'b')).toMatchObject({ feasible: true, scores: { stickiness: 100 } });
    expect(e.clusters.find((c) => c.cluster === 'a')).toMatchObject({ feasible: true, scores: { cost: 100, stickiness: 0 } });
    expect(warnings).toEqual([]);
  });

  it('places a workload without a Placement in the capacity the others leave, moving nothing', () => {
    const ws = [workload('old', 3, 1, 1), workload('new', 3, 1, 1, { residency: 'eu' })];
    const { explanation: e } = explain(ws, [placement('old', { a: 3 })], 'new');
    expect(e.chosen).toEqual([
      { cluster: 'a', replicas: 1, spotReplicas: 0 },
      { cluster: 'b', replicas: 2, spotReplicas: 0 },
    ]);
  });

  it('says contention when the others hold the room, and why when nothing can ever fit', () => {
    const ws = [workload('old', 12, 1, 1, { residency: 'eu' }), workload('x', 2, 1, 1, { residency: 'eu' }), workload('y', 1, 1, 1, { residency: 'uk' })];
    const current = [placement('old', { a: 4, b: 8 })];
    expect(explain(ws, current, 'x').explanation).toMatchObject({ chosen: [], costPerHour: 0, unschedulable: { code: 'CapacityContention' } });
    expect(explain(ws, current, 'y').explanation.unschedulable).toMatchObject({ code: 'NoFeasibleCluster', reason: expect.stringContaining('0/3 clusters feasible') });
  });

  it('warns when losing a cluster would leave its replicas no room, counting the others', () => {
    const ws = [workload('p', 2, 1, 1, { residency: 'eu' }, { availability: { survive: 'cluster' } }), workload('big', 8, 1, 1, { residency: 'eu' })];
    const free = explain(ws, [placement('p', { a: 2 })], 'p');
    expect(free.warnings).toEqual([]);
    const full = explain(ws, [placement('p', { a: 2 }), placement('big', { b: 8 })], 'p');
    expect(full.warnings).toMatchObject([{ code: 'SurviveAtRisk', lost: 'a' }]);
  });

  it('is undefined for a workload that does not exist', () => {
    expect(explainOne({ clusters, workloads: [], current: [], namespace: 'default', name: 'nope', boundGap: 0 })).toBeUndefined();
  });

  it('costs the recorded spot split, not the one inferred by booking this workload first', () => {
    // Two spot-tolerant workloads contend for the 4 spot vCPU; zz holds them, as its Placement records.
    const mixed = [cluster('mixed', { cpu: 16, memGiB: 64, spotNodes: 1, spotFactor: 0.3 })];
    const ws = [workload('aa', 4, 1, 1, { spotTolerant: true }), workload('zz', 4, 1, 1, { spotTolerant: true })];
    const one = (current: ReturnType<typeof placement>[]) => explainOne({ clusters: mixed, workloads: ws, current, namespace: 'default', name: 'aa', boundGap: 0 })!.explanation;
    const recorded = one([placement('aa', { mixed: 4 }, { mixed: 0 }), placement('zz', { mixed: 4 }, { mixed: 4 })]);
    expect(recorded.chosen).toEqual([{ cluster: 'mixed', replicas: 4, spotReplicas: 0 }]);
    expect(recorded.costPerHour).toBeCloseTo(4 * (0.03 + 0.004), 9);
    // Without the field (Placements written before it) the old inference stands: own replicas first.
    const legacy = one([placement('aa', { mixed: 4 }), placement('zz', { mixed: 4 })]);
    expect(legacy.chosen).toEqual([{ cluster: 'mixed', replicas: 4, spotReplicas: 4 }]);
    expect(legacy.costPerHour).toBeLessThan(recorded.costPerHour);
  });
});
