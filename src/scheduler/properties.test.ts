// Safety properties of the scheduler on thousands of generated fleets, checked against an
// independent re-statement of the rules (not the scheduler's own filters).
import fc from 'fast-check';
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Workload } from '../api/index.js';
import { websterDivide } from './divide/webster.js';
import { compileCluster } from './model/compile.js';
import type { CompiledCluster } from './model/types.js';
import { loadSolver } from './optimise/lp.js';
import { scheduleWith, type ScheduleResult } from './schedule.js';
import { cluster, workload } from './testing/fixtures.js';

const REGIONS = [
  ['aws', 'eu-west-1', 'eu'],
  ['aws', 'us-east-1', 'us'],
  ['gcp', 'europe-west1', 'eu'],
  ['gcp', 'us-central1', 'us'],
  ['azure', 'westeurope', 'eu'],
  ['azure', 'eastus', 'us'],
] as const;

const clusterArb = fc.record({
  region: fc.integer({ min: 0, max: REGIONS.length - 1 }),
  cpu: fc.constantFrom(2, 4, 8, 16),
  memGiB: fc.constantFrom(4, 8, 16, 32),
  pods: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  cpuMilli: fc.integer({ min: 10, max: 50 }),
  memMilli: fc.integer({ min: 1, max: 6 }),
  prod: fc.boolean(),
  gpuTaint: fc.boolean(),
  phase: fc.constantFrom(undefined, 'Ready', 'NotReady', 'Unknown'),
  cordoned: fc.boolean(),
  spotNodes: fc.constantFrom(0, 0, 1, 2),
});

const workloadArb = fc.record({
  replicas: fc.integer({ min: 0, max: 6 }),
  cpu: fc.constantFrom(0.5, 1, 2),
  memGiB: fc.constantFrom(0.5, 1, 2, 4),
  residency: fc.constantFrom(undefined, 'eu', 'us'),
  prodOnly: fc.boolean(),
  toleratesGpu: fc.boolean(),
  spotTolerant: fc.boolean(),
  minProviders: fc.integer({ min: 0, max: 2 }),
  minRegions: fc.integer({ min: 0, max: 3 }),
  maxPer: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  duplicated: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  weights: fc.option(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 3 })), { minLength: 1, maxLength: 3 }), { nil: undefined }),
});

type CA = typeof clusterArb extends fc.Arbitrary<infer T> ? T : never;
type WA = typeof workloadArb extends fc.Arbitrary<infer T> ? T : never;

function buildCluster(i: number, a: CA): Cluster {
  const [provider, region] = REGIONS[a.region]!;
  return cluster(`c${i}`, {
    provider,
    region,
    cpu: a.cpu,
    memGiB: a.memGiB,
    pods: a.pods,
    cpuHour: a.cpuMilli / 1000,
    memHour: a.memMilli / 1000,
    labels: { env: a.prod ? 'prod' : 'dev' },
    taints: a.gpuTaint ? [{ key: 'gpu', effect: 'NoSchedule' }] : undefined,
    phase: a.phase as 'Ready' | undefined,
    unschedulable: a.cordoned,
    spotNodes: provider === 'aws' ? a.spotNodes : 0,
    spotFactor: 0.3,
  });
}

function buildWorkload(i: number, a: WA, nc: number): Workload {
  const weights = a.weights ? [...new Map(a.weights.filter(([c]) => c < nc).map(([c, w]) => [`c${c}`, w]))].map(([cluster, weight]) => ({ cluster, weight })) : [];
  return workload(`w${i}`, a.replicas, a.cpu, a.memGiB, {
    ...(a.residency ? { residency: a.residency } : {}),
    ...(a.prodOnly ? { clusterSelector: { env: 'prod' } } : {}),
    ...(a.toleratesGpu ? { tolerations: [{ key: 'gpu', operator: 'Exists' }] } : {}),
    spotTolerant: a.spotTolerant,
    spread: { minProviders: a.minProviders, minRegions: a.minRegions, ...(a.maxPer ? { maxReplicasPerCluster: a.maxPer } : {}) },
    mode: a.duplicated ? 'Duplicated' : 'Divided',
    ...(weights.length && !a.duplicated ? { staticWeights: weights } : {}),
  });
}

// The rules restated independently of the filter plugins.
function allowed(w: Workload, c: Cluster, cc: CompiledCluster): boolean {
  const pl = w.spec.placement;
  const jur = REGIONS.find((r) => r[0] === c.spec.provider && r[1] === c.spec.region)![2];
  if (pl.residency && !pl.residency.includes(jur)) return false;
  if (pl.clusterSelector?.env && c.metadata.labels?.env !== pl.clusterSelector.env) return false;
  if ((c.spec.taints ?? []).some((t) => t.effect === 'NoSchedule') && !(pl.tolerations ?? []).some((t) => t.key === 'gpu')) return false;
  const phase = (c.status as { phase?: string } | undefined)?.phase;
  if (phase === 'NotReady' || phase === 'Unknown' || c.spec.unschedulable) return false;
  if (pl.staticWeights && !pl.staticWeights.some((x) => x.cluster === c.metadata.name)) return false;
  if (!pl.spotTolerant && cc.odCpu <= 0) return false;
  return true;
}

function fit(w: Workload, cc: CompiledCluster): number {
  const cpu = Number(w.spec.resources!.cpu);
  const mem = parseInt(String(w.spec.resources!.memory), 10) / 1024;
  const pool = (c: number, m: number) => Math.min(Math.floor(c / cpu + 1e-9), Math.floor(m / mem + 1e-9));
  const n = pool(cc.odCpu, cc.odMem) + (w.spec.placement.spotTolerant ? pool(cc.spotCpu, cc.spotMem) : 0);
  return Math.min(n, cc.pods, w.spec.placement.spread?.maxReplicasPerCluster ?? Infinity);
}

function spreadOk(w: Workload, used: Cluster[]): boolean {
  const s = w.spec.placement.spread ?? {};
  return (
    new Set(used.map((c) => c.spec.provider)).size >= (s.minProviders ?? 0) &&
    new Set(used.map((c) => `${c.spec.provider}/${c.spec.region}`)).size >= (s.minRegions ?? 0) &&
    used.length >= (s.minClusters ?? 0)
  );
}

/** Brute force: can w be placed alone on the empty fleet? */
function placeableAlone(w: Workload, cs: Cluster[], ccs: CompiledCluster[]): boolean {
  const R = w.spec.replicas;
  if (R === 0) return true;
  const pl = w.spec.placement;
  const idx = cs.map((_, i) => i).filter((i) => allowed(w, cs[i]!, ccs[i]!) && fit(w, ccs[i]!) >= (pl.mode === 'Duplicated' ? R : 1));
  if (pl.mode === 'Duplicated') return idx.length > 0 && spreadOk(w, idx.map((i) => cs[i]!));
  if (pl.staticWeights) {
    const shares = websterDivide(R, idx.map((i) => pl.staticWeights!.find((x) => x.cluster === cs[i]!.metadata.name)!.weight));
    if (idx.length === 0 || shares.some((n, k) => n > fit(w, ccs[idx[k]!]!))) return false;
    return spreadOk(w, idx.filter((_, k) => shares[k]! > 0).map((i) => cs[i]!));
  }
  const caps = idx.map((i) => fit(w, ccs[i]!));
  const x: number[] = [];
  const dfs = (k: number, left: number): boolean => {
    if (k === idx.length) return left === 0 && spreadOk(w, idx.filter((_, j) => x[j]! > 0).map((i) => cs[i]!));
    for (let n = Math.min(left, caps[k]!); n >= 0; n--) {
      x[k] = n;
      if (dfs(k + 1, left - n)) return true;
    }
    return false;
  };
  return dfs(0, R);
}

function checkSafety(r: ScheduleResult, cs: Cluster[], ws: Workload[]): void {
  const ccs = cs.map((c, i) => compileCluster(c, i));
  const byName = new Map(cs.map((c, i) => [c.metadata.name, i]));
  const seen = new Set<string>();
  const used = cs.map(() => ({ odCpu: 0, odMem: 0, spotCpu: 0, spotMem: 0, pods: 0 }));
  for (const p of r.placements) {
    expect(seen.has(p.name)).toBe(false);
    seen.add(p.name);
    const w = ws.find((x) => x.metadata.name === p.name)!;
    const cpu = Number(w.spec.resources!.cpu);
    const mem = parseInt(String(w.spec.resources!.memory), 10) / 1024;
    const pl = w.spec.placement;
    let total = 0;
    for (const e of p.clusters) {
      const i = byName.get(e.cluster)!;
      expect(allowed(w, cs[i]!, ccs[i]!)).toBe(true);
      expect(e.replicas).toBeGreaterThan(0);
      expect(e.replicas).toBeLessThanOrEqual(pl.spread?.maxReplicasPerCluster ?? Infinity);
      const spot = e.spotReplicas ?? 0;
      if (spot > 0) expect(pl.spotTolerant).toBe(true);
      used[i]!.odCpu += (e.replicas - spot) * cpu;
      used[i]!.odMem += (e.replicas - spot) * mem;
      used[i]!.spotCpu += spot * cpu;
      used[i]!.spotMem += spot * mem;
      used[i]!.pods += e.replicas;
      total += e.replicas;
      if (pl.mode === 'Duplicated') expect(e.replicas).toBe(w.spec.replicas);
    }
    if (pl.mode === 'Divided') expect(total).toBe(w.spec.replicas);
    expect(spreadOk(w, p.clusters.map((e) => cs[byName.get(e.cluster)!]!)) || w.spec.replicas === 0).toBe(true);
    if (pl.staticWeights && pl.mode === 'Divided') {
      const idx = cs.map((_, i) => i).filter((i) => allowed(w, cs[i]!, ccs[i]!) && fit(w, ccs[i]!) >= 1);
      const shares = websterDivide(w.spec.replicas, idx.map((i) => pl.staticWeights!.find((x) => x.cluster === cs[i]!.metadata.name)!.weight));
      expect(Object.fromEntries(p.clusters.map((e) => [e.cluster, e.replicas]))).toEqual(Object.fromEntries(idx.map((i, k) => [cs[i]!.metadata.name, shares[k]!]).filter(([, n]) => (n as number) > 0)));
    }
  }
  used.forEach((u, i) => {
    const c = ccs[i]!;
    expect(u.odCpu).toBeLessThanOrEqual(c.odCpu + 1e-6);
    expect(u.odMem).toBeLessThanOrEqual(c.odMem + 1e-6);
    expect(u.spotCpu).toBeLessThanOrEqual(c.spotCpu + 1e-6);
    expect(u.spotMem).toBeLessThanOrEqual(c.spotMem + 1e-6);
    expect(u.pods).toBeLessThanOrEqual(c.pods);
  });
  for (const u of r.unschedulable) {
    expect(seen.has(u.name)).toBe(false);
    seen.add(u.name);
    const w = ws.find((x) => x.metadata.name === u.name)!;
    // Contention means it fits alone; any other verdict means it does not fit even alone.
    expect(placeableAlone(w, cs, ccs)).toBe(u.code === 'CapacityContention');
  }
  expect(seen.size).toBe(ws.length);
  expect(r.lowerBoundCostPerHour).toBeLessThanOrEqual(r.totalCostPerHour + 1e-6);
}

let highs: Highs;
beforeAll(async () => {
  highs = await loadSolver();
});

const fleetArb = fc.tuple(fc.array(clusterArb, { minLength: 1, maxLength: 6 }), fc.array(workloadArb, { minLength: 1, maxLength: 8 }));

describe('scheduler safety properties', () => {
  it('never crosses residency, selectors, taints, spot or capacity; conserves replicas; meets spread; unschedulable is real', () => {
    fc.assert(
      fc.property(fleetArb, ([ca, wa]) => {
        const cs = ca.map((a, i) => buildCluster(i, a));
        const ws = wa.map((a, i) => buildWorkload(i, a, cs.length));
        checkSafety(scheduleWith({ clusters: cs, workloads: ws, timeLimitMs: 2000 }, highs), cs, ws);
      }),
      { numRuns: 600 },
    );
  });

  it('the greedy plan alone (no LP) satisfies the same rules', () => {
    fc.assert(
      fc.property(fleetArb, ([ca, wa]) => {
        const cs = ca.map((a, i) => buildCluster(i, a));
        const ws = wa.map((a, i) => buildWorkload(i, a, cs.length));
        checkSafety(scheduleWith({ clusters: cs, workloads: ws }, undefined), cs, ws);
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(fleetArb, ([ca, wa]) => {
        const cs = ca.map((a, i) => buildCluster(i, a));
        const ws = wa.map((a, i) => buildWorkload(i, a, cs.length));
        const a = scheduleWith({ clusters: cs, workloads: ws }, highs);
        const b = scheduleWith({ clusters: [...cs].reverse(), workloads: [...ws].reverse() }, highs);
        expect(b.placements).toEqual(a.placements);
        expect(b.unschedulable).toEqual(a.unschedulable);
      }),
      { numRuns: 150 },
    );
  });
});
