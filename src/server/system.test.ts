// Non-resource endpoints over real HTTP: health, readiness, metrics, discovery, version,
// regions, the audit views, token authentication and views registered by other components.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KINDS, REGIONS } from '../api/index.js';
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

describe('health and metrics', () => {
  it('serves /healthz and /readyz, and /metrics with request counts, latency, watches and store revision', async () => {
    const s = await server({ processMetrics: true });
    expect(await s.req('GET', '/healthz')).toMatchObject({ status: 200, body: 'ok' });
    expect(await s.req('GET', '/readyz')).toMatchObject({ status: 200, body: 'ok' });
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster());
    await s.req('GET', `${BASE}/clusters`);
    await s.req('GET', `${BASE}/clusters/nope`);
    await s.req('GET', '/does-not-exist');
    const m = await s.req('GET', '/metrics');
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = m.body as string;
    expect(text).toContain('truststram_apiserver_requests_total{verb="create",resource="clusters",code="201"} 1');
    expect(text).toContain('truststram_apiserver_requests_total{verb="list",resource="clusters",code="200"} 1');
    expect(text).toContain('truststram_apiserver_requests_total{verb="get",resource="clusters",code="404"} 1');
    expect(text).toContain('truststram_apiserver_requests_total{verb="get",resource="unknown",code="404"} 1');
    // The +Inf bucket holds every request whatever the machine's load.
    expect(text).toMatch(/truststram_apiserver_request_duration_seconds_bucket\{le="\+Inf",verb="create",resource="clusters"\} 1/);
    expect(text).toContain('truststram_apiserver_watches_in_flight 0');
    expect(text).toContain(`truststram_store_revision ${await s.store.revision()}`);
    expect(text).toContain('truststram_process_cpu_user_seconds_total');
  });

  it('reports not ready (503) once the store is gone', async () => {
    const s = await server();
    await s.store.close();
    const r = await s.req('GET', '/readyz');
    expect(r.status).toBe(503);
    expect(r.body.reason).toBe('ServiceUnavailable');
  });
});

describe('discovery, version, regions', () => {
  it('describes every kind with scope, verbs and short names, as kubectl discovery expects', async () => {
    const s = await server();
    expect((await s.req('GET', '/apis')).body.groups[0]).toMatchObject({ name: 'truststram.io', preferredVersion: { groupVersion: 'truststram.io/v1alpha1' } });
    const list = (await s.req('GET', BASE)).body;
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'truststram.io/v1alpha1' });
    for (const k of KINDS) {
      expect(list.resources).toContainEqual(expect.objectContaining({ name: k.plural, kind: k.kind, namespaced: k.namespaced, verbs: expect.arrayContaining(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']) }));
      expect(list.resources).toContainEqual(expect.objectContaining({ name: `${k.plural}/status`, verbs: ['get', 'patch', 'update'] }));
    }
    expect((await s.req('GET', '/version')).body).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), apiVersion: 'truststram.io/v1alpha1' });
    const regions = (await s.req('GET', '/api/v1alpha1/regions?provider=gcp')).body.items;
    expect(regions.length).toBe(REGIONS.filter((r) => r.provider === 'gcp').length);
    expect(regions.length).toBeGreaterThan(0);
  });
});

describe('audit views', () => {
  it('pages the log by seq, filters by time, verifies the chain and exports it as JSON Lines', async () => {
    const s = await server();
    for (const n of ['a', 'b', 'c']) await s.req('POST', `${BASE}/clusters`, fixtures.cluster(n), { 'x-remote-user': 'alice' });
    const all = (await s.req('GET', '/api/v1alpha1/audit')).body.items;
    expect(all.map((e: any) => e.name)).toEqual(['a', 'b', 'c']);
    expect(all.every((e: any) => e.actor === 'user:alice')).toBe(true);
    expect((await s.req('GET', `/api/v1alpha1/audit?afterSeq=${all[0].seq}&limit=1`)).body.items.map((e: any) => e.name)).toEqual(['b']);
    expect((await s.req('GET', '/api/v1alpha1/audit?since=2999-01-01T00:00:00Z')).body.items).toEqual([]);
    expect((await s.req('GET', '/api/v1alpha1/audit/verify')).body).toMatchObject({ ok: true, entries: 3, headHash: all[2].hash });
    const r = await fetch(`${s.url}/api/v1alpha1/audit/export`);
    expect(r.headers.get('content-type')).toMatch(/jsonl/);
    const lines = (await r.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(all);
    for (let i = 1; i < lines.length; i++) expect(lines[i].prevHash).toBe(lines[i - 1].hash);
  });
});

describe('authentication with a token file', () => {
  it('refuses requests without a valid token (401) except health probes, and audits the token user', async () => {
    const dir = (await server()).dir;
    const file = join(dir, 'tokens.csv');
    await writeFile(file, 's3cret,alice,1\n');
    const s = await server({ tokenFile: file });
    const anon = await s.req('GET', `${BASE}/clusters`);
    expect(anon.status).toBe(401);
    expect(anon.body.reason).toBe('Unauthorized');
    expect(anon.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect((await s.req('GET', `${BASE}/clusters`, undefined, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await s.req('GET', '/metrics')).status).toBe(401);
    expect((await s.req('GET', '/healthz')).status).toBe(200);
    const auth = { authorization: 'Bearer s3cret', 'x-remote-user': 'mallory' };
    expect((await s.req('POST', `${BASE}/clusters`, fixtures.cluster(), auth)).status).toBe(201);
    expect((await s.store.auditLog({})).at(-1)!.actor).toBe('user:alice');
  });
});

describe('views registered by other components', () => {
  it('serves views given at start and added later through route(), refusing duplicates', async () => {
    const s = await server({
      views: [{ method: 'GET', path: '/api/v1alpha1/explain/:namespace/:name', name: 'explain', handler: async (ctx) => ({ body: { for: `${ctx.params.namespace}/${ctx.params.name}`, actor: ctx.actor } }) }],
    });
    expect((await s.req('GET', '/api/v1alpha1/explain/team-a/payments')).body).toEqual({ for: 'team-a/payments', actor: 'anonymous' });
    s.route({ method: 'POST', path: '/api/v1alpha1/cost', name: 'cost', handler: async (ctx) => ({ status: 202, body: (await ctx.readJson()).value }) });
    expect(await s.req('POST', '/api/v1alpha1/cost', { a: 1 })).toMatchObject({ status: 202, body: { a: 1 } });
    expect((await s.req('POST', '/api/v1alpha1/cost', 'nope{')).status).toBe(400);
    expect(() => s.route({ method: 'POST', path: '/api/v1alpha1/apply', name: 'x', handler: async () => ({ body: 1 }) })).toThrow(/duplicate/);
  });
});
