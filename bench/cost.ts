// Cost benchmark (issue 6). Workload: the checked-in reference scenario bench/scenarios/cost/
// (12 clusters on AWS, Azure and GCP in EU and US regions at shipped catalog prices; 240
// workloads of 7 teams, 30% EU-resident, ~25% spot-tolerant, tier-0 services spread over two
// providers; observed p95 usage far below requests for most). Compares, in one run, the monthly
// cost of (a) an even split across feasible clusters (Karmada-like default), (b) TrustStram's
// cost-optimised placement (the scheduler), (c) (b) plus every recommendation applied. Every plan
// is checked against every constraint. Targets: (c) ≥ 40% cheaper than (a); (b) clearly cheaper
// than (a). Writes bench/results/cost.json.
//
// Cost model (the same function prices all three plans): requests × the cluster's OpenCost unit
// prices (spot prices for spot-tolerant replicas while a spot pool holds them) + the managed
// control-plane fee of every cluster that runs at least one replica. Node pools are assumed to
// be autoscaled to the requests (cluster-autoscaler), so idle capacity is not charged to any plan.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { parseAllDocuments } from 'yaml';
import { API_VERSION, validateObject, type Cluster, type Placement, type Workload } from '../src/api/index.js';
import {
  HOURS_PER_MONTH,
  allocateRates,
  checkCapacity,
  checkWorkloadPlacement,
  clusterAllowed,
  clusterLoads,
  defaultCatalog,
  failureDomains,
  lineTotal,
  priceFleet,
  recommend,
  type UsageProfile,
} from '../src/cost/index.js';
import { schedule } from '../src/scheduler/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)));
const SCENARIO = join(ROOT, 'scenarios', 'cost');
const catalog = defaultCatalog();

function load<T>(file: string): T[] {
  return parseAllDocuments(readFileSync(join(SCENARIO, file), 'utf8')).map((d, i) => {
    const r = validateObject(d.toJS(), { file, document: i });
    if (!r.ok) throw new Error(`${file} document ${i}: ${r.causes[0]!.field}: ${r.causes[0]!.message}`);
    return r.object as T;
  });
}

const clusters = load<Cluster>('fleet.yaml');
const workloads = load<Workload>('workloads.yaml');
const usage = new Map(Object.entries((JSON.parse(readFileSync(join(SCENARIO, 'usage.json'), 'utf8')) as { usage: Record<string, UsageProfile> }).usage));
const fleet = new Map(clusters.map((c) => [c.metadata.name, c]));
const pricing = priceFleet(clusters, catalog);
const keyOf = (w: { metadata: { namespace?: string; name: string } }) => `${w.metadata.namespace}/${w.metadata.name}`;

function toPlacement(w: Workload, counts: Map<string, number>): Placement {
  return {
    apiVersion: API_VERSION,
    kind: 'Placement',
    metadata: { name: w.metadata.name, namespace: w.metadata.namespace },
    spec: { workload: w.metadata.name, generation: 1, clusters: [...counts].filter(([, n]) => n > 0).map(([cluster, replicas]) => ({ cluster, replicas })), costPerHour: 0 },
  };
}

/** (a) Karmada-like: replicas divided evenly over every feasible cluster, providers interleaved. */
function evenSplit(): Placement[] {
  return workloads.map((w, i) => {
    const feasible = clusters.filter((c) => !clusterAllowed(w, c));
    // Interleave providers (aws, azure, gcp, aws, ...) so a replica count below the cluster count still spans providers.
    const byProvider = ['aws', 'azure', 'gcp'].map((p) => feasible.filter((c) => c.spec.provider === p));
    const order: Cluster[] = [];
    for (let k = 0; order.length < feasible.length; k++) for (const g of byProvider) if (g[k]) order.push(g[k]!);
    const counts = new Map<string, number>();
    for (let r = 0; r < w.spec.replicas; r++) {
      const c = order[(i + r) % order.length]!.metadata.name;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    return toPlacement(w, counts);
  });
}

interface PlanCost {
  monthly: number;
  onDemand: number;
  spot: number;
  fees: number;
  spotReplicas: number;
  /** What the spot replicas would cost on demand, minus what they cost: the spot saving inside the plan. */
  spotDiscount: number;
  clustersUsed: number;
  byTeam: Record<string, number>;
  byResidency: Record<string, number>;
}

function price(ws: readonly Workload[], ps: readonly Placement[]): PlanCost {
  const bare = clusters.map((c) => ({ ...c, status: undefined }));
  const lines = allocateRates({ clusters: bare, workloads: ws, placements: ps }, catalog).lines;
  const used = new Set(ps.flatMap((p) => p.spec.clusters.filter((c) => c.replicas > 0).map((c) => c.cluster)));
  const out: PlanCost = { monthly: 0, onDemand: 0, spot: 0, fees: 0, spotReplicas: 0, spotDiscount: 0, clustersUsed: used.size, byTeam: {}, byResidency: {} };
  for (const l of lines) {
    if (l.kind === 'overhead' && used.has(l.cluster)) out.fees += l.otherCost * HOURS_PER_MONTH;
    if (l.kind !== 'allocation') continue;
    const m = lineTotal(l) * HOURS_PER_MONTH;
    const p = pricing.get(l.cluster)!;
    const perReplicaOd = ((l.cpuCores ?? 0) * p.onDemand.cpuHour + (l.memoryGiB ?? 0) * p.onDemand.memoryGiBHour) / (l.replicas ?? 1);
    const odShare = l.replicas ? ((l.replicas - (l.spotReplicas ?? 0)) * perReplicaOd) * HOURS_PER_MONTH : 0;
    out.onDemand += Math.min(m, odShare);
    out.spot += Math.max(0, m - odShare);
    out.spotReplicas += l.spotReplicas ?? 0;
    out.spotDiscount += ((l.spotReplicas ?? 0) * perReplicaOd) * HOURS_PER_MONTH - Math.max(0, m - odShare);
    out.byTeam[l.team!] = (out.byTeam[l.team!] ?? 0) + m;
    out.byResidency[l.residency] = (out.byResidency[l.residency] ?? 0) + m;
  }
  out.monthly = out.onDemand + out.spot + out.fees;
  return out;
}

/** Every constraint: per workload (residency, selectors, affinity, taints, spread, replicas), capacity, nothing left unplaced. */
function check(name: string, ws: readonly Workload[], ps: readonly Placement[]): string[] {
  const byKey = new Map(ps.map((p) => [`${p.metadata.namespace}/${p.spec.workload}`, p]));
  const out: string[] = [];
  for (const w of ws) {
    const p = byKey.get(keyOf(w));
    if (!p) {
      out.push(`${name}: ${keyOf(w)} is not placed`);
      continue;
    }
    out.push(...checkWorkloadPlacement(w, p.spec.clusters, fleet).map((v) => `${name}: ${v.message}`));
    // Tier-0 services must span two providers, whatever their spread says.
    if (w.spec.priority === 'tier-0' && new Set(p.spec.clusters.map((c) => fleet.get(c.cluster)!.spec.provider)).size < 2) out.push(`${name}: tier-0 ${keyOf(w)} runs on one provider`);
  }
  const wByKey = new Map(ws.map((w) => [keyOf(w), w]));
  out.push(...checkCapacity(clusterLoads(ps.map((p) => ({ workload: wByKey.get(`${p.metadata.namespace}/${p.spec.workload}`)!, clusters: p.spec.clusters }))), pricing).map((v) => `${name}: ${v.message}`));
  return out;
}

const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function main() {
  const t0 = performance.now();
  const a = evenSplit();
  const tA = performance.now();
  const sched = await schedule({ clusters, workloads, timeLimitMs: 20_000 });
  const tB = performance.now();
  if (sched.unschedulable.length) throw new Error(`the scheduler left ${sched.unschedulable.length} workloads unplaced: ${sched.unschedulable[0]!.reason}`);
  const wByKey = new Map(workloads.map((w) => [keyOf(w), w]));
  const b = sched.placements.map((p) => toPlacement(wByKey.get(`${p.namespace}/${p.name}`)!, new Map(p.clusters.map((c) => [c.cluster, c.replicas]))));
  const rec = recommend({ clusters, workloads, placements: b, usage, catalog });
  const tC = performance.now();
  const c = rec.placements;
  const cWorkloads = rec.workloads;

  const violations = [...check('(a) even split', workloads, a), ...check('(b) optimised', workloads, b), ...check('(c) optimised + recommendations', cWorkloads, c)];
  // (c) may never lose a failure domain that (b) had at the survive level.
  const cByKey = new Map(c.map((p) => [`${p.metadata.namespace}/${p.spec.workload}`, p]));
  for (const p of b) {
    const w = wByKey.get(`${p.metadata.namespace}/${p.spec.workload}`)!;
    if (failureDomains(w, cByKey.get(keyOf(w))!.spec.clusters, fleet) < failureDomains(w, p.spec.clusters, fleet)) violations.push(`(c): ${keyOf(w)} lost a failure domain`);
  }

  const ca = price(workloads, a);
  const cb = price(workloads, b);
  const cc = price(cWorkloads, c);
  const byType: Record<string, { count: number; monthly: number }> = {};
  for (const r of rec.recommendations) {
    const x = (byType[r.type] ??= { count: 0, monthly: 0 });
    x.count++;
    x.monthly += r.monthlySaving;
  }

  const plans = new Table({ head: ['plan', 'monthly', 'vs (a)', 'on-demand', 'spot', 'fees', 'spot replicas', 'clusters used', 'violations'], style: { head: [], border: [] } });
  const row = (name: string, x: PlanCost, prefix: string) => [name, usd(x.monthly), x === ca ? '-' : `-${pct(1 - x.monthly / ca.monthly)}`, usd(x.onDemand), usd(x.spot), usd(x.fees), String(x.spotReplicas), String(x.clustersUsed), String(violations.filter((v) => v.startsWith(prefix)).length)];
  plans.push(row('(a) even split (Karmada-like)', ca, '(a)'), row('(b) TrustStram optimised', cb, '(b)'), row('(c) (b) + recommendations', cc, '(c)'));

  // Where the savings come from: (a)→(b) split into cheaper on-demand placement, spot and fees;
  // (b)→(c) by recommendation type (each priced with the earlier ones applied, so they add up).
  const placementSaving = ca.onDemand + ca.spot - (cb.onDemand + cb.spot) - (cb.spotDiscount - ca.spotDiscount);
  const breakdown: [string, number][] = [
    ['(a)→(b) cheaper clusters/regions within residency (on-demand)', placementSaving],
    ['(a)→(b) more replicas on spot capacity', cb.spotDiscount - ca.spotDiscount],
    ['(a)→(b) fewer control-plane fees', ca.fees - cb.fees],
    ...Object.entries(byType).map(([t, x]): [string, number] => [`(b)→(c) ${t} (${x.count} recommendations)`, x.monthly]),
  ];
  const bd = new Table({ head: ['saving source', 'monthly', 'share of (a)'], style: { head: [], border: [] } });
  for (const [k, v] of breakdown) bd.push([k, usd(v), pct(v / ca.monthly)]);

  const reqCpu = workloads.reduce((s, w) => s + (Number.parseFloat(String(w.spec.resources?.cpu)) * (String(w.spec.resources?.cpu).endsWith('m') ? 0.001 : 1)) * w.spec.replicas, 0);
  const usedCpu = workloads.reduce((s, w) => s + (usage.get(keyOf(w))?.cpuP95 ?? 0) * w.spec.replicas, 0);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };

  console.log(`Cost benchmark: ${clusters.length} clusters, ${workloads.length} workloads (${workloads.filter((w) => w.spec.placement.residency?.includes('eu')).length} EU-resident, ${workloads.filter((w) => w.spec.placement.spotTolerant).length} spot-tolerant, ${workloads.filter((w) => w.spec.priority === 'tier-0').length} tier-0 over 2 providers)`);
  console.log(`requested ${reqCpu.toFixed(0)} cores; p95 usage ${usedCpu.toFixed(0)} cores (${pct(usedCpu / reqCpu)} of requests); catalog ${catalog.meta.version} as of ${catalog.meta.asOf}`);
  console.log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}\n`);
  console.log(plans.toString());
  console.log('\nWhere the savings come from (monthly, vs (a)):');
  console.log(bd.toString());
  const targetC = 1 - cc.monthly / ca.monthly >= 0.4;
  const targetB = 1 - cb.monthly / ca.monthly >= 0.05;
  console.log(`\ntargets: (c) ≥ 40% cheaper than (a): ${targetC ? 'met' : 'MISSED'} (${pct(1 - cc.monthly / ca.monthly)}); (b) clearly cheaper than (a): ${targetB ? 'met' : 'MISSED'} (${pct(1 - cb.monthly / ca.monthly)})`);
  console.log(`constraint violations: ${violations.length}${violations.length ? `\n  ${violations.slice(0, 10).join('\n  ')}` : ''}`);
  // Cross-check: the scheduler's own price of (b) (requests × unit prices, no fees) against this bench's.
  console.log(`cross-check: scheduler prices (b) at ${usd(sched.totalCostPerHour * HOURS_PER_MONTH)}/month before fees; this bench ${usd(cb.onDemand + cb.spot)}`);
  console.log(`time: even split ${Math.round(tA - t0)} ms, scheduler ${Math.round(tB - tA)} ms (gap ${pct(sched.gap)}), recommendations ${Math.round(tC - tB)} ms`);

  const results = {
    benchmark: 'cost',
    date: new Date().toISOString(),
    machine,
    scenario: { path: 'bench/scenarios/cost', clusters: clusters.length, workloads: workloads.length, requestedCores: reqCpu, p95UsedCores: usedCpu, catalog: catalog.meta },
    costModel: 'requests × OpenCost unit prices (spot for spot-tolerant replicas while a spot pool holds them) + control-plane fee of each cluster in use; node pools autoscaled to requests',
    plans: { a_evenSplit: ca, b_optimised: cb, c_optimisedPlusRecommendations: cc },
    savings: { b_vs_a: 1 - cb.monthly / ca.monthly, c_vs_a: 1 - cc.monthly / ca.monthly, c_vs_b: 1 - cc.monthly / cb.monthly },
    breakdown: Object.fromEntries(breakdown),
    recommendations: byType,
    scheduler: { monthlyBeforeFees: sched.totalCostPerHour * HOURS_PER_MONTH, gap: sched.gap, boundKind: sched.boundKind, elapsedMs: sched.elapsedMs },
    timingsMs: { evenSplit: tA - t0, scheduler: tB - tA, recommendations: tC - tB },
    violations,
    targets: { cAtLeast40PercentBelowA: targetC, bClearlyBelowA: targetB },
  };
  mkdirSync(join(ROOT, 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'results', 'cost.json'), JSON.stringify(results, null, 2) + '\n');
  if (violations.length || !targetC || !targetB) process.exitCode = 1;
}

await main();
