// Benchmark of the explain view (`GET /api/v1alpha1/explain/workloads/:ns/:name`, behind
// `truststram explain workload` and the dashboard's workload page). Workload: generated fleets
// (bench/lib/generate.ts) in a SQLite store with the Placements the placement controller's core
// computes for them. Compares, in the same run and on the same store, the per-workload view —
// its first request, which also re-plans the fleet for the plan's bound gap, and a repeat, which
// finds the gap cached — with the old whole-fleet re-schedule
// (src/controlplane/testing/explain-reference.ts), and counts identical bodies.
// Run: npm run bench:explain [-- --quick] [-- --runs N]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import Table from 'cli-table3';
import { explainViews } from '../src/controlplane/views.js';
import { explainByReschedule } from '../src/controlplane/testing/explain-reference.js';
import { controllerPlacements, seedStore } from '../src/controlplane/testing/explain-fleet.js';
import { defaultCatalog } from '../src/cost/index.js';
import type { RequestContext } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { generate } from './lib/generate.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const catalog = defaultCatalog();
const SIZES = quick ? [{ workloads: 1000, clusters: 200 }] : [{ workloads: 1000, clusters: 200 }, { workloads: 10000, clusters: 200 }];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(1);

async function time<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await f();
  return { ms: performance.now() - t, value };
}

const table = new Table({ head: ['size', 'path', 'requests', 'median ms', 'max ms', 'same body as before'], style: { head: [], border: [] } });
const results: Record<string, unknown>[] = [];
for (const size of SIZES) {
  const { clusters, workloads } = generate(catalog, { ...size, seed: 7 });
  const placements = controllerPlacements(clusters, workloads, catalog);
  const store = await openStore('sqlite::memory:');
  await seedStore(store, { clusters, workloads, placements });
  // Workloads spread over the key space; the view and the old path see the same store.
  const picks = Array.from({ length: runs }, (_, i) => workloads[Math.floor(((i + 0.5) * workloads.length) / runs)]!);
  const first: number[] = [];
  const again: number[] = [];
  const old: number[] = [];
  let same = 0;
  for (const w of picks) {
    const params = { namespace: w.metadata.namespace!, name: w.metadata.name };
    // A fresh view has no cached fleet gap: its first request is the one after a fleet change.
    const view = explainViews(store, catalog)[0]!;
    const a = await time(() => view.handler({ params } as unknown as RequestContext));
    const a2 = await time(() => view.handler({ params } as unknown as RequestContext));
    const b = await time(() => explainByReschedule(store, params.namespace, params.name, catalog));
    first.push(a.ms);
    again.push(a2.ms);
    old.push(b.ms);
    if (JSON.stringify((a.value as { body: unknown }).body) === JSON.stringify(b.value)) same++;
  }
  const label = `${size.workloads.toLocaleString('en')}×${size.clusters}`;
  table.push([label, 'per workload, first request (fleet gap re-planned)', runs, ms(median(first)), ms(Math.max(...first)), `${same}/${runs}`]);
  table.push([label, 'per workload, repeated (fleet gap cached)', runs, ms(median(again)), ms(Math.max(...again)), '']);
  table.push([label, 'whole-fleet re-schedule (before)', runs, ms(median(old)), ms(Math.max(...old)), '']);
  results.push({ size: label, runs, firstMs: first.map((x) => Math.round(x)), repeatedMs: again.map((x) => Math.round(x)), rescheduleMs: old.map((x) => Math.round(x)), sameBody: same });
  await store.close();
}
console.log(table.toString());
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavgAtEnd: os.loadavg() };
console.log(`machine: ${machine.cpus} × ${machine.model}, node ${machine.node}, load ${machine.loadavgAtEnd.map((x) => x.toFixed(1)).join(' ')}`);
writeFileSync(new URL('./results/explain.json', import.meta.url), JSON.stringify({ date: new Date().toISOString(), quick, machine, results }, null, 2));
