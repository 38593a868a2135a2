// Every bad input of the issue at the HTTP level: a 4xx Status whose causes name the file,
// document index and field, the store revision and audit chain exactly unchanged, and a server
// that survives malformed bodies, huge bodies, slow clients, garbage HTTP and its own bugs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../api/index.js';
import { BASE, fixtures, rawRequest, startTestServer, type TestServer } from './testing/harness.js';

let s: TestServer;
const logged: unknown[] = [];
beforeAll(async () => {
  s = await startTestServer({
    headersTimeoutMs: 300,
    requestTimeoutMs: 600,
    log: (_m, err) => logged.push(err),
    views: [
      {
        method: 'GET',
        path: '/api/v1alpha1/boom',
        name: 'boom',
        handler: async () => {
          throw new Error('secret internals at /srv/boom.ts:42');
        },
      },
    ],
  });
  await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.cluster('existing')] });
});
afterAll(async () => {
  await s.stop();
});

const wl = fixtures.workload();
const withSpec = (spec: Record<string, unknown>) => ({ ...wl, spec: { ...wl.spec, ...spec } });
const big = 'x'.repeat(1024 * 1024 + 10);

// [case, expected status, expected field of the cause (document 1 of apps.yaml), bad document]
const cases: [string, number, string, unknown][] = [
  ['unknown kind', 422, 'kind', { ...wl, kind: 'Gizmo' }],
  ['unknown apiVersion', 422, 'apiVersion', { ...wl, apiVersion: 'apps/v1' }],
  ['missing required field', 422, 'spec.image', { ...wl, spec: { replicas: 1 } }],
  ['wrong type', 422, 'spec.replicas', withSpec({ replicas: 'two' })],
  ['negative replicas', 422, 'spec.replicas', withSpec({ replicas: -1 })],
  ['fractional replicas', 422, 'spec.replicas', withSpec({ replicas: 1.5 })],
  ['invalid quantity', 422, 'spec.resources.cpu', withSpec({ resources: { cpu: '12x' } })],
  ['unknown region without residency', 422, 'spec.region', { ...fixtures.cluster('mars'), spec: { ...fixtures.cluster().spec, region: 'mars-north-1' } }],
  ['name not DNS-1123', 422, 'metadata.name', { ...wl, metadata: { ...wl.metadata, name: 'Payments_API' } }],
  ['duplicate object', 422, 'metadata.name', fixtures.cluster('dup')],
  ['document over 1 MiB', 422, '', { ...wl, metadata: { ...wl.metadata, annotations: { big } } }],
  ['resourceVersion conflict', 409, 'metadata.resourceVersion', { ...fixtures.cluster('existing'), metadata: { name: 'existing', labels: {}, resourceVersion: '999' } }],
];

describe('bad documents in an apply', () => {
  it.each(cases)('%s: %i Status naming apps.yaml document 1 %s, nothing written', async (_name, status, field, doc) => {
    const before = await s.snapshot();
    const first = _name === 'duplicate object' ? fixtures.cluster('dup') : fixtures.cluster('would-be-created');
    const r = await s.req('POST', '/api/v1alpha1/apply', { items: [first, doc], sources: [{ file: 'apps.yaml', document: 0 }, { file: 'apps.yaml', document: 1 }] });
    expect(r.status).toBe(status);
    expect(r.body.kind).toBe('Status');
    const causeFields = (r.body.details.causes as { field: string }[]).map((c) => c.field);
    expect(causeFields).toContain(field ? `apps.yaml: document 1: ${field}` : 'apps.yaml: document 1');
    expect(r.body.message).toBeTruthy();
    expect(await s.snapshot()).toEqual(before);
  });
});

describe('bad request bodies', () => {
  const post = (body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${s.url}/api/v1alpha1/apply`, { method: 'POST', body, headers }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  it.each([
    ['invalid JSON', '{"items": [', 400, /not valid JSON/],
    ['binary / non-UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x00, 0x7d]), 400, /not valid UTF-8/],
    ['empty body', '', 400, /empty/],
    ['no items', '{"items": []}', 400, /nothing to apply/],
    ['items not an array', '{"items": {}}', 400, /items/],
    ['a JSON array instead of the envelope', '[]', 400, /JSON object/],
  ] as const)('%s is a 4xx Status and writes nothing', async (_n, body, status, message) => {
    const before = await s.snapshot();
    const r = await post(body as string);
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ kind: 'Status', code: status });
    expect(r.body.message).toMatch(message);
    expect(await s.snapshot()).toEqual(before);
  });

  it('wrong or missing content type → 415', async () => {
    expect((await post('{"items":[]}', { 'content-type': 'text/yaml' })).status).toBe(415);
    expect((await post('items: []', { 'content-type': 'application/x-www-form-urlencoded' })).body.reason).toBe('UnsupportedMediaType');
    expect((await post('{"items":[]}', { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
  });

  it('unknown path → 404, wrong method → 405 with Allow, bad query parameters → 400', async () => {
    expect((await s.req('GET', '/no/such/thing')).body).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound' });
    const m = await s.req('GET', '/api/v1alpha1/apply');
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('POST');
    expect((await fetch(`${s.url}/healthz`, { method: 'OPTIONS' })).status).toBe(405);
    expect((await s.req('GET', `${BASE}/clusters?labelSelector=${encodeURIComponent('a in (')}`)).status).toBe(400);
    expect((await s.req('GET', `${BASE}/clusters?watch=true&resourceVersion=-5`)).status).toBe(400);
    expect((await s.req('GET', '/api/v1alpha1/audit?limit=lots')).status).toBe(400);
    expect((await s.req('GET', '/healthz', undefined, { 'x-remote-user': 'bad user!' })).status).toBe(200); // public: never refused
    expect((await s.req('GET', `${BASE}/clusters`, undefined, { 'x-remote-user': 'bad user!' })).status).toBe(400);
  });

  it('name or namespace in the body differing from the URL → 400', async () => {
    const r = await s.req('PUT', `${BASE}/clusters/existing`, { apiVersion: API_VERSION, kind: 'Cluster', metadata: { name: 'other' }, spec: fixtures.cluster().spec });
    expect(r.status).toBe(400);
    expect(r.body.details.causes[0]).toMatchObject({ field: 'metadata.name' });
  });
});

describe('hostile connections', () => {
  it('answers 413 to a declared huge body without reading it, and closes the connection', async () => {
    const r = await rawRequest(s.url, [`POST /api/v1alpha1/apply HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${500 * 1024 * 1024}\r\n\r\n`, '{"items":[']);
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.text).toContain('"reason":"RequestEntityTooLarge"');
    expect(r.closed).toBe(true);
  });

  it('stops reading a chunked body at the limit with 413', async () => {
    const chunk = 'a'.repeat(64 * 1024);
    const chunks = [`POST ${BASE}/clusters HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`];
    for (let i = 0; i < 60; i++) chunks.push(`${(chunk.length).toString(16)}\r\n${chunk}\r\n`);
    const r = await rawRequest(s.url, chunks);
    expect(r.text).toMatch(/^HTTP\/1\.1 413 /);
    expect(r.closed).toBe(true);
  });

  it('times out a client that never finishes its headers (408) and one that never finishes its body', async () => {
    const headers = await rawRequest(s.url, ['GET /healthz HTTP/1.1\r\nHost: x\r\n']);
    expect(headers.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(headers.closed).toBe(true);
    const body = await rawRequest(s.url, ['POST /api/v1alpha1/apply HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"items"']);
    expect(body.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(body.closed).toBe(true);
  });

  it('answers garbage that is not HTTP with 400 and closes', async () => {
    const r = await rawRequest(s.url, ['\x00\x01\x02 NOT HTTP AT ALL\r\n\r\n']);
    expect(r.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(r.closed).toBe(true);
  });

  it('turns an exception inside a handler into a 500 without internals, logs it, and keeps serving', async () => {
    const r = await s.req('GET', '/api/v1alpha1/boom');
    expect(r.status).toBe(500);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'InternalError', message: 'internal error' });
    expect(JSON.stringify(r.body)).not.toMatch(/secret|boom\.ts|at /);
    expect(logged.some((e) => e instanceof Error && e.message.startsWith('secret internals'))).toBe(true);
    expect((await s.req('GET', '/healthz')).body).toBe('ok');
    expect((await s.req('GET', `${BASE}/clusters/existing`)).status).toBe(200);
  });
});
