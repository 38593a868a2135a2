// Benchmark of the placement engine (issue 3). Workload: generated fleets shaped like real ones
// (bench/lib/generate.ts) priced from the shipped catalog. Compares, in the same run, the
// optimiser with Karmada's even split and a per-workload greedy; measures failover and
// incremental placement. Run: npm run bench:scheduler [-- --quick] [-- --runs N]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import Table from 'cli-table3';
import type { Placement } from '../src/api/index.js';
import { defaultCatalog } from '../src/cost/index.js';
import { createFleetState, loadSolver, placeOne, replaceFailed, scheduleWith, type ScheduleResult } from '../src/scheduler/index.js';
import { compileProblem } from '../src/scheduler/model/compile.js';
import { evenSplit, greedyCheapest } from './lib/baselines.js';
import { generate } from './lib/generate.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runs = Number(args[args.indexOf('--runs') + 1]) || 2;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const catalog = defaultCatalog();

interface Size {
  workloads: number;
  clusters: number;
  budgetMs: number;
  label?: string;
}
const SIZES: Size[] = quick
  ? [
      { workloads: 1000, clusters: 50, budgetMs: 3000 },
      { workloads: 1000, clusters: 50, budgetMs: 10000, label: '10 s budget' },
      { workloads: 3000, clusters: 100, budgetMs: 3000 },
    ]
  : [
      { workloads: 1000, clusters: 50, budgetMs: 3000 },
      { workloads: 1000, clusters: 50, budgetMs: 10000, label: '10 s budget' },
      { workloads: 10000, clusters: 200, budgetMs: 3000 },
      { workloads: 10000, clusters: 200, budgetMs: 10000, label: '10 s budget' },
      { workloads: 20000, clusters: 500, budgetMs: 10000 },
    ];

const pct = (x: number) => `${(x * 100).toFixed(3)}%`;
const usd = (x: number) => x.toFixed(2);
const mb = (b: number) => Math.round(b / 2 ** 20);

function toPlacements(r: ScheduleResult): Placement[] {
  return r.placements.map((p) => ({
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Placement',
    metadata: { name: p.name, namespace: p.namespace },
    spec: { workload: p.name, generation: 1, clusters: p.clusters.map((c) => ({ cluster: c.cluster, replicas: c.replicas })), costPerHour: p.costPerHour },
  }));
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

const t0 = performance.now();
const highs = await loadSolver();
const loadMs = performance.now() - t0;
// Warm-up so that the first measured size does not pay V8's JIT for the JS side.
{
  const { clusters, workloads } = generate(catalog, { workloads: 300, clusters: 20, seed: 99 });
  scheduleWith({ clusters, workloads, catalog, timeLimitMs: 3000 }, highs);
}

const results: Record<string, unknown>[] = [];
for (const size of SIZES) {
  const { clusters, workloads } = generate(catalog, { workloads: size.workloads, clusters: size.clusters, seed: 7 });
  for (let run = 1; run <= runs; run++) {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const r = scheduleWith({ clusters, workloads, catalog, timeLimitMs: size.budgetMs }, highs);
    const heapAfter = process.memoryUsage().heapUsed;
    const problem = compileProblem(clusters, workloads, [], { catalog });
    const even = evenSplit(problem);
    const greedy = greedyCheapest(problem);
    const row: Record<string, unknown> = {
      size: `${size.workloads}×${size.clusters}`,
      label: size.label ?? '',
      run,
      budgetMs: size.budgetMs,
      wallMs: r.elapsedMs,
      maxRssMiB: mb(process.resourceUsage().maxRSS * 1024),
      heapDeltaMiB: mb(heapAfter - heapBefore),
      costPerHour: r.totalCostPerHour,
      lowerBound: r.lowerBoundCostPerHour,
      boundKind: r.boundKind,
      gap: r.gap,
      unschedulable: r.unschedulable.length,
      replicas: workloads.reduce((a, w) => a + w.spec.replicas, 0),
      evenSplit: { costPerHour: even.costPerHour, gapToBound: even.costPerHour / r.lowerBoundCostPerHour - 1, overcommittedClusters: even.overcommittedClusters },
      greedy: { costPerHour: greedy.costPerHour, gapToBound: greedy.costPerHour / r.lowerBoundCostPerHour - 1, unplacedWorkloads: greedy.unplacedWorkloads, ms: Math.round(greedy.ms) },
      stats: r.stats,
    };
    if (size.workloads === 10000 && size.budgetMs === 3000) {
      // Failover: the cluster holding most replicas fails; only its replicas may move.
      const fleet = createFleetState(clusters, workloads, toPlacements(r), { catalog });
      const load = new Map<string, number>();
      for (const p of r.placements) for (const c of p.clusters) load.set(c.cluster, (load.get(c.cluster) ?? 0) + c.replicas);
      const victim = [...load].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
      const tf = performance.now();
      const fo = replaceFailed(fleet, [victim]);
      const failoverMs = performance.now() - tf;
      const before = new Map(r.placements.map((p) => [`${p.namespace}/${p.name}`, p.clusters]));
      let otherMoved = 0;
      for (const p of fo.placements) {
        const old = before.get(`${p.namespace}/${p.name}`)!;
        for (const c of old) if (c.cluster !== victim && (p.clusters.find((x) => x.cluster === c.cluster)?.replicas ?? 0) < c.replicas) otherMoved += c.replicas;
      }
      row.failover = { cluster: victim, replicasLost: load.get(victim), replaced: fo.moved, degraded: fo.degraded.length, otherReplicasMoved: otherMoved, ms: +failoverMs.toFixed(2) };
      // Incremental: 500 new workloads placed one at a time on the live fleet state.
      const extra = generate(catalog, { workloads: 500, clusters: 1, seed: 1234 + run }).workloads.map((w) => ({ ...w, metadata: { ...w.metadata, name: `new-${w.metadata.name}` } }));
      const lat: number[] = [];
      let placed = 0;
      for (const w of extra) {
        const ti = performance.now();
        const res = placeOne(fleet, w);
        lat.push(performance.now() - ti);
        if (res.placement) placed++;
      }
      row.incremental = { workloads: extra.length, placed, p50Ms: +quantile(lat, 0.5).toFixed(3), p99Ms: +quantile(lat, 0.99).toFixed(3), maxMs: +Math.max(...lat).toFixed(3) };
    }
    results.push(row);
    console.error(`done ${row.size} ${row.label} run ${run}: ${r.elapsedMs} ms, gap ${pct(r.gap)}`);
  }
}

const table = new Table({ head: ['size', 'budget', 'run', 'wall ms', 'plan ms', 'maxRSS MiB', 'cost $/h', 'bound $/h', 'gap', 'LNS improved/rounds', 'even split', 'greedy', 'unsched.'], style: { head: [], border: [] } });
for (const r of results) {
  const e = r.evenSplit as { costPerHour: number; gapToBound: number; overcommittedClusters: number };
  const g = r.greedy as { costPerHour: number; gapToBound: number; unplacedWorkloads: number };
  table.push([
    r.size as string,
    `${(r.budgetMs as number) / 1000} s`,
    r.run as number,
    r.wallMs as number,
    ((r.stats as Record<string, number>).firstPlanMs ?? 0) + ((r.stats as Record<string, number>).compileMs ?? 0),
    r.maxRssMiB as number,
    usd(r.costPerHour as number),
    usd(r.lowerBound as number),
    pct(r.gap as number),
    `${(r.stats as Record<string, number>).lnsImproved ?? 0}/${(r.stats as Record<string, number>).lnsRounds ?? 0}`,
    `${usd(e.costPerHour)} (+${pct(e.gapToBound)}, ${e.overcommittedClusters} clusters over)`,
    `${usd(g.costPerHour)} (+${pct(g.gapToBound)}, ${g.unplacedWorkloads} unplaced)`,
    r.unschedulable as number,
  ]);
}
console.log(table.toString());
console.log('wall ms: until the local search stops (no improving move) or the budget ends; plan ms: until the first complete LP-guided plan (compile + LP + rounding + simple moves).');
console.log('LNS: sub-MILP neighbourhoods (budget ≥ 5 s only) that made the plan cheaper / tried; the number tried depends on size and budget, not on the clock.');
console.log('even split: equal shares over feasible clusters, capacity ignored (Karmada default); greedy: per workload in name order, cheapest pools with room; a lower cost with unplaced workloads is not a better plan.');
for (const r of results) {
  if (r.failover) console.log(`${r.size} run ${r.run} failover:`, JSON.stringify(r.failover), '\n  incremental:', JSON.stringify(r.incremental));
}
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavgAtEnd: os.loadavg(), solverLoadAndWarmMs: Math.round(loadMs) };
console.log('machine:', JSON.stringify(machine));
writeFileSync(new URL('./results/scheduler.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), quick, machine, results }, null, 2));
console.log('wrote bench/results/scheduler.json');
