// Where routing tables come from. Every source keeps mirrors of Workloads, Placements and
// Clusters (list, then watch from the list's revision, re-list on any error), runs the pure
// builder on each change (coalesced) and hands the gateway a whole new table.
import { Agent, request } from 'undici';
import type { ApiObject } from '../api/index.js';
import type { Store, WatchEvent } from '../store/index.js';
import { buildRoutes, type RouteTable } from './route-table.js';
import { readNdjson } from '../util/ndjson.js';

/** A supplier of routing tables. `start` resolves once the first table was delivered. */
export interface TableSource {
  start(onTable: (t: RouteTable) => void): Promise<void>;
  close(): Promise<void>;
  /** How a gateway worker process opens the same source itself (absent: in-process only). */
  readonly workerSpec?: WorkerSourceSpec;
}

/** A source described in plain data, for `workers > 1`. */
export type WorkerSourceSpec = { kind: 'static'; inputs: RouteInputs } | { kind: 'api'; serverUrl: string; token?: string; retryMs?: number };

export interface RouteInputs {
  workloads: ApiObject[];
  placements: ApiObject[];
  clusters: ApiObject[];
}

/** A fixed table built once from the given objects (tests, `schedule`-style offline use). */
export function staticSource(inputs: RouteInputs): TableSource {
  return {
    workerSpec: { kind: 'static', inputs },
    async start(onTable) {
      onTable(buildRoutes(inputs.workloads, inputs.placements, inputs.clusters));
    },
    async close() {},
  };
}

/** A source the caller drives: `set()` rebuilds and swaps the table. */
export function manualSource(initial: RouteInputs = { workloads: [], placements: [], clusters: [] }): TableSource & { set(inputs: RouteInputs): void } {
  let sink: ((t: RouteTable) => void) | undefined;
  let inputs = initial;
  return {
    async start(onTable) {
      sink = onTable;
      onTable(buildRoutes(inputs.workloads, inputs.placements, inputs.clusters));
    },
    set(next) {
      inputs = next;
      sink?.(buildRoutes(next.workloads, next.placements, next.clusters));
    },
    async close() {
      sink = undefined;
    },
  };
}

/** List + watch of one kind, however they are reached. */
export interface KindFeed {
  list(kind: string): Promise<{ items: ApiObject[]; resourceVersion: string }>;
  watch(kind: string, resourceVersion: string, signal: AbortSignal): AsyncIterable<WatchEvent>;
}

const KINDS = ['Workload', 'Placement', 'Cluster'] as const;

/** Longest wait between two tries while the API stays unreachable. */
const MAX_RETRY_MS = 5000;

/**
 * The general source: mirrors the three kinds through `feed` and rebuilds on change.
 * A failed list or watch is retried with a fresh list (nothing is missed): after `retryMs`,
 * doubling (with jitter) up to 5 s while failures go on, and back to `retryMs` once a list
 * succeeds. `onError` hears of a kind's failure once per distinct message until it recovers, so
 * an API that is down does not flood the log.
 */
export function feedSource(feed: KindFeed, opts: { retryMs?: number; onError?: (err: unknown) => void; minRebuildMs?: number } = {}): TableSource {
  const abort = new AbortController();
  const mirrors = new Map<string, Map<string, ApiObject>>(KINDS.map((k) => [k, new Map()]));
  let sink: ((t: RouteTable) => void) | undefined;
  let scheduled = false;
  let lastBuild = -Infinity;
  // A rollout of a thousand workloads changes objects thousands of times a second; a table
  // rebuilt per event would starve the process. The data plane does not wait for the table to
  // fail over (health checks and ejection act on their own), so a table at most this stale
  // costs nothing on failover and bounds the rebuild work. Default 100 ms.
  const minRebuildMs = opts.minRebuildMs ?? 100;
  const rebuild = () => {
    scheduled = false;
    if (!sink || abort.signal.aborted) return;
    lastBuild = performance.now();
    const all = (k: string) => [...mirrors.get(k)!.values()];
    sink(buildRoutes(all('Workload'), all('Placement'), all('Cluster')));
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    const wait = lastBuild + minRebuildMs - performance.now();
    if (wait > 0) setTimeout(rebuild, wait).unref();
    else setImmediate(rebuild);
  };
  // Routes read a Workload's spec (host, residency), never its status: status churn is no news.
  const relevant = (ev: WatchEvent, old: ApiObject | undefined) =>
    ev.type !== 'MODIFIED' || ev.object.kind !== 'Workload' || !old || old.metadata.generation !== ev.object.metadata.generation || JSON.stringify(old.metadata.labels) !== JSON.stringify(ev.object.metadata.labels);
  const key = (o: ApiObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

  const run = async (kind: string, first: () => void) => {
    const mirror = mirrors.get(kind)!;
    const baseMs = opts.retryMs ?? 200;
    let delayMs = baseMs;
    let reported: string | undefined;
    while (!abort.signal.aborted) {
      try {
        const { items, resourceVersion } = await feed.list(kind);
        delayMs = baseMs;
        reported = undefined;
        mirror.clear();
        for (const o of items) mirror.set(key(o), o);
        first();
        schedule();
        let rv = resourceVersion;
        for await (const ev of feed.watch(kind, rv, abort.signal)) {
          const old = mirror.get(key(ev.object));
          if (ev.type === 'DELETED') mirror.delete(key(ev.object));
          else mirror.set(key(ev.object), ev.object);
          rv = ev.object.metadata.resourceVersion ?? rv;
          if (relevant(ev, old)) schedule();
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        const message = err instanceof Error ? err.message : String(err);
        if (message !== reported) opts.onError?.(err);
        reported = message;
      }
      if (abort.signal.aborted) return;
      await sleep(delayMs * (0.8 + 0.4 * Math.random()));
      delayMs = Math.min(Math.max(baseMs, MAX_RETRY_MS), delayMs * 2);
    }
  };

  return {
    async start(onTable) {
      const listed = KINDS.map(() => {
        let done!: () => void;
        const p = new Promise<void>((r) => (done = r));
        return { p, done };
      });
      KINDS.forEach((k, i) => void run(k, listed[i]!.done));
      await Promise.all(listed.map((l) => l.p));
      sink = onTable;
      rebuild();
    },
    async close() {
      sink = undefined;
      abort.abort();
    },
  };
}

/** In-process source over the store's own watch (the gateway inside `truststram server`). */
export function storeSource(store: Store, opts: { retryMs?: number; onError?: (err: unknown) => void } = {}): TableSource {
  return feedSource(
    {
      list: (kind) => store.list(kind),
      watch: (kind, resourceVersion, signal) => store.watch(kind, { resourceVersion, signal }),
    },
    opts,
  );
}

const PLURAL: Record<string, string> = { Workload: 'workloads', Placement: 'placements', Cluster: 'clusters' };

/**
 * Remote source over the API server: `GET /apis/truststram.io/v1alpha1/<kind>` then
 * `?watch=true&resourceVersion=` NDJSON streams; an ERROR event (410 Expired) or a dropped
 * stream leads to a re-list. A stateless gateway replica needs nothing else.
 */
export function apiSource(serverUrl: string, opts: { token?: string; retryMs?: number; onError?: (err: unknown) => void } = {}): TableSource {
  const base = `${serverUrl.replace(/\/+$/, '')}/apis/truststram.io/v1alpha1`;
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connect: { timeout: 2000 } });
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) };
  const feed: KindFeed = {
    async list(kind) {
      const r = await request(`${base}/${PLURAL[kind]}`, { headers, dispatcher, headersTimeout: 10_000, bodyTimeout: 30_000 });
      const body = (await r.body.json()) as { items?: ApiObject[]; metadata?: { resourceVersion?: string }; message?: string };
      if (r.statusCode !== 200) throw new Error(`list ${kind}: HTTP ${r.statusCode}: ${body.message ?? ''}`);
      return { items: body.items ?? [], resourceVersion: body.metadata?.resourceVersion ?? '0' };
    },
    async *watch(kind, resourceVersion, signal) {
      const url = `${base}/${PLURAL[kind]}?watch=true&resourceVersion=${encodeURIComponent(resourceVersion)}`;
      const r = await request(url, { headers, dispatcher, signal, headersTimeout: 10_000, bodyTimeout: 0 });
      if (r.statusCode !== 200) {
        await r.body.dump();
        throw new Error(`watch ${kind}: HTTP ${r.statusCode}`);
      }
      for await (const ev of readNdjson<{ type: string; object: ApiObject & { message?: string } }>(r.body as AsyncIterable<Uint8Array>)) {
        if (ev.type === 'ERROR') throw new Error(`watch ${kind}: ${ev.object.message ?? 'error event'}`);
        if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') yield ev as WatchEvent;
      }
      // The server ended the stream (its watch timeout): the caller re-lists, the safe resume.
    },
  };
  const src = feedSource(feed, opts);
  return {
    workerSpec: { kind: 'api', serverUrl, ...(opts.token ? { token: opts.token } : {}), ...(opts.retryMs !== undefined ? { retryMs: opts.retryMs } : {}) },
    start: (onTable) => src.start(onTable),
    async close() {
      await src.close();
      await dispatcher.destroy();
    },
  };
}
