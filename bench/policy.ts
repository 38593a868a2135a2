// Policy engine benchmark (issue 7). Workload: (1) admission of 1,000 generated Workloads
// against the shipped baseline pack, timing each engine.admit call (the policy overhead an
// apply pays; the HTTP round trip is measured elsewhere), side by side with an empty engine;
// (2) runtime re-evaluation of 10,000 stored objects against 50 admission-stage policies
// (the 7 baseline ones + 43 generated), side by side with the baseline pack alone.
// Targets: p99 admission overhead ≤ 2 ms; full re-evaluation ≤ 2 s. Writes bench/results/policy.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { ApiObject, Cluster, Policy, Workload } from '../src/api/index.js';
import { createPolicyEngine, loadBaselinePolicies, type PolicyEngine } from '../src/policy/index.js';
import { seededRandom as rng } from '../src/util/random.js';

const DIGEST = '@sha256:' + 'e'.repeat(64);


/** Realistic Workloads: ~80% compliant, the rest breaking one baseline rule each. */
function workloads(n: number, seed: number): Workload[] {
  const r = rng(seed);
  const out: Workload[] = [];
  for (let i = 0; i < n; i++) {
    const residency = r() < 0.5 ? 'eu' : 'us';
    const broken = r() < 0.2 ? Math.floor(r() * 5) : -1;
    const tier0 = r() < 0.1;
    const labels: Record<string, string> = { tenant: `t${i % 40}`, team: `team-${i % 20}`, 'data-residency': residency, owner: `o${i % 7}`, 'risk-tier': tier0 ? 'tier-0' : 'tier-2' };
    if (broken === 0) delete labels.owner;
    out.push({
      apiVersion: 'truststram.io/v1alpha1',
      kind: 'Workload',
      metadata: { name: `w${i}`, namespace: `team-${i % 20}`, labels, resourceVersion: String(i + 1) },
      spec: {
        image: broken === 1 ? `registry.${residency}.example/app-${i % 50}:v1` : `registry.${broken === 2 ? 'apac' : residency}.example/app-${i % 50}${DIGEST}`,
        replicas: 1 + Math.floor(r() * 8),
        resources: broken === 3 ? { cpu: '500m' } : { cpu: '500m', memory: '1Gi' },
        priority: tier0 ? 'tier-0' : 'tier-2',
        env: Array.from({ length: 1 + Math.floor(r() * 6) }, (_, k) => ({ name: `VAR_${k}`, value: `v${k}` })),
        ports: [{ port: 8080, protocol: 'http' }],
        placement: { residency: [residency], mode: 'Divided', optimizeFor: 'cost', spotTolerant: false, ...(tier0 ? { spread: { minProviders: 2 } } : {}) },
        sinks: [
          { kind: 'logs', endpoint: `https://logs.${residency}.example`, residency: broken === 4 ? 'apac' : residency },
          { kind: 'backup', endpoint: `s3://backups-${residency}`, residency },
        ],
      },
    });
  }
  return out;
}

function clusters(n: number): Cluster[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Cluster',
    metadata: { name: `c${i}`, labels: { 'compliance-tier': i % 3 === 0 ? 'high' : 'standard' } },
    spec: { provider: (['aws', 'azure', 'gcp'] as const)[i % 3]!, region: 'eu-west-1', residency: 'eu', capacity: { cpu: '64', memory: '256Gi' }, driver: { type: 'local' } },
  }));
}

/** 43 generated admission policies in the shapes platform teams write. */
function generatedPolicies(n: number): Policy[] {
  const shapes = [
    (i: number) => ({ expression: `object.spec.replicas <= ${10 + i}`, message: 'too many replicas' }),
    (i: number) => ({ expression: `!object.spec.image.startsWith('registry.blocked-${i}.example/')`, message: 'blocked registry' }),
    (i: number) => ({ expression: `has(object.metadata.labels) && params.keys.all(k, k in object.metadata.labels)`, message: `labels ${i}` }),
    () => ({ expression: `!has(object.spec.env) || object.spec.env.all(e, !e.name.startsWith('SECRET_'))`, message: 'no secrets in env' }),
    () => ({ expression: `!has(object.spec.ports) || object.spec.ports.all(p, p.port >= 1024)`, message: 'no privileged ports' }),
    (i: number) => ({ expression: `object.metadata.namespace != 'forbidden-${i}'`, message: 'namespace' }),
  ];
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'truststram.io/v1alpha1',
    kind: 'Policy',
    metadata: { name: `generated-${String(i).padStart(2, '0')}`, resourceVersion: '1' },
    spec: {
      match: { kinds: ['Workload'] },
      stage: 'admission',
      enforcement: (['deny', 'warn', 'audit'] as const)[i % 3]!,
      params: { keys: ['team', 'tenant'] },
      rules: [{ name: 'r', ...shapes[i % shapes.length]!(i) }],
    },
  }));
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

function timeAdmissions(engine: PolicyEngine, objects: Workload[]): { p50: number; p99: number; max: number; mean: number; denied: number } {
  for (const o of objects.slice(0, 200)) engine.admit({ object: o, user: 'bench', verb: 'create' }); // warm-up (JIT)
  const times: number[] = [];
  let denied = 0;
  for (const o of objects) {
    const t0 = process.hrtime.bigint();
    const d = engine.admit({ object: o, user: 'bench', verb: 'create' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (!d.allowed) denied++;
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times.at(-1)!, mean: times.reduce((s, x) => s + x, 0) / times.length, denied };
}

function timeReevaluation(engine: PolicyEngine, objects: ApiObject[]): { ms: number[]; best: number; violating: number; evaluations: number } {
  const ms: number[] = [];
  let violating = 0;
  let evaluations = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const report = engine.evaluateAll(objects);
    ms.push(performance.now() - t0);
    violating = report.violatingObjects.length;
    evaluations = report.policies.reduce((s, p) => s + p.matched, 0);
  }
  return { ms, best: Math.min(...ms), violating, evaluations };
}

const round = (x: number, d = 3) => Number(x.toFixed(d));

async function main(): Promise<void> {
  const baseline = await loadBaselinePolicies();
  const t0 = performance.now();
  const engine = createPolicyEngine();
  engine.setPolicies(baseline);
  const compileMs = performance.now() - t0;

  const applies = workloads(1_000, 7);
  const admitBaseline = timeAdmissions(engine, applies);
  const admitEmpty = timeAdmissions(createPolicyEngine(), applies);

  const stored: ApiObject[] = [...workloads(9_800, 11), ...clusters(200)];
  const fifty = createPolicyEngine();
  fifty.setPolicies([...baseline, ...generatedPolicies(43)]);
  const admissionPolicies = fifty.evaluateAll([]).policies.length;
  const reevalFifty = timeReevaluation(fifty, stored);
  const reevalBaseline = timeReevaluation(engine, stored);

  const table = new Table({ head: ['measurement', 'policies', 'result', 'target'] });
  table.push(
    ['compile baseline pack (cold)', String(baseline.length), `${round(compileMs, 1)} ms`, ''],
    ['admit p50, 1,000 applies', 'baseline', `${round(admitBaseline.p50)} ms`, ''],
    ['admit p99, 1,000 applies', 'baseline', `${round(admitBaseline.p99)} ms`, '≤ 2 ms'],
    ['admit max', 'baseline', `${round(admitBaseline.max)} ms`, ''],
    ['admit p99 (comparison: empty engine)', '0', `${round(admitEmpty.p99)} ms`, ''],
    ['re-evaluate 10,000 objects (best of 3)', String(admissionPolicies), `${round(reevalFifty.best, 1)} ms`, '≤ 2,000 ms'],
    ['  policy × object evaluations / µs each', String(admissionPolicies), `${reevalFifty.evaluations.toLocaleString('en-US')} / ${round((reevalFifty.best * 1000) / reevalFifty.evaluations, 2)} µs`, ''],
    ['re-evaluate 10,000 objects (comparison: baseline only)', String(engine.evaluateAll([]).policies.length), `${round(reevalBaseline.best, 1)} ms`, ''],
  );
  console.log(table.toString());
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown cpu'}, load average ${loadavg()[0]!.toFixed(2)} (timings scale with contention)`);
  console.log(`denied ${admitBaseline.denied}/1000 applies; ${reevalFifty.violating} of 10,000 stored objects violate a deny rule`);

  const result = {
    benchmark: 'policy',
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 1), node: process.version, loadAverage1m: round(loadavg()[0]!, 2) },
    admission: { applies: applies.length, policies: baseline.length, ...mapRound(admitBaseline), emptyEngine: mapRound(admitEmpty), targetP99Ms: 2 },
    reevaluation: { objects: stored.length, policies: admissionPolicies, runsMs: reevalFifty.ms.map((x) => round(x, 1)), bestMs: round(reevalFifty.best, 1), evaluations: reevalFifty.evaluations, violatingObjects: reevalFifty.violating, baselineOnlyBestMs: round(reevalBaseline.best, 1), targetMs: 2000 },
    compileBaselineMs: round(compileMs, 1),
    pass: admitBaseline.p99 <= 2 && reevalFifty.best <= 2000,
  };
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'policy.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${join('bench', 'results', 'policy.json')}; targets ${result.pass ? 'met' : 'MISSED'}`);
}

function mapRound<T extends Record<string, number>>(o: T): Record<keyof T, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)])) as Record<keyof T, number>;
}

await main();
