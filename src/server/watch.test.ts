// Watch streams over real HTTP: ordered ADDED/MODIFIED/DELETED from a revision, the initial
// list when no revision is given, clean endings, limits, and errors as ERROR events.
import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../store/index.js';
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

/** Opens a watch and returns a reader of its newline-delimited JSON events. */
async function openWatch(url: string) {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    /** Next event, or undefined when the server ended the stream. */
    async next(): Promise<any> {
      for (;;) {
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) return JSON.parse(line);
          continue;
        }
        const { value, done } = await reader.read();
        if (done) return undefined;
        buf += decoder.decode(value, { stream: true });
      }
    },
    close: () => abort.abort(),
  };
}

async function inFlight(s: TestServer): Promise<number> {
  const text = (await s.req('GET', '/metrics')).body as string;
  return Number(/^truststram_apiserver_watches_in_flight (\d+)/m.exec(text)![1]);
}

async function until(f: () => Promise<boolean>) {
  for (let i = 0; i < 200; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not reached');
}

describe('watch', () => {
  it('from a revision delivers ADDED, MODIFIED, DELETED in order, then ends cleanly on disconnect', async () => {
    const s = await server();
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('before'));
    const from = await s.store.revision();
    const w = await openWatch(`${s.url}${BASE}/clusters?watch=true&resourceVersion=${from}`);
    expect(w.status).toBe(200);
    expect(w.contentType).toMatch(/application\/json/);
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('watched'));
    await s.req('PATCH', `${BASE}/clusters/watched`, { metadata: { labels: { phase: 'two' } } });
    await s.req('DELETE', `${BASE}/clusters/watched`);
    const events = [await w.next(), await w.next(), await w.next()];
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(events.every((e) => e.object.metadata.name === 'watched')).toBe(true);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(from));
    expect(await inFlight(s)).toBe(1);
    w.close();
    await until(async () => (await inFlight(s)) === 0);
  });

  it('without a revision starts with the existing objects, filtered by namespace and labels', async () => {
    const s = await server();
    await s.req('POST', `${BASE}/namespaces/a/workloads`, fixtures.workload('one', 'a', { app: 'x' }));
    await s.req('POST', `${BASE}/namespaces/a/workloads`, fixtures.workload('two', 'a', { app: 'y' }));
    await s.req('POST', `${BASE}/namespaces/b/workloads`, fixtures.workload('three', 'b', { app: 'x' }));
    const w = await openWatch(`${s.url}${BASE}/namespaces/a/workloads?watch=1&labelSelector=app%3Dx`);
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'one' } } });
    await s.req('POST', `${BASE}/namespaces/b/workloads`, fixtures.workload('four', 'b', { app: 'x' }));
    await s.req('POST', `${BASE}/namespaces/a/workloads`, fixtures.workload('five', 'a', { app: 'x' }));
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'five', namespace: 'a' } } });
    w.close();
  });

  it('replays history from an old revision and reports a compacted one as an ERROR event (410)', async () => {
    const s = await server();
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('h'));
    await s.req('DELETE', `${BASE}/clusters/h`);
    const w = await openWatch(`${s.url}${BASE}/clusters?watch=true&resourceVersion=0`);
    expect((await w.next()).type).toBe('ADDED');
    expect((await w.next()).type).toBe('DELETED');
    w.close();
    await (s.store as SqliteStore).compact(Number(await s.store.revision()));
    const old = await openWatch(`${s.url}${BASE}/clusters?watch=true&resourceVersion=0`);
    expect(await old.next()).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    expect(await old.next()).toBeUndefined();
  });

  it('rejects a malformed resourceVersion with 400 before streaming', async () => {
    const s = await server();
    const r = await s.req('GET', `${BASE}/clusters?watch=true&resourceVersion=abc`);
    expect(r.status).toBe(400);
    expect(r.body.details.causes[0].field).toBe('resourceVersion');
  });

  it('limits concurrent watches (429) and ends a watch at its timeoutSeconds', async () => {
    const s = await server({ maxWatches: 1 });
    const w = await openWatch(`${s.url}${BASE}/clusters?watch=true&timeoutSeconds=1`);
    const second = await s.req('GET', `${BASE}/clusters?watch=true`);
    expect(second.status).toBe(429);
    expect(await w.next()).toBeUndefined(); // the server ended the stream after 1 s
    await until(async () => (await inFlight(s)) === 0);
    const third = await openWatch(`${s.url}${BASE}/clusters?watch=true`);
    expect(third.status).toBe(200);
    third.close();
  });

  it('outlives the request timeout that guards against slow clients', async () => {
    const s = await server({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const w = await openWatch(`${s.url}${BASE}/clusters?watch=true`);
    await new Promise((r) => setTimeout(r, 800));
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('late'));
    expect(await w.next()).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'late' } } });
    w.close();
  });

  it('sends BOOKMARK heartbeats when asked, and close() ends open watches', async () => {
    const s = await server({ bookmarkIntervalMs: 50 });
    await s.req('POST', `${BASE}/clusters`, fixtures.cluster('bm'));
    const rv = await s.store.revision();
    const w = await openWatch(`${s.url}${BASE}/clusters?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
    expect(await w.next()).toMatchObject({ type: 'BOOKMARK', object: { kind: 'Cluster', metadata: { resourceVersion: rv } } });
    await s.close();
    let e: unknown;
    do e = await w.next().catch(() => undefined);
    while (e !== undefined);
  });
});
