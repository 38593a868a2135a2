// Kubernetes REST over real HTTP against a real SQLite store: CRUD of every kind, conflicts,
// merge patch, the status subresource, label and field selectors, dry runs and URL/body checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, fixtures, startTestServer, type TestServer } from './testing/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.stop();
});

const kinds = [
  { plural: 'clusters', make: () => fixtures.cluster('crud-cl'), ns: undefined },
  { plural: 'workloads', make: () => fixtures.workload('crud-wl', 'crud'), ns: 'crud' },
  { plural: 'policies', make: () => fixtures.policy('crud-pol'), ns: undefined },
  { plural: 'budgets', make: () => fixtures.budget('crud-bud'), ns: undefined },
  { plural: 'placements', make: () => fixtures.placement('crud-pl', 'crud'), ns: 'crud' },
  { plural: 'events', make: () => fixtures.event('crud-ev.1', 'crud'), ns: 'crud' },
];

describe('CRUD for every kind', () => {
  it.each(kinds)('$plural: create, get, list, update, conflict, delete', async ({ plural, make, ns }) => {
    const obj = make();
    const coll = ns ? `${BASE}/namespaces/${ns}/${plural}` : `${BASE}/${plural}`;
    const item = `${coll}/${obj.metadata.name}`;

    const created = await s.req('POST', coll, obj);
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: obj.metadata.name, generation: 1 });
    const rv1 = created.body.metadata.resourceVersion as string;
    expect(rv1).toMatch(/^\d+$/);
    expect((await s.req('POST', coll, obj)).body).toMatchObject({ code: 409, reason: 'AlreadyExists' });

    expect((await s.req('GET', item)).body).toEqual(created.body);
    const list = await s.req('GET', coll);
    expect(list.body.kind).toMatch(/List$/);
    expect(list.body.items.map((o: any) => o.metadata.name)).toContain(obj.metadata.name);
    if (ns) expect((await s.req('GET', `${BASE}/${plural}`)).body.items.map((o: any) => o.metadata.namespace)).toContain(ns);

    const changed = { ...created.body, metadata: { ...created.body.metadata, labels: { changed: 'yes' } } };
    const updated = await s.req('PUT', item, changed);
    expect(updated.status).toBe(200);
    expect(updated.body.metadata.labels).toEqual({ changed: 'yes' });
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(rv1));

    // The same body again carries the old resourceVersion: optimistic concurrency refuses it.
    const stale = await s.req('PUT', item, { ...changed, metadata: { ...changed.metadata, labels: { again: 'x' } } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', reason: 'Conflict' });

    const deleted = await s.req('DELETE', item);
    expect(deleted.status).toBe(200);
    expect(deleted.body.metadata.name).toBe(obj.metadata.name);
    expect((await s.req('GET', item)).body).toMatchObject({ code: 404, reason: 'NotFound' });
    expect((await s.req('DELETE', item)).status).toBe(404);
  });
});

describe('merge patch', () => {
  it('merges application/merge-patch+json and application/json bodies (RFC 7386)', async () => {
    await s.req('POST', `${BASE}/namespaces/team-a/workloads`, fixtures.workload('patchme', 'team-a', { app: 'patchme', drop: 'me' }));
    const url = `${BASE}/namespaces/team-a/workloads/patchme`;
    const r = await s.req('PATCH', url, { spec: { replicas: 5 }, metadata: { labels: { drop: null, added: 'x' } } }, { 'content-type': 'application/merge-patch+json' });
    expect(r.status).toBe(200);
    expect(r.body.spec).toMatchObject({ replicas: 5, image: 'ghcr.io/acme/payments@sha256:abc' });
    expect(r.body.metadata.labels).toEqual({ app: 'patchme', added: 'x' });
    expect(r.body.metadata.generation).toBe(2);
    const r2 = await s.req('PATCH', url, { spec: { replicas: 6 } });
    expect(r2.body.spec.replicas).toBe(6);
  });

  it('honours a resourceVersion in the patch as a precondition (409) and validates the result (422)', async () => {
    const url = `${BASE}/namespaces/team-a/workloads/patchme`;
    expect((await s.req('PATCH', url, { metadata: { resourceVersion: '1' }, spec: { replicas: 1 } })).status).toBe(409);
    const bad = await s.req('PATCH', url, { spec: { replicas: -1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.details.causes).toContainEqual(expect.objectContaining({ field: 'spec.replicas' }));
  });

  it('refuses patch types it does not implement (415) and a patch that renames (400)', async () => {
    const url = `${BASE}/namespaces/team-a/workloads/patchme`;
    expect((await s.req('PATCH', url, [{ op: 'add', path: '/spec/replicas', value: 1 }], { 'content-type': 'application/json-patch+json' })).status).toBe(415);
    expect((await s.req('PATCH', url, { metadata: { name: 'other' } })).status).toBe(400);
    expect((await s.req('PATCH', `${BASE}/namespaces/team-a/workloads/missing`, { spec: {} })).status).toBe(404);
  });
});

describe('status subresource', () => {
  it('writes status only through /status, and spec only through the object', async () => {
    const created = (await s.req('POST', `${BASE}/clusters`, fixtures.cluster('status-cl'))).body;
    const url = `${BASE}/clusters/status-cl`;
    const withStatus = await s.req('PUT', `${url}/status`, { ...created, spec: { ...created.spec, region: 'eu-central-1' }, status: { phase: 'Ready' } });
    expect(withStatus.status).toBe(200);
    expect(withStatus.body.status).toEqual({ phase: 'Ready' });
    expect(withStatus.body.spec.region).toBe('eu-west-1'); // spec in a status write is ignored
    expect(withStatus.body.metadata.generation).toBe(1);

    const patched = await s.req('PATCH', `${url}/status`, { status: { allocatable: { cpu: 16 } } }, { 'content-type': 'application/merge-patch+json' });
    expect(patched.body.status).toEqual({ phase: 'Ready', allocatable: { cpu: 16 } });

    const specWrite = await s.req('PATCH', url, { status: { phase: 'Hacked' }, metadata: { labels: { x: 'y' } } });
    expect(specWrite.body.status.phase).toBe('Ready'); // status in a main-resource write is ignored
    expect((await s.req('GET', `${url}/status`)).body.status.phase).toBe('Ready');
    for (const m of ['POST', 'DELETE']) {
      const r = await s.req(m, `${url}/status`);
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD, PATCH, PUT');
    }
  });
});

describe('selectors', () => {
  it('filters lists by label selector and field selector; invalid selectors are 400', async () => {
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('sel-a', { tier: 'gold', zone: 'a' }));
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('sel-b', { tier: 'silver', zone: 'b' }));
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('sel-c', { zone: 'c' }));
    const names = async (q: string) => ((await s.req('GET', `${BASE}/clusters?${q}`)).body.items as any[]).map((o) => o.metadata.name).filter((n: string) => n.startsWith('sel-')).sort();
    expect(await names('labelSelector=tier%3Dgold')).toEqual(['sel-a']);
    expect(await names(`labelSelector=${encodeURIComponent('tier in (gold,silver)')}`)).toEqual(['sel-a', 'sel-b']);
    expect(await names(`labelSelector=${encodeURIComponent('zone,!tier')}`)).toEqual(['sel-c']);
    expect(await names('fieldSelector=metadata.name%3Dsel-b')).toEqual(['sel-b']);
    const bad = await s.req('GET', `${BASE}/clusters?labelSelector=${encodeURIComponent('tier in gold')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.details.causes[0].field).toBe('labelSelector');
  });
});

describe('URL and body must agree', () => {
  it('fills the namespace from the URL and rejects mismatched namespace, name and kind with 400', async () => {
    const wl = fixtures.workload('ns-fill', 'team-b');
    const { metadata, ...rest } = wl;
    const filled = await s.req('POST', `${BASE}/namespaces/team-b/workloads`, { ...rest, metadata: { name: metadata.name } });
    expect(filled.body.metadata.namespace).toBe('team-b');
    const ns = await s.req('POST', `${BASE}/namespaces/team-c/workloads`, fixtures.workload('x', 'team-b'));
    expect(ns.status).toBe(400);
    expect(ns.body.details.causes[0].field).toBe('metadata.namespace');
    const name = await s.req('PUT', `${BASE}/namespaces/team-b/workloads/ns-fill`, { ...filled.body, metadata: { ...filled.body.metadata, name: 'other' } });
    expect(name.status).toBe(400);
    expect(name.body.details.causes[0].field).toBe('metadata.name');
    const kind = await s.req('POST', `${BASE}/clusters`, fixtures.policy('k'));
    expect(kind.status).toBe(400);
    expect(kind.body.details.causes[0].field).toBe('kind');
  });

  it('answers 405 for creating without a namespace and 404 for addresses that do not exist', async () => {
    const r = await s.req('POST', `${BASE}/workloads`, fixtures.workload());
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    expect((await s.req('GET', `${BASE}/namespaces/a/clusters`)).status).toBe(404);
    expect((await s.req('GET', `${BASE}/widgets`)).status).toBe(404);
  });
});

describe('dryRun=All', () => {
  it('returns the result of create, update and delete without writing anything', async () => {
    const before = await s.snapshot();
    const r = await s.req('POST', `${BASE}/clusters?dryRun=All`, fixtures.cluster('dry'));
    expect(r.status).toBe(201);
    expect(r.body.metadata.name).toBe('dry');
    expect((await s.req('GET', `${BASE}/clusters/dry`)).status).toBe(404);
    expect(await s.snapshot()).toEqual(before);

    const real = (await s.req('POST', `${BASE}/clusters`, fixtures.cluster('dry2'))).body;
    const mid = await s.snapshot();
    expect((await s.req('PATCH', `${BASE}/clusters/dry2?dryRun=All`, { metadata: { labels: { x: 'y' } } })).body.metadata.labels).toEqual({ env: 'prod', x: 'y' });
    expect((await s.req('DELETE', `${BASE}/clusters/dry2?dryRun=All`)).status).toBe(200);
    expect(await s.snapshot()).toEqual(mid);
    expect((await s.req('GET', `${BASE}/clusters/dry2`)).body).toEqual(real);
    expect((await s.req('POST', `${BASE}/clusters?dryRun=true`, fixtures.cluster('dry3'))).status).toBe(400);
  });
});
