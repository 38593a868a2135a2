// Compliance end to end (issue 7): a real control plane (SQLite, API server, every controller)
// with the example fleet whose agents are simulated in this process (leases + status reports,
// so placement, status and failover run for real), driven through the real `truststram` CLI.
// Proves: the report (counts, residency map, a crafted crossing, failover recovery), a deny
// changing nothing but the recorded denial, plan/dry-run verdicts, malformed policies rejected
// with file/document/field/position, runtime re-evaluation, and the evidence bundle round trip.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Placement, Workload } from '../../src/api/index.js';
import type { ComplianceReportDoc, PolicyStatus } from '../../src/compliance/index.js';
import { startControlPlane, type ControlPlane } from '../../src/controlplane/index.js';
import { cli, ensureBuilt, EXAMPLES, killAll, liveChildren, ROOT, snapshot, tempDir } from './harness.js';

const CLUSTERS = ['aws-eu-west-1', 'aws-us-east-1', 'azure-westeurope', 'azure-eastus', 'gcp-europe-west1', 'gcp-us-central1'];
let cp: ControlPlane;
let dir: string;
const dead = new Set<string>();
let agentsTimer: NodeJS.Timeout | undefined;
let reporting = false;
const log: string[] = [];
const AGENT_ID = 'e2e-agent';

/**
 * The simulated agents: every live cluster holds a lease and reports each workload placed on
 * it as fully ready — written only when the report changes, as real agents do.
 */
async function reportPlacements(): Promise<void> {
  if (reporting) return;
  reporting = true;
  try {
    const placements = (await cp.store.list('Placement')).items as Placement[];
    const workloads = new Map(((await cp.store.list('Workload')).items as Workload[]).map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, w]));
    for (const name of CLUSTERS) {
      if (dead.has(name)) continue;
      await cp.leases.renew(name, AGENT_ID, 600_000);
      const c = (await cp.store.get({ kind: 'Cluster', name })) as Cluster | undefined;
      if (!c) continue;
      const reports: Record<string, unknown> = {};
      for (const p of placements) {
        const n = p.spec.clusters.find((e) => e.cluster === name)?.replicas ?? 0;
        const key = `${p.metadata.namespace}/${p.spec.workload}`;
        const w = workloads.get(key);
        if (n > 0 && w) reports[key] = { generation: w.metadata.generation, desiredReplicas: n, replicas: n, readyReplicas: n, updatedReplicas: n, converged: true, replicaStatus: [] };
      }
      const status = (c.status ?? {}) as Record<string, unknown>;
      const agent = status.agent as { id?: string } | undefined;
      if (JSON.stringify(status.workloads ?? {}) === JSON.stringify(reports) && status.lastHeartbeatTime && agent?.id === AGENT_ID) continue;
      try {
        // The agent identifies itself as the lease holder: the health controller waits for that.
        const next = { ...status, agent: { id: AGENT_ID }, lastHeartbeatTime: status.lastHeartbeatTime ?? new Date().toISOString(), workloads: reports };
        await cp.store.apply([{ verb: 'updateStatus', object: { ...c, status: next }, expectedResourceVersion: c.metadata.resourceVersion! }], { actor: `agent:${name}` });
      } catch {
        // A conflict with the health controller: the next tick reports again.
      }
    }
  } finally {
    reporting = false;
  }
}

async function report(): Promise<ComplianceReportDoc> {
  const r = await cli(['compliance', 'report', '-o', 'json'], { server: cp.url });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ComplianceReportDoc;
}

/** Waits until nothing is written for `quietMs` (controllers and agents have converged). */
async function quiesce(quietMs = 1500): Promise<void> {
  let last = await cp.store.revision();
  let since = Date.now();
  const end = Date.now() + 30_000;
  while (Date.now() - since < quietMs) {
    if (Date.now() > end) throw new Error('store never went quiet');
    await new Promise((r) => setTimeout(r, 100));
    const now = await cp.store.revision();
    if (now !== last) [last, since] = [now, Date.now()];
  }
}

const allReady = async () => {
  const ws = (await cp.store.list('Workload')).items as Workload[];
  return ws.length > 0 && ws.every((w) => {
    const s = w.status as { readyReplicas?: number; desiredReplicas?: number } | undefined;
    return !!s && (s.desiredReplicas ?? 0) > 0 && s.readyReplicas === s.desiredReplicas;
  });
};

async function until(cond: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`condition not reached; control plane log:\n${log.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir('truststram-compliance-');
  cp = await startControlPlane({ dataDir: join(dir, 'data'), listen: '127.0.0.1:0', manageAgents: false, log: (l) => log.push(l) });
  agentsTimer = setInterval(() => void reportPlacements(), 100);
  const r = await cli(['apply', '-f', join(ROOT, 'policies', 'baseline'), '-f', join(EXAMPLES, 'fleet.yaml'), '-f', join(EXAMPLES, 'workloads.yaml')], { server: cp.url });
  expect(r.code, r.stderr).toBe(0);
  await until(allReady);
}, 90_000);

afterAll(async () => {
  clearInterval(agentsTimer);
  await cp?.close();
  await killAll();
  expect(liveChildren()).toBe(0);
});

describe('compliance report', () => {
  it('reports every baseline policy passing and a residency map with no crossing for the examples', async () => {
    const doc = await report();
    expect(doc.summary).toMatchObject({ fail: 0, warn: 0, violatingObjects: 0, residencyCrossings: 0, auditChainOk: true });
    expect(doc.policies.policies.map((p) => p.policy)).toEqual(expect.arrayContaining(['allowed-registries', 'digest-pinned-images', 'required-labels', 'sinks-in-residency', 'tier0-no-spot-only']));
    const workloads = doc.policies.policies.find((p) => p.policy === 'required-labels')!;
    expect(workloads).toMatchObject({ matched: 3, pass: 3, fail: 0 });
    // Placement-stage policies were judged on every placed (workload, cluster) pair.
    expect(doc.policies.placedPairs).toBeGreaterThan(0);
    expect(doc.policies.policies.find((p) => p.policy === 'tier0-no-spot-only')!.matched).toBeGreaterThan(0);

    const pay = doc.residency.workloads.find((w) => w.workload === 'payments/payments-api')!;
    expect(pay.residency).toEqual(['eu']);
    expect(pay.replicas.reduce((a, t) => a + (t.amount ?? 0), 0)).toBe(4);
    expect(pay.replicas.every((t) => t.jurisdiction === 'eu' && t.inside)).toBe(true);
    expect(pay.sinks).toEqual([expect.objectContaining({ type: 'sink', jurisdiction: 'eu', inside: true })]);
    const catalog = doc.residency.workloads.find((w) => w.workload === 'catalog/catalog-api')!;
    expect(catalog.replicas.length).toBeGreaterThan(0);
    expect(catalog.replicas.every((t) => t.jurisdiction === 'us')).toBe(true);
    expect(doc.audit).toMatchObject({ ok: true, headSeq: doc.audit.entries });
  });

  it('renders a table and a self-contained HTML file', async () => {
    const t = await cli(['compliance', 'report'], { server: cp.url });
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('No residency crossings.');
    expect(t.stdout).toContain('AUDIT CHAIN: OK');
    const out = join(dir, 'report.html');
    expect((await cli(['compliance', 'report', '-o', 'html', '--out', out], { server: cp.url })).code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|href=/i);
    expect(html).toContain('payments/payments-api');
  });
});

const BAD = `apiVersion: truststram.io/v1alpha1
kind: Workload
metadata: {name: unlabelled, namespace: payments, labels: {team: payments}}
spec:
  image: docker.io/library/nginx:latest
  replicas: 1
  resources: {cpu: 100m, memory: 64Mi}
  placement: {residency: eu}
`;

describe('admission enforcement', () => {
  it('a deny leaves the store and the audit chain unchanged except for the recorded denial', async () => {
    await quiesce();
    const before = await snapshot(cp.url);
    const file = join(dir, 'bad.yaml');
    await writeFile(file, BAD);
    const r = await cli(['apply', '-f', file], { server: cp.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('denied by policy');
    expect(r.stderr).toMatch(/bad\.yaml: document 0: metadata\.labels: denied by policy required-labels, rule has-required-labels: missing required labels: tenant, data-residency, owner, risk-tier/);
    expect(r.stderr).toMatch(/spec\.image: denied by policy digest-pinned-images/);

    await until(async () => (await snapshot(cp.url)).audit.length > before.audit.length, 5000);
    const after = await snapshot(cp.url);
    expect(after.revision).toBe(before.revision);
    expect(after.audit.startsWith(before.audit)).toBe(true);
    const added = after.audit.slice(before.audit.length).trim().split('\n');
    expect(added).toHaveLength(1);
    const entry = JSON.parse(added[0]!) as { verb: string; kind: string; namespace: string; name: string; resourceVersion?: string; details: { denials: { policy: string }[] } };
    expect(entry).toMatchObject({ verb: 'deny', kind: 'Workload', namespace: 'payments', name: 'unlabelled' });
    expect(entry.resourceVersion).toBeUndefined();
    expect(entry.details.denials.map((d) => d.policy)).toEqual(expect.arrayContaining(['required-labels', 'digest-pinned-images', 'allowed-registries']));
    expect(await cp.store.get({ kind: 'Workload', namespace: 'payments', name: 'unlabelled' })).toBeUndefined();
    expect((await cli(['audit', 'verify'], { server: cp.url })).code).toBe(0);
  });

  it('plan and apply --dry-run show every verdict: deny exits 1 naming policy, rule and field; warn is printed; nothing is written', async () => {
    const warn = join(dir, 'warn-policy.yaml');
    await writeFile(warn, `apiVersion: truststram.io/v1alpha1
kind: Policy
metadata: {name: prefer-three-replicas}
spec:
  match: {kinds: [Workload], namespaces: [payments]}
  enforcement: warn
  rules:
    - name: three-or-more
      expression: object.spec.replicas >= 5
      message: payments workloads should run at least five replicas
`);
    expect((await cli(['apply', '-f', warn], { server: cp.url })).code).toBe(0);
    await quiesce();
    const before = await snapshot(cp.url);

    const bad = join(dir, 'bad.yaml');
    const plan = await cli(['plan', '-f', bad], { server: cp.url });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/document 0: spec\.image: denied by policy allowed-registries, rule registry-allowed-for-residency/);
    const dry = await cli(['apply', '--dry-run', '-f', bad], { server: cp.url });
    expect(dry.code).toBe(1);
    expect(dry.stderr).toMatch(/metadata\.labels: denied by policy required-labels/);

    // The example payments API again, unchanged: passes every deny policy, fails the warn one.
    const good = await cli(['plan', '-f', join(EXAMPLES, 'workloads.yaml')], { server: cp.url });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/Policy verdicts: \d+ admission policies on 3 object\(s\): 0 deny, 1 warn, 0 audit/);
    expect(good.stdout).toContain('warn  Workload/payments/payments-api: prefer-three-replicas/three-or-more (spec.replicas): payments workloads should run at least five replicas');
    const dryGood = await cli(['apply', '--dry-run', '-f', join(EXAMPLES, 'workloads.yaml')], { server: cp.url });
    expect(dryGood.code).toBe(0);
    expect(dryGood.stdout).toContain('prefer-three-replicas/three-or-more');
    const asJson = JSON.parse((await cli(['plan', '-f', join(EXAMPLES, 'workloads.yaml'), '-o', 'json'], { server: cp.url })).stdout) as { policyVerdicts: { items: { warnings: unknown[] }[] } };
    expect(asJson.policyVerdicts.items.flatMap((i) => i.warnings)).toHaveLength(1);

    const after = await snapshot(cp.url);
    expect(after).toEqual(before);
    expect((await cli(['delete', '-f', warn], { server: cp.url })).code).toBe(0);
  });

  it.each([
    ['syntax error', 'object.spec.replicas >= (', /line 1, column \d+: syntax error/],
    ['unknown variable', 'objekt.spec.replicas > 1', /line 1, column 1: type error: Unknown variable: objekt/],
    ['type error', 'object.spec.replicas == "3"', /line 1, column \d+: type error: no such overload/],
    ['non-boolean result', 'object.spec.replicas + 1', /must evaluate to bool, but evaluates to int/],
    ['runaway cost', 'object.spec.sinks.all(a, object.spec.sinks.all(b, object.spec.env.all(c, a.endpoint != b.endpoint)))', /estimated cost [\d,]+ exceeds the limit of 2,000,000 \(line 1, column 1\)/],
  ])('rejects a policy with a %s at apply, naming file, document, field and position', async (_name, expression, says) => {
    const file = join(dir, 'broken-policy.yaml');
    await writeFile(file, `apiVersion: truststram.io/v1alpha1
kind: Policy
metadata: {name: fine}
spec:
  match: {kinds: [Workload]}
  rules: [{name: ok, expression: "object.spec.replicas >= 0", message: ok}]
---
apiVersion: truststram.io/v1alpha1
kind: Policy
metadata: {name: broken}
spec:
  match: {kinds: [Workload]}
  rules:
    - name: r
      expression: ${JSON.stringify(expression)}
      message: m
`);
    const before = await cp.store.revision();
    const r = await cli(['apply', '-f', file], { server: cp.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid input; nothing was changed');
    expect(r.stderr).toMatch(/broken-policy\.yaml: document 1: spec\.rules\[0\]\.expression: /);
    expect(r.stderr).toMatch(says);
    expect(await cp.store.get({ kind: 'Policy', name: 'fine' })).toBeUndefined();
    expect(await cp.store.revision()).toBe(before);
  });
});

describe('runtime re-evaluation and residency crossings', () => {
  it('detects a sink outside residency admitted under audit enforcement, in the report and on the policy status', async () => {
    const relaxed = (await readFile(join(ROOT, 'policies', 'baseline', 'sinks-in-residency.yaml'), 'utf8')).replace('enforcement: deny', 'enforcement: audit');
    const wl = (await readFile(join(EXAMPLES, 'workloads.yaml'), 'utf8')).split(/^---$/m)[0]!
      .replace('name: payments-api', 'name: leaky-api')
      .replace('host: payments.eu.example', 'host: leaky.eu.example')
      .replace(/sinks:\n(\s+)- kind: logs\n\s+endpoint: https:\/\/logs\.eu\.example\/ingest\n\s+residency: eu/, 'sinks:\n$1- kind: backup\n$1  endpoint: s3://backups.us.example/leaky\n$1  residency: us');
    expect(wl).toContain('s3://backups.us.example/leaky');
    // The policy change first: objects of one apply are judged by the policies in force before it.
    const pfile = join(dir, 'relaxed.yaml');
    await writeFile(pfile, relaxed);
    expect((await cli(['apply', '-f', pfile], { server: cp.url })).code).toBe(0);
    await until(async () => {
      const d = (await (await fetch(`${cp.url}/api/v1alpha1/compliance`)).json()) as ComplianceReportDoc;
      return d.policies.policies.find((p) => p.policy === 'sinks-in-residency')?.enforcement === 'audit';
    });
    const file = join(dir, 'leaky.yaml');
    await writeFile(file, wl);
    const r = await cli(['apply', '-f', file], { server: cp.url });
    expect(r.code, r.stderr).toBe(0);

    const doc = await report();
    expect(doc.residency.crossings).toEqual([expect.objectContaining({ workload: 'payments/leaky-api', type: 'sink', target: 's3://backups.us.example/leaky', jurisdiction: 'us', residency: ['eu'] })]);
    const sinks = doc.policies.policies.find((p) => p.policy === 'sinks-in-residency')!;
    expect(sinks).toMatchObject({ enforcement: 'audit', audit: 1, fail: 0 });
    expect(sinks.violations[0]).toMatchObject({ object: 'Workload/payments/leaky-api' });
    const t = await cli(['compliance', 'report', '--fail-on-violation'], { server: cp.url });
    expect(t.code).toBe(1);
    expect(t.stdout).toContain('CROSSING: payments/leaky-api: backup sink s3://backups.us.example/leaky is in us, outside its residency eu');

    // The runtime controller reports the violator on the policy and as an Event.
    await until(async () => ((await cp.store.get({ kind: 'Policy', name: 'sinks-in-residency' }))?.status as PolicyStatus | undefined)?.violations === 1);
    const events = await cp.store.list('Event', { labelSelector: 'truststram.io/reason=PolicyViolation' });
    expect(events.items.map((e) => (e.spec as { involvedObject: { name: string } }).involvedObject.name)).toContain('leaky-api');
  });

  it('measures failover recovery from the ClusterNotReady event to all replicas ready again', async () => {
    await until(allReady);
    const placement = (await cp.store.get({ kind: 'Placement', namespace: 'payments', name: 'payments-api' })) as Placement;
    const victim = placement.spec.clusters.find((e) => e.replicas > 0)!.cluster;
    dead.add(victim);
    await cp.leases.release(victim, AGENT_ID);
    await until(async () => {
      const d = await report();
      return d.failovers.incidents.some((i) => i.cluster === victim && i.workloads.some((w) => w.workload === 'payments/payments-api' && w.recoveryMs !== undefined));
    }, 30_000);
    const doc = await report();
    const incident = doc.failovers.incidents.find((i) => i.cluster === victim)!;
    expect(incident.event).toMatch(/^truststram-system\//);
    const pay = incident.workloads.find((w) => w.workload === 'payments/payments-api')!;
    expect(pay).toMatchObject({ outcome: 'FailedOver', replicasLost: placement.spec.clusters.find((e) => e.cluster === victim)!.replicas });
    expect(pay.recoveryMs).toBeGreaterThan(0);
    expect(Date.parse(pay.recoveredAt!)).toBeGreaterThan(Date.parse(incident.notReadyAt));
    // Failover stayed inside the boundary.
    expect(doc.residency.crossings.filter((c) => c.type !== 'sink')).toEqual([]);
    const text = (await cli(['compliance', 'report'], { server: cp.url })).stdout;
    expect(text).toMatch(new RegExp(`${victim}\\s+\\S+\\s+\\S+\\s+payments/payments-api\\s+\\d+\\s+FailedOver\\s+[\\d.]+ (ms|s)`));
  });
});

describe('evidence bundle', () => {
  const OFFLINE = 'http://127.0.0.2:9';

  it('round-trips: create, verify offline, and name a tampered file or audit entry', async () => {
    const out = join(dir, 'evidence');
    const made = await cli(['compliance', 'evidence', '--out', out], { server: cp.url });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/wrote evidence bundle .*: 6 files, audit entries 1\.\.\d+, head [0-9a-f]{64}/);

    const ok = await cli(['audit', 'verify', '--bundle', out], { server: OFFLINE });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/evidence bundle OK: 5 files match their SHA-256 digests; audit entries 1\.\.\d+ form an unbroken chain/);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    expect(manifest.files.map((f) => f.path).sort()).toEqual(['audit.jsonl', 'placements.json', 'policies.json', 'report.html', 'report.json']);

    // One byte of a file.
    const policies = join(out, 'policies.json');
    const original = await readFile(policies);
    const flipped = Buffer.from(original);
    flipped[flipped.length - 3] = flipped[flipped.length - 3]! ^ 1;
    await writeFile(policies, flipped);
    const bad = await cli(['audit', 'verify', '--bundle', out], { server: OFFLINE });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/evidence bundle .* is INVALID: policies\.json: SHA-256 .* does not match/);
    await writeFile(policies, original);

    // One audit line.
    const audit = join(out, 'audit.jsonl');
    const lines = (await readFile(audit, 'utf8')).split('\n');
    lines[4] = lines[4]!.replace(/"actor":"[^"]*"/, '"actor":"user:mallory"');
    await writeFile(audit, lines.join('\n'));
    const badLine = await cli(['audit', 'verify', '--bundle', out], { server: OFFLINE });
    expect(badLine.code).toBe(1);
    expect(badLine.stderr).toMatch(/INVALID: audit\.jsonl: SHA-256/);
    expect(badLine.stderr).toMatch(/audit\.jsonl: line 5 \(entry 5\): entry 5 was modified/);
  });
});
