import fc from 'fast-check';
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileProblem } from '../model/compile.js';
import { cluster, workload } from '../testing/fixtures.js';
import { spreadMet } from './greedy.js';
import { loadSolver } from './lp.js';
import { lnsSearch } from './lns.js';
import { lnsRounds, solve } from './solve.js';
import { addTo, cloneState, emptyState, placedReplicas, workloadObjective, type PlanState } from './state.js';

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

const total = (s: PlanState) => s.problem.workloads.reduce((a, w) => a + workloadObjective(s, w), 0);
const opts = (rounds: number, k = 6) => ({ rounds, clustersPerRound: k, nodeLimit: 50, deadline: Infinity });

describe('lnsSearch', () => {
  it('re-packs a fragmented cheap cluster that single-replica moves cannot fix', () => {
    // Cheap a has 4 cores: the 3-core replica there strands 1 core, while two 2-core replicas
    // would fill it exactly. Swapping needs three replicas to move at once.
    const p = compileProblem(
      [cluster('a', { cpu: 4, memGiB: 64, cpuHour: 0.01, memHour: 0.001 }), cluster('b', { cpu: 16, memGiB: 64, cpuHour: 0.05, memHour: 0.001 })],
      [workload('big', 1, 3, 1), workload('pair', 2, 2, 1)],
    );
    const [a, b] = [p.clusters.findIndex((c) => c.name === 'a'), p.clusters.findIndex((c) => c.name === 'b')];
    const [big, pair] = [p.workloads.find((w) => w.name === 'big')!, p.workloads.find((w) => w.name === 'pair')!];
    const s = emptyState(p);
    addTo(s, big, a, false, 1);
    addTo(s, pair, b, false, 2);
    const before = total(s);
    const r = lnsSearch(highs, s, p.workloads, opts(1, 2));
    expect(r.improved).toBe(1);
    expect(s.slots[pair.index]).toEqual([{ c: a, od: 2, spot: 0 }]);
    expect(s.slots[big.index]).toEqual([{ c: b, od: 1, spot: 0 }]);
    expect(before - total(s)).toBeCloseTo(0.04, 9);
  });

  it('keeps a spread minimum while moving replicas to the cheaper region', () => {
    const p = compileProblem(
      [cluster('a', { region: 'eu-west-1', cpu: 8, cpuHour: 0.01 }), cluster('b', { region: 'eu-central-1', cpu: 8, cpuHour: 0.05 })],
      [workload('s', 4, 1, 1, { spread: { minRegions: 2 } })],
    );
    const w = p.workloads[0]!;
    const s = emptyState(p);
    for (const c of [0, 1]) addTo(s, w, c, false, 2);
    lnsSearch(highs, s, p.workloads, opts(2));
    const cheap = p.clusters.findIndex((c) => c.name === 'a');
    expect(s.slots[w.index]!.find((x) => x.c === cheap)?.od).toBe(3);
    expect(spreadMet(s, w)).toBe(true);
  });

  it('runs only with a budget of 5 s or more, within three neighbourhoods per cluster', () => {
    expect(lnsRounds(200, 10000, 3000)).toBe(0);
    expect(lnsRounds(200, 10000, 10000)).toBeGreaterThan(10);
    expect(lnsRounds(4, 10, 10000)).toBe(12);
  });
});

// Small random fleets over four regions with caps and spread; prices vary per cluster.
const regions = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];
const fleetArb = fc.tuple(
  fc.array(fc.record({ region: fc.integer({ min: 0, max: 3 }), cpu: fc.integer({ min: 2, max: 12 }), price: fc.integer({ min: 1, max: 9 }) }), { minLength: 2, maxLength: 7 }),
  fc.array(
    fc.record({ replicas: fc.integer({ min: 1, max: 6 }), cpu: fc.constantFrom(0.5, 1, 2), spread: fc.constantFrom('none', 'regions', 'cap'), eu: fc.boolean() }),
    { minLength: 1, maxLength: 12 },
  ),
);

describe('lnsSearch properties', () => {
  it('never raises the objective, never breaks capacity, spread, caps or residency, and is deterministic', () => {
    fc.assert(
      fc.property(fleetArb, ([ca, wa]) => {
        const cs = ca.map((c, i) => cluster(`c${i}`, { region: regions[c.region], cpu: c.cpu, memGiB: 64, cpuHour: c.price / 100 }));
        const ws = wa.map((w, i) =>
          workload(`w${i}`, w.replicas, w.cpu, 1, {
            ...(w.eu ? { residency: ['eu'] } : {}),
            ...(w.spread === 'regions' && w.replicas >= 2 ? { spread: { minRegions: 2 } } : w.spread === 'cap' ? { spread: { maxReplicasPerCluster: 2 } } : {}),
          }),
        );
        const p = compileProblem(cs, ws);
        const out = solve(p, { timeLimitMs: 2000, highs });
        const placed = p.workloads.filter((w) => !out.unschedulable.has(w.index));
        const s1 = cloneState(out.state);
        const s2 = cloneState(out.state);
        const before = total(s1);
        lnsSearch(highs, s1, placed, opts(6, 3));
        lnsSearch(highs, s2, placed, opts(6, 3));
        expect(s2.slots).toEqual(s1.slots);
        expect(total(s1)).toBeLessThanOrEqual(before + 1e-9);
        const nc = p.clusters.length;
        for (const w of placed) {
          expect(placedReplicas(s1, w.index)).toBe(w.replicas);
          expect(spreadMet(s1, w)).toBe(true);
          for (const x of s1.slots[w.index]!) {
            expect(x.od + x.spot).toBeLessThanOrEqual(w.maxPerCluster);
            expect(p.rejectedBy[w.index * nc + x.c]).toBe(0);
          }
        }
        for (let c = 0; c < nc; c++) {
          expect(s1.freeOdCpu[c]).toBeGreaterThanOrEqual(-1e-9);
          expect(s1.freeOdMem[c]).toBeGreaterThanOrEqual(-1e-9);
          expect(s1.freePods[c]).toBeGreaterThanOrEqual(-1e-9);
        }
      }),
      { numRuns: 60 },
    );
  });
});
