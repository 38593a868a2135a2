import { beforeAll, describe, expect, it } from 'vitest';
import type { Highs } from 'highs';
import { loadSolver } from './optimise/lp.js';
import { scheduleWith, type ScheduleInput } from './schedule.js';
import { cluster, placement, workload } from './testing/fixtures.js';

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});
const run = (i: ScheduleInput) => scheduleWith({ timeLimitMs: 5000, ...i }, highs);
const split = (r: ReturnType<typeof run>, name: string) => Object.fromEntries(r.placements.find((p) => p.name === name)!.clusters.map((c) => [c.cluster, c.replicas]));

describe('schedule: semantics', () => {
  it('places Divided replicas on the cheapest clusters and never outside residency', () => {
    const r = run({
      clusters: [cluster('eu-dear', { cpuHour: 0.05 }), cluster('eu-cheap', { cpuHour: 0.03, cpu: 4 }), cluster('us-cheapest', { region: 'us-east-1', cpuHour: 0.01 })],
      workloads: [workload('api', 6, 1, 1, { residency: 'eu' })],
    });
    expect(split(r, 'api')).toEqual({ 'eu-cheap': 4, 'eu-dear': 2 });
    expect(r.totalCostPerHour).toBeCloseTo(4 * 0.034 + 2 * 0.054, 6);
    expect(r.lowerBoundCostPerHour).toBeCloseTo(r.totalCostPerHour, 6);
  });

  it('runs every replica on every feasible cluster in Duplicated mode', () => {
    const r = run({ clusters: [cluster('a'), cluster('b', { provider: 'gcp' }), cluster('c', { phase: 'NotReady' })], workloads: [workload('dns', 3, 1, 1, { mode: 'Duplicated' })] });
    expect(split(r, 'dns')).toEqual({ a: 3, b: 3 });
  });

  it('divides staticWeights with Webster / Sainte-Laguë', () => {
    const cs = [cluster('a'), cluster('b'), cluster('c')];
    const weights = { staticWeights: [{ cluster: 'a', weight: 3 }, { cluster: 'b', weight: 2 }, { cluster: 'c', weight: 1 }] };
    expect(split(run({ clusters: cs, workloads: [workload('w', 13, 0.1, 0.1, weights)] }), 'w')).toEqual({ a: 7, b: 4, c: 2 });
    expect(split(run({ clusters: cs, workloads: [workload('w', 14, 0.1, 0.1, weights)] }), 'w')).toEqual({ a: 7, b: 5, c: 2 });
  });

  it('meets minProviders, minRegions and maxReplicasPerCluster as hard constraints', () => {
    const cs = [cluster('aws1', { cpuHour: 0.01 }), cluster('aws2', { region: 'eu-central-1', cpuHour: 0.011 }), cluster('gcp1', { provider: 'gcp', cpuHour: 0.05 })];
    const r = run({ clusters: cs, workloads: [workload('w', 6, 1, 1, { spread: { minProviders: 2, minRegions: 3, maxReplicasPerCluster: 3 } })] });
    const s = split(r, 'w');
    expect(Object.keys(s).sort()).toEqual(['aws1', 'aws2', 'gcp1']);
    expect(Math.max(...Object.values(s))).toBeLessThanOrEqual(3);
    expect(s.gcp1).toBe(1);
  });

  it('lists impossible workloads with the filter counts and never places them partly', () => {
    const r = run({
      clusters: [cluster('eu1', { cpu: 4 }), cluster('us1', { region: 'us-east-1', cpu: 4 })],
      workloads: [workload('uk-only', 1, 1, 1, { residency: 'uk' }), workload('one-provider', 2, 1, 1, { spread: { minProviders: 2 } }), workload('too-big', 3, 2, 1, { residency: 'eu' })],
    });
    const byName = Object.fromEntries(r.unschedulable.map((u) => [u.name, u]));
    expect(byName['uk-only']!.code).toBe('NoFeasibleCluster');
    expect(byName['uk-only']!.reason).toContain('residency 2');
    expect(byName['one-provider']!.code).toBe('SpreadUnsatisfiable');
    expect(byName['too-big']!.code).toBe('Infeasible');
    expect(r.placements).toEqual([]);
  });

  it('reports capacity contention when two workloads fit alone but not together', () => {
    const r = run({ clusters: [cluster('eu1', { cpu: 4 })], workloads: [workload('a', 3, 1, 1), workload('b', 3, 1, 1, {}, { priority: 'tier-0' })] });
    expect(r.placements.map((p) => p.name)).toEqual(['b']);
    expect(r.unschedulable).toMatchObject([{ name: 'a', code: 'CapacityContention' }]);
    expect(r.unschedulable[0]!.reason).toContain('contention');
  });

  it('optimises latency towards the users and cost otherwise', () => {
    const cs = [cluster('eu', { cpuHour: 0.02 }), cluster('us', { region: 'us-east-1', cpuHour: 0.03 })];
    const users = [{ region: 'us-east-1' }];
    const r = run({ clusters: cs, workloads: [workload('near', 2, 1, 1, { optimizeFor: 'latency', users }), workload('cheap', 2, 1, 1, { optimizeFor: 'cost', users })] });
    expect(split(r, 'near')).toEqual({ us: 2 });
    expect(split(r, 'cheap')).toEqual({ eu: 2 });
    // Bounds: the USD bound holds for the USD cost, the objective bound for the weighted objective.
    expect(r.objectivePerHour).toBeGreaterThanOrEqual(r.totalCostPerHour);
    expect(r.lowerBoundCostPerHour).toBeLessThanOrEqual(r.totalCostPerHour + 1e-9);
    expect(r.lowerBoundObjectivePerHour).toBeLessThanOrEqual(r.objectivePerHour + 1e-9);
    expect(r.lowerBoundCostPerHour).toBeCloseTo(4 * 0.024, 6);
  });

  it('uses spot only for spotTolerant workloads', () => {
    const cs = [cluster('mixed', { cpu: 16, memGiB: 64, spotNodes: 2, spotFactor: 0.3 })];
    const r = run({ clusters: cs, workloads: [workload('batch', 4, 1, 1, { spotTolerant: true }), workload('web', 4, 1, 1)] });
    expect(r.placements.find((p) => p.name === 'batch')!.clusters[0]!.spotReplicas).toBe(4);
    expect(r.placements.find((p) => p.name === 'web')!.clusters[0]!.spotReplicas).toBeUndefined();
  });

  it('is deterministic whatever the input order', () => {
    const cs = [cluster('a', { cpuHour: 0.02 }), cluster('b', { cpuHour: 0.02 }), cluster('c', { provider: 'gcp', cpuHour: 0.02 })];
    const ws = [workload('x', 5, 1, 2), workload('y', 7, 2, 1), workload('z', 3, 1, 1, { spread: { minProviders: 2 } })];
    const a = run({ clusters: cs, workloads: ws });
    const b = run({ clusters: [...cs].reverse(), workloads: [...ws].reverse() });
    expect(b.placements).toEqual(a.placements);
  });

  it('keeps valid current placements when a workload is added (stability)', () => {
    const cs = [cluster('a', { cpuHour: 0.05 }), cluster('b', { cpuHour: 0.02 })];
    const current = [placement('old', { a: 2 })];
    const r = run({ clusters: cs, workloads: [workload('old', 2, 1, 1), workload('new', 2, 1, 1)], current });
    expect(split(r, 'old')).toEqual({ a: 2 });
    expect(split(r, 'new')).toEqual({ b: 2 });
    const rebalanced = run({ clusters: cs, workloads: [workload('old', 2, 1, 1)], current, rebalance: true });
    expect(split(rebalanced, 'old')).toEqual({ b: 2 });
  });

  it('moves only the replicas of a cluster that is gone', () => {
    const cs = [cluster('a'), cluster('b', { phase: 'NotReady' }), cluster('c', { cpuHour: 0.05 })];
    const r = run({ clusters: cs, workloads: [workload('w', 4, 1, 1)], current: [placement('w', { a: 2, b: 2 })] });
    expect(split(r, 'w')).toEqual({ a: 4 });
  });

  it('warns when losing a region would leave replicas without room in residency', () => {
    const cs = [cluster('dub', { cpu: 4 }), cluster('fra', { region: 'eu-central-1', cpu: 2 })];
    const r = run({ clusters: cs, workloads: [workload('w', 4, 1, 1, { residency: 'eu' }, { availability: { survive: 'region' } })] });
    expect(r.warnings.some((w) => w.code === 'SurviveAtRisk' && w.lost === 'aws/eu-west-1')).toBe(true);
  });

  it('explains every cluster: the filter that removed it or its scores', () => {
    const r = run({ clusters: [cluster('eu'), cluster('us', { region: 'us-east-1' })], workloads: [workload('w', 1, 1, 1, { residency: 'eu' })], explain: true });
    const e = r.explanations![0]!;
    expect(e.clusters.find((c) => c.cluster === 'us')).toMatchObject({ feasible: false, filter: 'residency', code: 'ResidencyMismatch' });
    expect(e.clusters.find((c) => c.cluster === 'eu')!.scores).toHaveProperty('cost', 100);
    expect(e.chosen).toEqual([{ cluster: 'eu', replicas: 1, spotReplicas: 0 }]);
    expect(e.boundGap).toBe(0);
  });
});
