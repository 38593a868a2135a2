// A minimal informer: list a kind, then watch it from the list's revision, keeping a local
// cache that survives server outages. Any failure re-lists after a backoff, so deletions made
// while the agent was disconnected are noticed (the cache is replaced, not patched).
import type { ApiObject } from '../../api/index.js';
import { API_BASE, type ApiClient, type ListResponse } from './agent-client.js';

export interface InformerOptions {
  client: ApiClient;
  /** `placements`, `workloads`. */
  plural: string;
  signal: AbortSignal;
  /** Called after every list and every event with the whole cache (keyed `namespace/name`). */
  onChange: (cache: ReadonlyMap<string, ApiObject>) => void;
  /** Called on each failure (server down, stream cut) with the error. */
  onError: (err: unknown) => void;
  retryMaxMs: number;
}

export const objectCacheKey = (o: ApiObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Runs until `signal` aborts. */
export async function runInformer(o: InformerOptions): Promise<void> {
  let failures = 0;
  while (!o.signal.aborted) {
    try {
      const list = await o.client.request<ListResponse>('GET', `${API_BASE}/${o.plural}`);
      const cache = new Map(list.items.map((i) => [objectCacheKey(i), i]));
      let rv = list.metadata.resourceVersion;
      o.onChange(cache);
      failures = 0;
      for (;;) {
        let relist = false;
        const query = `watch=true&allowWatchBookmarks=true${rv ? `&resourceVersion=${encodeURIComponent(rv)}` : ''}`;
        await o.client.watch(`${API_BASE}/${o.plural}?${query}`, o.signal, (e) => {
          if (e.type === 'ERROR') {
            // Expired revision or a server-side failure: start over from a fresh list.
            relist = true;
            return;
          }
          rv = e.object.metadata.resourceVersion ?? rv;
          if (e.type === 'BOOKMARK') return;
          const key = objectCacheKey(e.object);
          const before = cache.get(key);
          if (e.type === 'DELETED') cache.delete(key);
          else cache.set(key, e.object);
          // A status-only change (same generation, labels and annotations) changes no work:
          // with a thousand workloads their status updates would otherwise re-derive it each time.
          if (e.type === 'MODIFIED' && before && sameDesired(before, e.object)) return;
          o.onChange(cache);
        });
        if (o.signal.aborted) return;
        if (relist) break;
        // A clean end (watch timeout): continue from the last revision seen.
      }
    } catch (err) {
      if (o.signal.aborted) return;
      failures++;
      o.onError(err);
      await abortableSleep(Math.min(o.retryMaxMs, 100 * 2 ** Math.min(failures - 1, 10)), o.signal);
    }
  }
}

function sameDesired(a: ApiObject, b: ApiObject): boolean {
  const m = (x: ApiObject) => JSON.stringify([x.metadata.labels ?? {}, x.metadata.annotations ?? {}]);
  return a.metadata.generation !== undefined && a.metadata.generation === b.metadata.generation && m(a) === m(b);
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
