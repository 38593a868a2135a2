// The gateway over real HTTP: routing by host and prefix, placement weights, locality,
// header handling, streaming large bodies both ways, unknown hosts, metrics and the access log.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type RunningGateway } from './gateway.js';
import type { GatewayOptions } from './options.js';
import { manualSource, staticSource, type RouteInputs } from './sources.js';
import { testBackends } from './testing/backends.js';
import { rawRequest } from './testing/raw-request.js';
import { cluster, placement, workload } from './testing/fixtures.js';

const { cleanups, backends } = testBackends();
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function gateway(inputs: RouteInputs, opts: Partial<GatewayOptions> = {}): Promise<RunningGateway> {
  const gw = await startGateway({ listen: '127.0.0.1:0', source: staticSource(inputs), log: () => {}, ...opts });
  cleanups.push(() => gw.close());
  return gw;
}

async function get(gw: RunningGateway, host: string, path = '/', headers: Record<string, string> = {}) {
  const r = await request(`${gw.url}${path}`, { headers: { host, ...headers } });
  const text = await r.body.text();
  return { status: r.statusCode, headers: r.headers, text, json: () => JSON.parse(text) as { backend: string; url: string; headers: Record<string, string> } };
}

describe('routing', () => {
  it('routes by host and path prefix and names the serving cluster and replica', async () => {
    const [shop, api] = await backends('shop', 'api');
    const gw = await gateway({
      workloads: [workload({ name: 'shop', host: 'shop.example' }), workload({ name: 'api', host: 'shop.example', pathPrefix: '/api' })],
      placements: [],
      clusters: [cluster({ name: 'aws-eu', region: 'eu-west-1', workloads: { 'default/shop': [{ endpoint: shop!.address, name: 'shop-1' }], 'default/api': [{ endpoint: api!.address }] } })],
    });
    const a = await get(gw, 'shop.example', '/api/orders?x=1');
    expect(a.json()).toMatchObject({ backend: 'api', url: '/api/orders?x=1' });
    const s = await get(gw, 'shop.example:7480', '/apix');
    expect(s.json().backend).toBe('shop');
    expect(s.headers['x-truststram-cluster']).toBe('aws-eu');
    expect(s.headers['x-truststram-replica']).toBe('shop-1');
    const none = await get(gw, 'nope.example');
    expect(none.status).toBe(404);
    expect(none.headers['x-truststram-reason']).toBe('no_route');
    expect(none.text).toContain('nope.example');
  });

  it('splits traffic by placement weight', async () => {
    const [a, b] = await backends('a', 'b');
    const gw = await gateway({
      workloads: [workload({ name: 'w', host: 'w' })],
      placements: [placement('w', { c1: 3, c2: 1 })],
      clusters: [
        cluster({ name: 'c1', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: a!.address }] } }),
        cluster({ name: 'c2', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: b!.address }] } }),
      ],
    });
    const counts = { c1: 0, c2: 0 } as Record<string, number>;
    for (let i = 0; i < 400; i++) counts[(await get(gw, 'w')).headers['x-truststram-cluster'] as string]!++;
    // Expected 300/100; the bounds are ~7 standard deviations wide.
    expect(counts.c1).toBeGreaterThan(240);
    expect(counts.c2).toBeGreaterThan(40);
  });

  it('prefers the same region, then the same jurisdiction, for locality routes', async () => {
    const [dublin, frankfurt, virginia] = await backends('dublin', 'frankfurt', 'virginia');
    const src = manualSource();
    const inputs = (withDublin: boolean): RouteInputs => ({
      workloads: [workload({ name: 'w', host: 'w', routing: 'locality' })],
      placements: [placement('w', { dub: 1, fra: 1, iad: 5 })],
      clusters: [
        cluster({ name: 'dub', region: 'eu-west-1', workloads: withDublin ? { 'default/w': [{ endpoint: dublin!.address }] } : {} }),
        cluster({ name: 'fra', region: 'eu-central-1', workloads: { 'default/w': [{ endpoint: frankfurt!.address }] } }),
        cluster({ name: 'iad', region: 'us-east-1', workloads: { 'default/w': [{ endpoint: virginia!.address }] } }),
      ],
    });
    src.set(inputs(true));
    const gw = await startGateway({ listen: '127.0.0.1:0', source: src, region: 'eu-west-1', log: () => {} });
    cleanups.push(() => gw.close());
    for (let i = 0; i < 20; i++) expect((await get(gw, 'w')).json().backend).toBe('dublin');
    src.set(inputs(false));
    for (let i = 0; i < 20; i++) expect((await get(gw, 'w')).json().backend).toBe('frankfurt');
  });
});

describe('HTTP semantics', () => {
  it('removes hop-by-hop headers both ways and adds X-Forwarded-*', async () => {
    const [b] = await backends('b');
    b!.handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', connection: 'x-secret-hop, keep-alive', 'x-secret-hop': 'no', 'keep-alive': 'timeout=5', 'x-end-to-end': 'yes' });
      res.end(JSON.stringify(req.headers));
    };
    const gw = await gateway({ workloads: [workload({ name: 'w', host: 'w.example' })], placements: [], clusters: [cluster({ name: 'c', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: b!.address }] } })] });
    const { port } = new URL(gw.url);
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/', headers: { host: 'w.example', connection: 'keep-alive, x-private', 'x-private': 'drop-me', 'proxy-authorization': 'Basic x', te: 'trailers', 'x-forwarded-for': '10.0.0.1', 'x-keep': 'kept' } },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const up = JSON.parse(body) as Record<string, string>;
    expect(up['x-private']).toBeUndefined();
    expect(up['proxy-authorization']).toBeUndefined();
    expect(up.te).toBeUndefined();
    expect(up['x-keep']).toBe('kept');
    expect(up.host).toBe('w.example');
    expect(up['x-forwarded-for']).toBe('10.0.0.1, 127.0.0.1');
    expect(up['x-forwarded-proto']).toBe('http');
    expect(up['x-forwarded-host']).toBe('w.example');
    expect(headers['x-secret-hop']).toBeUndefined();
    expect(headers['x-end-to-end']).toBe('yes');
    expect(headers['x-truststram-cluster']).toBe('c');
  });

  it('streams a large request body up and a large response body down without changing a byte', async () => {
    const [b] = await backends('b');
    const size = 32 * 1024 * 1024;
    b!.handler = (req, res) => {
      if (req.method === 'POST') {
        const h = createHash('sha256');
        let n = 0;
        req.on('data', (d: Buffer) => {
          n += d.length;
          h.update(d);
        });
        req.on('end', () => res.end(JSON.stringify({ bytes: n, sha: h.digest('hex') })));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const gw = await gateway({ workloads: [workload({ name: 'w', host: 'w' })], placements: [], clusters: [cluster({ name: 'c', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: b!.address }] } })] });
    const up = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) up[i] = i % 251;
    async function* body() {
      for (let i = 0; i < size; i += 1024 * 1024) yield up.subarray(i, i + 1024 * 1024);
    }
    const r = await request(`${gw.url}/upload`, { method: 'POST', headers: { host: 'w' }, body: Readable.from(body()) });
    expect(await r.body.json()).toEqual({ bytes: size, sha: createHash('sha256').update(up).digest('hex') });
    const d = await request(`${gw.url}/download`, { headers: { host: 'w' } });
    const h = createHash('sha256');
    let n = 0;
    for await (const c of d.body) {
      n += (c as Buffer).length;
      h.update(c as Buffer);
    }
    expect(n).toBe(size);
    expect(h.digest('hex')).toBe(createHash('sha256').update(Buffer.alloc(size, 7)).digest('hex'));
  });

  it('serves per-route metrics, the SLO error budget and the recent-requests ring on the admin path', async () => {
    const [b] = await backends('b');
    const gw = await gateway(
      { workloads: [workload({ name: 'w', host: 'w', slo: 0.99, residency: ['eu'] })], placements: [], clusters: [cluster({ name: 'c', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: b!.address }] } })] },
      { adminListen: '127.0.0.2:0' },
    );
    for (let i = 0; i < 9; i++) await get(gw, 'w');
    b!.mode = { kind: 'status', status: 500 };
    await get(gw, 'w');
    const text = await (await request(`${gw.url}/_truststram/metrics`)).body.text();
    expect(text).toMatch(/truststram_gateway_requests_total\{route="default\/w",cluster="c",code="2xx"\} 9/);
    expect(text).toMatch(/truststram_gateway_requests_total\{route="default\/w",cluster="c",code="5xx"\} 1/);
    expect(text).toMatch(/truststram_gateway_request_duration_seconds_count\{route="default\/w"\} 10/);
    // 1 failure out of 10 against a 1% budget of 0.1 requests: overspent ten times.
    expect(gw.metrics.snapshot().routes).toEqual([{ route: 'default/w', slo: 0.99, total: 10, failed: 1, availability: 0.9, errorBudgetRemaining: expect.closeTo(-9, 6) }]);
    // The admin listener is where it was asked to be, not on the proxy's address.
    expect(gw.adminUrl).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    const recent = (await (await request(`${gw.adminUrl}/recent`)).body.json()) as { entries: { cluster: string; jurisdiction: string; status: number }[]; residencyViolations: number };
    expect(recent.entries).toHaveLength(10);
    expect(recent.entries[9]).toMatchObject({ cluster: 'c', jurisdiction: 'eu', status: 500 });
    expect(recent.residencyViolations).toBe(0);
  });
});

const raw = (gw: RunningGateway, data: string, waitMs?: number) => rawRequest(gw.port, data, waitMs);

describe('request targets and slow clients', () => {
  const inputs = (address: string): RouteInputs => ({
    workloads: [workload({ name: 'shop', host: 'shop.example' }), workload({ name: 'api', host: 'api.example' })],
    placements: [],
    clusters: [cluster({ name: 'aws-eu', region: 'eu-west-1', workloads: { 'default/shop': [{ endpoint: address, name: 'shop-1' }], 'default/api': [{ endpoint: address, name: 'api-1' }] } })],
  });

  it('refuses two Host headers and the asterisk form with 400, without touching the endpoint', async () => {
    const [shop] = await backends('shop');
    const gw = await gateway(inputs(shop!.address));
    const two = await raw(gw, 'GET / HTTP/1.1\r\nHost: shop.example\r\nHost: api.example\r\nConnection: close\r\n\r\n');
    expect(two.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(two.text).toContain('x-truststram-reason: bad_request');
    expect(two.text).toContain('more than one Host header');
    for (const method of ['GET', 'OPTIONS']) {
      const star = await raw(gw, `${method} * HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n`);
      expect(star.text).toMatch(/^HTTP\/1\.1 400 /);
      expect(star.text).toContain('asterisk-form');
    }
    // None of them reached the endpoint or counted against it: it is neither ejected nor errored.
    expect(gw.endpoints().every((e) => e.healthy && !e.ejected)).toBe(true);
    expect((await get(gw, 'shop.example')).status).toBe(200);
  });

  it('routes an absolute-form target by its authority and forwards it in origin form', async () => {
    const [shop] = await backends('shop');
    const gw = await gateway(inputs(shop!.address));
    const r = await raw(gw, 'GET http://api.example/orders?id=7 HTTP/1.1\r\nHost: API.example\r\nConnection: close\r\n\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(r.text).toContain('x-truststram-replica: api-1');
    const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as { url: string; headers: Record<string, string> };
    expect(body.url).toBe('/orders?id=7');
    expect(body.headers.host).toBe('api.example');
    // A Host naming another authority is refused (as HAProxy does), and so is user info.
    const other = await raw(gw, 'GET http://api.example/ HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n');
    expect(other.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(other.text).toContain('does not match the target');
    const bad = await raw(gw, 'GET http://user:pw@api.example/ HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n');
    expect(bad.text).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('answers 408 and closes when a client does not finish its headers in time, or sends nothing', async () => {
    const [shop] = await backends('shop');
    const gw = await gateway(inputs(shop!.address), { timeouts: { requestHeadersMs: 300 } });
    const [partial, silent] = await Promise.all([raw(gw, 'GET / HTTP/1.1\r\nHost: shop.example\r\n', 5000), raw(gw, '', 5000)]);
    for (const r of [partial, silent]) {
      expect(r.closedAfterMs).toBeDefined();
      expect(r.text).toMatch(/^HTTP\/1\.1 408 /);
    }
    // A client that finishes in time is served.
    expect((await get(gw, 'shop.example')).status).toBe(200);
  });
});
