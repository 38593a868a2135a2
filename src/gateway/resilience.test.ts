// Failure handling over real HTTP and real processes: a SIGKILLed backend under a stream of GETs
// costs no client request; clean 502/503/504 with reasons; hung backends time out; retries go to
// a different endpoint and never replay a body; the circuit breaker bounds concurrency.
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type RunningGateway } from './gateway.js';
import type { GatewayOptions } from './options.js';
import { staticSource, type RouteInputs } from './sources.js';
import { startBackend, startEcho, testBackends } from './testing/backends.js';
import { cluster, workload, type ReplicaFixture } from './testing/fixtures.js';

const { cleanups, backends } = testBackends();
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** One workload `w` on host `w`, one cluster per replica (cluster = backend id). */
function inputs(reps: { id: string; address: string; ready?: boolean }[]): RouteInputs {
  return {
    workloads: [workload({ name: 'w', host: 'w' })],
    placements: [],
    clusters: reps.map((r) => cluster({ name: r.id, region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: r.address, name: `${r.id}-0`, ready: r.ready } satisfies ReplicaFixture] } })),
  };
}

async function gateway(i: RouteInputs, opts: Partial<GatewayOptions> = {}): Promise<RunningGateway> {
  const gw = await startGateway({ listen: '127.0.0.1:0', source: staticSource(i), log: () => {}, ...opts });
  cleanups.push(() => gw.close());
  return gw;
}

async function call(gw: RunningGateway, method = 'GET', body?: string) {
  const r = await request(`${gw.url}/`, { method: method as 'GET', headers: { host: 'w' }, ...(body !== undefined ? { body } : {}) });
  return { status: r.statusCode, reason: r.headers['x-truststram-reason'], cluster: r.headers['x-truststram-cluster'], text: await r.body.text() };
}

/** A port nothing listens on: a backend started and closed again. */
async function deadAddress(): Promise<string> {
  const b = await startBackend('dead');
  await b.close();
  return b.address;
}

describe('failover', () => {
  it('loses no GET when an echo.mjs replica is SIGKILLed under load, and ejects it', async () => {
    const echoes = await Promise.all([startEcho('c1', 'r1'), startEcho('c2', 'r2'), startEcho('c3', 'r3')]);
    cleanups.push(async () => void (await Promise.all(echoes.map((e) => e.kill()))));
    const gw = await gateway(inputs(echoes.map((e, i) => ({ id: `c${i + 1}`, address: e.address }))), { healthCheck: { enabled: false } });
    let stop = false;
    const statuses: number[] = [];
    const served = new Set<string>();
    const worker = async () => {
      while (!stop) {
        const r = await call(gw);
        statuses.push(r.status);
        if (r.status === 200) served.add(JSON.parse(r.text).cluster);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((r) => setTimeout(r, 200));
    await echoes[0]!.kill();
    const killedAt = statuses.length;
    // Count-based, not time-based: a loaded machine only makes this slower.
    const until = Date.now() + 30_000;
    while (statuses.length - killedAt < 300 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    stop = true;
    await Promise.all(workers);
    expect(statuses.length - killedAt).toBeGreaterThanOrEqual(300);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(served).toEqual(new Set(['c1', 'c2', 'c3']));
    expect(gw.endpoints().find((e) => e.cluster === 'c1')?.ejected).toBe(true);
    expect(gw.metrics.snapshot().ejections).toBeGreaterThanOrEqual(1);
  });

  it('takes an endpoint out by active health check when it stops answering its probe', async () => {
    const [a, b] = await backends('a', 'b');
    const gw = await gateway(inputs([a!, b!]), { healthCheck: { intervalMs: 20, timeoutMs: 50 } });
    a!.mode = { kind: 'status', status: 500 };
    const until = Date.now() + 10_000;
    while (gw.endpoints().find((e) => e.cluster === 'a')?.healthy !== false && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const hits = a!.hits;
    for (let i = 0; i < 20; i++) expect((await call(gw)).cluster).toBe('b');
    expect(a!.hits).toBe(hits);
  });

  it('retries an idempotent request that got 503 on a different endpoint', async () => {
    const [a, b] = await backends('a', 'b');
    a!.mode = { kind: 'status', status: 503 };
    const gw = await gateway(inputs([a!, b!]), { healthCheck: { enabled: false }, outlier: { consecutive5xx: 1000 } });
    for (let i = 0; i < 20; i++) expect(await call(gw)).toMatchObject({ status: 200, cluster: 'b' });
    expect(gw.metrics.snapshot().retries).toBeGreaterThan(0);
    const retried = gw.accessLog.recent().filter((e) => e.attempts > 1);
    expect(retried.length).toBe(gw.metrics.snapshot().retries);
    for (const e of retried) expect(e).toMatchObject({ tried: ['a', 'b'], cluster: 'b', status: 200 });
  });

  it('never replays a request body: a POST that got a reset is a 502, sent once', async () => {
    const [a] = await backends('a');
    a!.mode = { kind: 'reset' };
    const [b] = await backends('b');
    const gw = await gateway(inputs([a!, b!]), { healthCheck: { enabled: false }, outlier: { consecutiveGatewayErrors: 1000 } });
    let resets = 0;
    for (let i = 0; i < 10; i++) {
      const r = await call(gw, 'POST', 'payload');
      if (r.status !== 200) {
        resets++;
        expect(r).toMatchObject({ status: 502, reason: 'upstream_reset' });
      }
    }
    expect(resets).toBe(a!.hits);
    expect(b!.hits + a!.hits).toBe(10);
  });
});

describe('clean errors', () => {
  it('502 with a reason when no endpoint accepts connections', async () => {
    const gw = await gateway(inputs([{ id: 'x', address: await deadAddress() }, { id: 'y', address: await deadAddress() }]), { healthCheck: { enabled: false } });
    const r = await call(gw);
    expect(r).toMatchObject({ status: 502, reason: 'upstream_connect_error' });
    expect(r.text).toMatch(/^502 upstream_connect_error: cannot connect to [xy]/);
  });

  it('503 with a reason when nothing is ready or nothing is placed', async () => {
    const [a] = await backends('a');
    const notReady = await gateway(inputs([{ id: 'a', address: a!.address, ready: false }]));
    expect(await call(notReady)).toMatchObject({ status: 503, reason: 'no_ready_endpoint' });
    const empty = await gateway(inputs([]));
    expect(await call(empty)).toMatchObject({ status: 503, reason: 'no_endpoints' });
  });

  it('504 upstream_timeout after each try timed out on a different endpoint', async () => {
    const [a, b, c] = await backends('a', 'b', 'c');
    a!.mode = b!.mode = c!.mode = { kind: 'hang' };
    const gw = await gateway(inputs([a!, b!, c!]), { healthCheck: { enabled: false }, timeouts: { perTryMs: 100, totalMs: 10_000 } });
    const started = Date.now();
    expect(await call(gw)).toMatchObject({ status: 504, reason: 'upstream_timeout' });
    // Generous bound: the point is "does not hang", not a latency figure.
    expect(Date.now() - started).toBeLessThan(8000);
    expect([a!.hits, b!.hits, c!.hits]).toEqual([1, 1, 1]);
  });

  it('504 total_timeout when the total budget runs out before the per-try timeout', async () => {
    const [a] = await backends('a');
    a!.mode = { kind: 'hang' };
    const gw = await gateway(inputs([a!]), { healthCheck: { enabled: false }, timeouts: { perTryMs: 60_000, totalMs: 300 } });
    const started = Date.now();
    expect(await call(gw)).toMatchObject({ status: 504, reason: 'total_timeout' });
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('a POST to a hung backend ends in 504 without a retry', async () => {
    const [a, b] = await backends('a', 'b');
    a!.mode = b!.mode = { kind: 'hang' };
    const gw = await gateway(inputs([a!, b!]), { healthCheck: { enabled: false }, timeouts: { perTryMs: 150, totalMs: 2000 } });
    expect(await call(gw, 'POST', 'x')).toMatchObject({ status: 504, reason: 'upstream_timeout' });
    expect(a!.hits + b!.hits).toBe(1);
  });
});

describe('client going away', () => {
  it('cancels the upstream request and logs 499 when the client disconnects mid-request', async () => {
    const [a] = await backends('a');
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => (upstreamClosed = r));
    let arrived!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    a!.handler = (req, res) => {
      res.on('close', () => upstreamClosed());
      arrived();
    };
    const gw = await gateway(inputs([a!]), { healthCheck: { enabled: false } });
    const ac = new AbortController();
    const pending = request(`${gw.url}/`, { headers: { host: 'w' }, signal: ac.signal }).catch(() => 'aborted');
    await reached;
    ac.abort();
    expect(await pending).toBe('aborted');
    await closed;
    const until = Date.now() + 5000;
    while (gw.accessLog.total === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(gw.accessLog.recent()).toMatchObject([{ status: 499, reason: 'client_closed', cluster: 'a' }]);
    expect(gw.endpoints()[0]!.active).toBe(0);
  });
});

describe('circuit breaker', () => {
  it('bounds in-flight requests per endpoint and overflows with 503 circuit_open', async () => {
    const [a] = await backends('a');
    const held: (() => void)[] = [];
    let concurrent = 0;
    let maxSeen = 0;
    a!.handler = (_req, res) => {
      concurrent++;
      maxSeen = Math.max(maxSeen, concurrent);
      held.push(() => {
        concurrent--;
        res.end('ok');
      });
    };
    const gw = await gateway(inputs([a!]), { healthCheck: { enabled: false }, circuitBreaker: { maxConcurrent: 2, maxPending: 1 } });
    let settled = 0;
    const calls = Array.from({ length: 5 }, () => call(gw).finally(() => settled++));
    const until = Date.now() + 20_000;
    // Two in flight, one pending, two overflowed at once with a reason; only then free the slots.
    while ((held.length < 2 || settled < 2) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    while ((held.length > 0 || settled < 5) && Date.now() < until) {
      held.shift()?.();
      await new Promise((r) => setTimeout(r, 10));
    }
    const results = await Promise.all(calls);
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.filter((r) => r.status === 503).map((r) => r.reason)).toEqual(['circuit_open', 'circuit_open']);
    expect(maxSeen).toBe(2);
  });
});
