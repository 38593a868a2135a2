// Hostile but size-limited input over real HTTP: deep nesting, malformed DeleteOptions, absurd
// values, misleading errors. Each answer is a 4xx Status naming the field or limit, and the
// store revision and audit chain stay exactly as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NESTING_DEPTH, MAX_QUANTITY } from '../api/index.js';
import { BASE, fixtures, startTestServer, type TestServer } from './testing/harness.js';

let s: TestServer;
const logged: unknown[] = [];
beforeAll(async () => {
  s = await startTestServer({ log: (_m, err) => logged.push(err) });
  const r = await s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.cluster('existing'), fixtures.budget('scratch'), fixtures.workload()] });
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await s.stop();
});

/** `{"a":{"a":…1…}}` nested `depth` levels: ~5 bytes a level, so 10000 levels is ~60 KB. */
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const raw = (method: string, path: string, body: string, contentType = 'application/json') =>
  fetch(s.url + path, { method, body, headers: { 'content-type': contentType } }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

/** Runs `f`, then checks the answer is a `code` Status and that nothing was written. */
async function refused(code: number, f: () => Promise<{ status: number; body: any }>) {
  const before = await s.snapshot();
  const r = await f();
  expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(code);
  expect(r.body).toMatchObject({ kind: 'Status', code });
  expect(await s.snapshot()).toEqual(before);
  return r.body as { message: string; details: { causes: { field: string; message: string }[] } };
}

describe('deeply nested bodies', () => {
  const budget = (spec: string) => `{"apiVersion":"truststram.io/v1alpha1","kind":"Budget","metadata":{"name":"scratch"},"spec":${spec}}`;
  const endpoints: [string, string, (depth: number) => string, string?][] = [
    ['POST a collection', `${BASE}/budgets`, nested],
    ['PUT an object', `${BASE}/budgets/scratch`, (d) => budget(nested(d))],
    ['PUT /status', `${BASE}/budgets/scratch/status`, (d) => budget(`{},"status":${nested(d)}`)],
    ['PATCH (merge patch)', `${BASE}/budgets/scratch`, (d) => `{"spec":${nested(d)}}`, 'application/merge-patch+json'],
    ['apply', '/api/v1alpha1/apply', (d) => `{"items":[${nested(d)}]}`],
    ['plan', '/api/v1alpha1/plan', (d) => `{"items":[${nested(d)}]}`],
    ['delete many', '/api/v1alpha1/delete', (d) => `{"refs":[${nested(d)}]}`],
  ];
  it.each(endpoints)('%s: 10000 levels is a 400 naming the limit, not a stack overflow', async (_n, path, body, ct) => {
    const method = _n.startsWith('PUT') ? 'PUT' : _n.startsWith('PATCH') ? 'PATCH' : 'POST';
    for (const depth of [MAX_NESTING_DEPTH + 1, 3000, 10_000]) {
      const st = await refused(400, () => raw(method, path, body(depth), ct));
      expect(st.message).toContain(`more than ${MAX_NESTING_DEPTH} levels`);
    }
    expect(logged).toEqual([]);
  });

  it('DELETE with a deeply nested DeleteOptions body is refused and deletes nothing', async () => {
    const st = await refused(400, () => raw('DELETE', `${BASE}/budgets/scratch`, nested(10_000)));
    expect(st.message).toContain(`${MAX_NESTING_DEPTH} levels`);
  });

  it('brackets inside strings do not count, and the limit itself is accepted', async () => {
    const deepest = JSON.parse(nested(MAX_NESTING_DEPTH - 2)) as unknown; // body, status, then exactly up to the limit
    const r = await s.req('PUT', `${BASE}/budgets/scratch/status`, { ...fixtures.budget('scratch'), status: { deep: deepest, text: '[[[[{{{{'.repeat(100) } });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
  });
});

describe('DeleteOptions bodies', () => {
  const del = (body: string) => raw('DELETE', `${BASE}/budgets/scratch`, body);
  it.each([
    ['dryRun as a string', '{"dryRun":"yes"}', 'dryRun'],
    ['dryRun with an unknown value', '{"dryRun":["Some"]}', 'dryRun'],
    ['preconditions as a string', '{"preconditions":"x"}', 'preconditions'],
    ['preconditions.resourceVersion as a number', '{"preconditions":{"resourceVersion":5}}', 'preconditions.resourceVersion'],
    ['preconditions.resourceVersion not decimal', '{"preconditions":{"resourceVersion":"abc"}}', 'preconditions.resourceVersion'],
    ['preconditions.uid as a number', '{"preconditions":{"uid":7}}', 'preconditions.uid'],
    ['gracePeriodSeconds negative', '{"gracePeriodSeconds":-1}', 'gracePeriodSeconds'],
    ['propagationPolicy unknown', '{"propagationPolicy":"Everything"}', 'propagationPolicy'],
    ['kind of another object', '{"kind":"Budget"}', 'kind'],
  ])('%s: 400 naming the field, nothing deleted', async (_n, body, field) => {
    const st = await refused(400, () => del(body));
    expect(st.details.causes.map((c) => c.field)).toEqual([field]);
    expect((await s.req('GET', `${BASE}/budgets/scratch`)).status).toBe(200);
  });

  it.each([['a JSON array', '[1]'], ['a JSON string', '"x"'], ['null', 'null']])('%s as the body: 400, nothing deleted', async (_n, body) => {
    const st = await refused(400, () => del(body));
    expect(st.message).toMatch(/DeleteOptions object/);
    expect((await s.req('GET', `${BASE}/budgets/scratch`)).status).toBe(200);
  });

  it('a uid precondition that does not match is a 409; valid DeleteOptions still delete', async () => {
    const before = await s.req('GET', `${BASE}/budgets/scratch`);
    await refused(409, () => del('{"preconditions":{"uid":"not-this-one"}}'));
    const dry = await raw('DELETE', `${BASE}/budgets/scratch`, '{"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"],"propagationPolicy":"Background"}');
    expect(dry.status).toBe(200);
    expect((await s.req('GET', `${BASE}/budgets/scratch`)).status).toBe(200);
    const gone = await raw('DELETE', `${BASE}/budgets/scratch`, JSON.stringify({ preconditions: { uid: before.body.metadata.uid, resourceVersion: before.body.metadata.resourceVersion } }));
    expect(gone.status).toBe(200);
    expect((await s.req('GET', `${BASE}/budgets/scratch`)).status).toBe(404);
    expect((await s.req('POST', `${BASE}/budgets`, fixtures.budget('scratch'))).status).toBe(201);
  });
});

describe('errors that say what is wrong', () => {
  const apply = (doc: unknown, extra: Record<string, unknown> = {}) => s.req('POST', '/api/v1alpha1/apply', { items: [doc], ...extra });
  const wl = fixtures.workload();
  const spec = (x: Record<string, unknown>) => ({ ...wl, spec: { ...wl.spec, ...x } });

  it('a resourceVersion that is not a number is invalid input, not a conflict', async () => {
    const st = await refused(422, () => apply({ ...fixtures.cluster('existing'), metadata: { name: 'existing', resourceVersion: 'abc' } }));
    expect(st.details.causes[0]).toMatchObject({ field: expect.stringContaining('metadata.resourceVersion'), message: expect.stringContaining('decimal revision') });
    const put = await refused(422, () => s.req('PUT', `${BASE}/clusters/existing`, { ...fixtures.cluster('existing'), metadata: { name: 'existing', resourceVersion: '12abc' } }));
    expect(put.message).toContain('metadata.resourceVersion');
  });

  it('replicas of 1e308 is out of range and says the maximum', async () => {
    const st = await refused(422, () => apply(spec({ replicas: 1e308 })));
    expect(st.details.causes[0]!.message).toMatch(/out of range.*2147483647/);
    expect(st.details.causes[0]!.message).not.toMatch(/fraction/);
    expect((await apply(spec({ replicas: 1.5 }))).body.details.causes[0].message).toMatch(/fraction/);
  });

  it.each([
    ['an encoded slash', '..%2Fx'],
    ['upper case', 'Team-A'],
    ['a dot', 'a.b'],
  ])('a namespace with %s in the path is a 400 "invalid namespace"', async (_n, ns) => {
    for (const method of ['GET', 'POST'] as const) {
      const st = await refused(400, () => s.req(method, `${BASE}/namespaces/${ns}/workloads`, method === 'POST' ? wl : undefined));
      expect(st.message).toContain('invalid namespace');
      expect(st.details.causes[0]!.field).toBe('namespace');
    }
    await refused(400, () => s.req('GET', `${BASE}/namespaces/${ns}/workloads/payments`));
  });
});

describe('absurd values', () => {
  const wl = fixtures.workload();
  const apply = (doc: unknown) => s.req('POST', '/api/v1alpha1/apply', { items: [doc] });
  const cases: [string, unknown, string, RegExp][] = [
    ['memory of 99999999999999999999Ei', { ...wl, spec: { ...wl.spec, resources: { cpu: '1', memory: '99999999999999999999Ei' } } }, 'spec.resources.memory', /out of range/],
    ['memory past 2^53 bytes', { ...wl, spec: { ...wl.spec, resources: { cpu: '1', memory: '8Ei' } } }, 'spec.resources.memory', new RegExp(String(MAX_QUANTITY))],
    ['memory as a huge JSON number', { ...wl, spec: { ...wl.spec, resources: { cpu: '1', memory: 1e300 } } }, 'spec.resources.memory', /out of range/],
    ['cpu of 1e400', { ...wl, spec: { ...wl.spec, resources: { cpu: '1e400' } } }, 'spec.resources.cpu', /out of range/],
    ['cpu past 2^53 millicores', { ...wl, spec: { ...wl.spec, resources: { cpu: '10T' } } }, 'spec.resources.cpu', /out of range.*cores/],
    ['cluster capacity cpu past 2^53 millicores', { ...fixtures.cluster('huge'), spec: { ...fixtures.cluster().spec, capacity: { cpu: '1E', memory: '1Gi' } } }, 'spec.capacity.cpu', /out of range/],
    ['healthCheck.interval of 99999999999999h', { ...wl, spec: { ...wl.spec, healthCheck: { interval: '99999999999999h' } } }, 'spec.healthCheck.interval', /out of range: must be at most 24h/],
    ['healthCheck.timeout of 2d', { ...wl, spec: { ...wl.spec, healthCheck: { timeout: '2d' } } }, 'spec.healthCheck.timeout', /at most 24h/],
    ['an rpo of a thousand digits', { ...wl, spec: { ...wl.spec, availability: { rpo: `${'9'.repeat(1000)}s` } } }, 'spec.availability.rpo', /at most 365d/],
  ];
  it.each(cases)('%s is a 422 naming the field', async (_n, doc, field, message) => {
    const st = await refused(422, () => apply(doc));
    const cause = st.details.causes.find((c) => c.field.endsWith(field));
    expect(cause, JSON.stringify(st.details.causes)).toBeDefined();
    expect(cause!.message).toMatch(message);
  });

  it('sane values at the edges are still accepted', async () => {
    const ok = { ...wl, metadata: { ...wl.metadata, name: 'edges' }, spec: { ...wl.spec, resources: { cpu: '9007199254740', memory: '7Pi' }, healthCheck: { interval: '24h', timeout: '1h' }, availability: { rpo: '365d' } } };
    const r = await s.req('POST', '/api/v1alpha1/plan', { items: [ok] });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
  });

  it.each([
    ['sources[0].file', [{ file: 123, document: 0 }]],
    ['sources[0].document', [{ file: 'a.yaml', document: -1 }]],
    ['sources[0].document', [{ file: 'a.yaml', document: 'x' }]],
    ['sources[0]', ['a.yaml']],
  ])('apply with a malformed source is a 400 naming %s', async (field, sources) => {
    const st = await refused(400, () => s.req('POST', '/api/v1alpha1/apply', { items: [fixtures.budget('from-sources')], sources }));
    expect(st.details.causes[0]!.field).toBe(field);
  });

  it('a million bad items get a short Status, not a cause each', async () => {
    const body = `{"items":[${Array(1_000_000).fill('1').join(',')}]}`;
    const st = await refused(422, () => raw('POST', '/api/v1alpha1/apply', body));
    expect(st.details.causes.length).toBeLessThanOrEqual(101);
    expect(st.details.causes.at(-1)!.message).toMatch(/not (validated|listed)/);
  });
});
