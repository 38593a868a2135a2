// Table sources against real state: storeSource over a real SQLite store's watch, and apiSource
// over a real API server's list + NDJSON watch, including a server-ended watch (re-list).
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { ApiObject } from '../api/index.js';
import { startTestServer } from '../server/testing/harness.js';
import { openStore, type Store } from '../store/index.js';
import { startGateway, type RunningGateway } from './gateway.js';
import { apiSource, feedSource, storeSource, type KindFeed, type TableSource } from './sources.js';
import { startBackend, type Backend } from './testing/backends.js';
import { cluster, placement, workload } from './testing/fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function put(store: Store, ...objs: ApiObject[]): Promise<void> {
  await store.apply(objs.map((object) => ({ verb: 'upsert' as const, object: { ...object, status: undefined } })), { actor: 'test' });
  const withStatus = objs.filter((o) => o.status !== undefined);
  if (withStatus.length > 0) await store.apply(withStatus.map((object) => ({ verb: 'updateStatus' as const, object })), { actor: 'test' });
}

async function servedBy(gw: RunningGateway, host: string): Promise<string | number> {
  const r = await request(`${gw.url}/`, { headers: { host } });
  await r.body.dump();
  return r.statusCode === 200 ? (r.headers['x-truststram-cluster'] as string) : r.statusCode;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The same scenario for both sources: routes appear, follow endpoint changes, and disappear. */
async function followsTheStore(store: Store, source: TableSource, backends: Backend[]): Promise<RunningGateway> {
  const [a, b] = backends;
  await put(
    store,
    workload({ name: 'shop', host: 'shop.example', residency: ['eu'] }),
    placement('shop', { 'aws-eu': 1 }),
    cluster({ name: 'aws-eu', region: 'eu-west-1', workloads: { 'default/shop': [{ endpoint: a!.address }] } }),
    cluster({ name: 'aws-us', region: 'us-east-1', workloads: { 'default/shop': [{ endpoint: b!.address }] } }),
  );
  const gw = await startGateway({ listen: '127.0.0.1:0', source, healthCheck: { enabled: false }, log: () => {} });
  cleanups.push(() => gw.close());
  expect(await servedBy(gw, 'shop.example')).toBe('aws-eu');
  expect(gw.table().residencyViolations).toBe(1);
  // Failover inside the boundary: the agent reports aws-eu's replica gone, gcp-eu's ready.
  await put(
    store,
    placement('shop', { 'gcp-eu': 1 }),
    cluster({ name: 'aws-eu', region: 'eu-west-1', phase: 'NotReady' }),
    cluster({ name: 'gcp-eu', provider: 'gcp', region: 'europe-west1', workloads: { 'default/shop': [{ endpoint: b!.address }] } }),
  );
  await eventually(async () => (await servedBy(gw, 'shop.example')) === 'gcp-eu', 'the route to move to gcp-eu');
  await store.apply([{ verb: 'delete', ref: { kind: 'Workload', namespace: 'default', name: 'shop' } }], { actor: 'test' });
  await eventually(async () => (await servedBy(gw, 'shop.example')) === 404, 'the route to disappear');
  return gw;
}

describe('table sources', () => {
  it('startGateway listens with an empty table when the API server is unreachable, and says why', async () => {
    const dead = await startBackend('dead');
    await dead.close();
    const logs: string[] = [];
    const gw = await startGateway({ listen: '127.0.0.1:0', source: apiSource(`http://${dead.address}`, { retryMs: 20 }), syncTimeoutMs: 200, log: (m) => logs.push(m) });
    cleanups.push(() => gw.close());
    expect(await servedBy(gw, 'shop.example')).toBe(404);
    expect(logs.join('\n')).toMatch(/no routing table after 200 ms/);
  });

  it('backs off while the API server stays unreachable, and reports each failure once per kind, not on every try', async () => {
    const dead = await startBackend('dead');
    await dead.close();
    const lists: number[] = [];
    const errors: string[] = [];
    const feed: KindFeed = {
      list: async () => {
        lists.push(performance.now());
        throw new Error(`connect ECONNREFUSED ${dead.address}`);
      },
      watch: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('unreachable')) }) }),
    };
    const src = feedSource(feed, { retryMs: 20, onError: (e) => errors.push((e as Error).message) });
    void src.start(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    await src.close();
    // Three kinds; at a fixed 20 ms that would be about 225 tries in 1.5 s. Doubling from 20 ms: 7 or 8 each.
    expect(lists.length).toBeLessThanOrEqual(3 * 9);
    expect(lists.length).toBeGreaterThanOrEqual(3 * 4);
    expect(errors).toEqual([0, 1, 2].map(() => `connect ECONNREFUSED ${dead.address}`));
  });

  it('storeSource follows the store through its watch', async () => {
    const store = await openStore('sqlite::memory:');
    cleanups.push(() => store.close());
    const bs = await Promise.all([startBackend('a'), startBackend('b')]);
    cleanups.push(async () => void (await Promise.all(bs.map((b) => b.close()))));
    await followsTheStore(store, storeSource(store), bs);
  });

  it('apiSource follows the API server over list + watch, and re-lists when the server ends a watch', async () => {
    const server = await startTestServer({ watchTimeoutMs: 300 });
    cleanups.push(() => server.stop());
    const bs = await Promise.all([startBackend('a'), startBackend('b')]);
    cleanups.push(async () => void (await Promise.all(bs.map((b) => b.close()))));
    const source = apiSource(server.url, { retryMs: 20 });
    const started = Date.now();
    const gw = await followsTheStore(server.store, source, bs);
    // Outlive several server-ended watches, then change something: it still arrives.
    await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - started))));
    await put(server.store, workload({ name: 'late', host: 'late.example' }), cluster({ name: 'aws-eu', region: 'eu-west-1', workloads: { 'default/late': [{ endpoint: bs[0]!.address }] } }));
    await eventually(async () => (await servedBy(gw, 'late.example')) === 'aws-eu', 'a change made after the first watches ended');
  });
});
