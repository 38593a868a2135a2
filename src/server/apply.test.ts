// The atomic multi-object endpoints over real HTTP: apply (created/configured/unchanged), plan
// (field diffs, nothing written), prune, delete, admission warnings and denials, and the actor.
import { afterEach, describe, expect, it } from 'vitest';
import type { AdmissionHook } from './admission.js';
import type { ServerOptions } from './options.js';
import { BASE, fixtures, startTestServer, type TestServer } from './testing/harness.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});
async function server(opts: Partial<ServerOptions> = {}) {
  const s = await startTestServer(opts);
  servers.push(s);
  return s;
}

const all = () => [fixtures.cluster(), fixtures.workload(), fixtures.policy(), fixtures.budget(), fixtures.placement(), fixtures.event()];
const outcomes = (body: any) => body.results.map((r: any) => `${r.kind}/${r.name}:${r.outcome}`);

describe('POST /api/v1alpha1/apply', () => {
  it('creates, then reports unchanged, then configured only what changed, like kubectl', async () => {
    const s = await server();
    const first = await s.req('POST', '/api/v1alpha1/apply', { items: all() });
    expect(first.status).toBe(200);
    expect(first.body.results.every((r: any) => r.outcome === 'created')).toBe(true);
    const rv = await s.store.revision();
    expect(first.body.resourceVersion).toBe(rv);

    const again = await s.req('POST', '/api/v1alpha1/apply', { items: all() });
    expect(again.body.results.every((r: any) => r.outcome === 'unchanged')).toBe(true);
    expect(await s.store.revision()).toBe(rv);

    const items = all();
    items[1] = { ...fixtures.workload(), spec: { ...fixtures.workload().spec, replicas: 4 } };
    const third = await s.req('POST', '/api/v1alpha1/apply', { items });
    expect(outcomes(third.body)).toEqual([
      'Cluster/aws-eu:unchanged',
      'Workload/payments:configured',
      'Policy/no-latest:unchanged',
      'Budget/team-a:unchanged',
      'Placement/payments:unchanged',
      'Event/payments.scheduled:unchanged',
    ]);
    expect((await s.req('GET', `${BASE}/namespaces/team-a/workloads/payments`)).body.spec.replicas).toBe(4);
  });

  it('rejects the whole apply when one document is bad: nothing written, audit chain unchanged', async () => {
    const s = await server();
    await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.cluster('existing')] });
    const before = await s.snapshot();
    const bad = { ...fixtures.workload('broken'), spec: { ...fixtures.workload().spec, replicas: 1.5 } };
    const r = await s.req('POST', '/api/v1alpha1/apply', {
      items: [fixtures.cluster('new-one'), fixtures.policy('p1'), bad, fixtures.budget('b1')],
      sources: [
        { file: 'fleet.yaml', document: 0 },
        { file: 'fleet.yaml', document: 1 },
        { file: 'apps.yaml', document: 0 },
        { file: 'apps.yaml', document: 1 },
      ],
    });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'Invalid' });
    expect(r.body.details.causes).toEqual([expect.objectContaining({ field: 'apps.yaml: document 0: spec.replicas' })]);
    expect(r.body.message).toContain('apps.yaml: document 0: spec.replicas');
    expect(await s.snapshot()).toEqual(before);
    expect((await s.req('GET', `${BASE}/clusters/new-one`)).status).toBe(404);
  });

  it('honours dryRun without writing, and records the X-Remote-User actor in the audit chain', async () => {
    const s = await server();
    const before = await s.snapshot();
    const dry = await s.req('POST', '/api/v1alpha1/apply', { items: all(), dryRun: true });
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.results.every((r: any) => r.outcome === 'created')).toBe(true);
    expect(await s.snapshot()).toEqual(before);
    await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.cluster()] }, { 'x-remote-user': 'alice' });
    const log = await s.store.auditLog({});
    expect(log.at(-1)).toMatchObject({ actor: 'user:alice', kind: 'Cluster', name: 'aws-eu' });
  });

  it('prunes objects matching the selector that the apply no longer contains', async () => {
    const s = await server();
    const owned = (c: any) => ({ ...c, metadata: { ...c.metadata, labels: { 'app.kubernetes.io/managed-by': 'gitops' } } });
    await s.req('POST', '/api/v1alpha1/apply', { items: [owned(fixtures.cluster('keep')), owned(fixtures.cluster('gone')), fixtures.cluster('unowned')] });
    const body = { items: [owned(fixtures.cluster('keep'))], prune: { labelSelector: 'app.kubernetes.io/managed-by=gitops' } };
    const plan = await s.req('POST', '/api/v1alpha1/plan', body);
    expect(plan.body.summary).toEqual({ create: 0, update: 0, delete: 1, unchanged: 1 });
    expect(plan.body.items.find((i: any) => i.action === 'delete')).toMatchObject({ kind: 'Cluster', name: 'gone' });
    const r = await s.req('POST', '/api/v1alpha1/apply', body);
    expect(outcomes(r.body)).toEqual(['Cluster/keep:unchanged', 'Cluster/gone:deleted']);
    expect((await s.req('GET', `${BASE}/clusters/unowned`)).status).toBe(200);
  });
});

describe('POST /api/v1alpha1/plan', () => {
  it('lists what would be created, changed (with field paths) and left alone, writing nothing', async () => {
    const s = await server();
    await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.cluster(), fixtures.workload()] });
    const before = await s.snapshot();
    const wl = fixtures.workload();
    const changed = { ...wl, metadata: { ...wl.metadata, labels: { app: 'payments', tier: '0' } }, spec: { ...wl.spec, replicas: 3 } };
    const r = await s.req('POST', '/api/v1alpha1/plan', { items: [fixtures.cluster(), changed, fixtures.policy()], sources: [{ file: 'a.yaml', document: 0 }, { file: 'a.yaml', document: 1 }, { file: 'b.yaml', document: 0 }] });
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ create: 1, update: 1, delete: 0, unchanged: 1 });
    expect(r.body.items[1]).toMatchObject({ kind: 'Workload', namespace: 'team-a', name: 'payments', action: 'update', file: 'a.yaml', document: 1 });
    expect(r.body.items[1].changes).toEqual([
      { path: 'metadata.labels.tier', op: 'add', after: '0' },
      { path: 'spec.replicas', op: 'replace', before: 2, after: 3 },
    ]);
    expect(r.body.items[2]).toMatchObject({ kind: 'Policy', action: 'create' });
    expect(await s.snapshot()).toEqual(before);
  });
});

describe('POST /api/v1alpha1/delete', () => {
  it('deletes atomically: one missing object deletes nothing unless ignoreNotFound', async () => {
    const s = await server();
    await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.cluster(), fixtures.workload()] });
    const before = await s.snapshot();
    const refs = [{ kind: 'Cluster', name: 'aws-eu' }, { kind: 'workloads', namespace: 'team-a', name: 'payments' }, { kind: 'Cluster', name: 'missing' }];
    const r = await s.req('POST', '/api/v1alpha1/delete', { refs });
    expect(r.status).toBe(404);
    expect(await s.snapshot()).toEqual(before);
    const ok = await s.req('POST', '/api/v1alpha1/delete', { refs, ignoreNotFound: true });
    expect(outcomes(ok.body)).toEqual(['Cluster/aws-eu:deleted', 'Workload/payments:deleted']);
    const bad = await s.req('POST', '/api/v1alpha1/delete', { refs: [{ kind: 'Gizmo', name: 'x' }] });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes[0].field).toBe('document 0: kind');
  });
});

describe('admission hooks', () => {
  const hook: AdmissionHook = async (req) => {
    const spec = req.object?.spec as { image?: string; replicas?: number } | undefined;
    if (req.object?.kind !== 'Workload') return { verdict: 'allow' };
    if (spec?.image?.endsWith(':latest')) return { verdict: 'deny', causes: [{ field: 'spec.image', message: 'images must be pinned' }] };
    if ((spec?.replicas ?? 0) < 2) return { verdict: 'warn', messages: ['a single replica is not highly available'] };
    return { verdict: 'allow' };
  };

  it('returns warnings in the Warning header and the result; a deny rejects everything with located causes', async () => {
    const s = await server({ admission: [hook] });
    const single = { ...fixtures.workload('single'), spec: { ...fixtures.workload().spec, replicas: 1 } };
    const warned = await s.req('POST', '/api/v1alpha1/apply', { items: [single] });
    expect(warned.status).toBe(200);
    expect(warned.body.warnings).toEqual(['Workload/team-a/single: a single replica is not highly available']);
    expect(warned.headers.get('warning')).toContain('299 - "Workload/team-a/single: a single replica is not highly available"');

    const before = await s.snapshot();
    const latest = { ...fixtures.workload('latest'), spec: { ...fixtures.workload().spec, image: 'nginx:latest' } };
    const denied = await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.cluster(), latest], sources: [{ file: 'x.yaml', document: 0 }, { file: 'x.yaml', document: 3 }] });
    expect(denied.status).toBe(403);
    expect(denied.body.reason).toBe('Forbidden');
    expect(denied.body.details.causes).toEqual([expect.objectContaining({ field: 'x.yaml: document 3: spec.image', message: 'images must be pinned' })]);
    expect(await s.snapshot()).toEqual(before);

    const rest = await s.req('POST', `${BASE}/namespaces/team-a/workloads`, latest);
    expect(rest.status).toBe(403);
    const restWarn = await s.req('POST', `${BASE}/namespaces/team-a/workloads`, { ...single, metadata: { ...single.metadata, name: 'single-2' } });
    expect(restWarn.status).toBe(201);
    expect(restWarn.headers.get('warning')).toMatch(/^299 - /);
  });
});
