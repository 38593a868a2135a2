// An informer keeps an in-memory copy of one kind from the store (list, then watch from the
// list's revision) and tells handlers about changes. On a lost watch it re-lists, so the cache
// is eventually exact; reconcilers read the cache and stay level-triggered.
import { ExpiredError, objectKey, type ApiObject } from '../../api/index.js';
import type { Store, WatchEventType } from '../../store/store.js';
import { deferred } from '../../util/deferred.js';

export type InformerHandler = (type: WatchEventType, obj: ApiObject, old: ApiObject | undefined) => void;

export interface Informer {
  readonly kind: string;
  /** Resolves once the first list is in the cache. */
  readonly synced: Promise<void>;
  get(key: string): ApiObject | undefined;
  list(): ApiObject[];
  onChange(handler: InformerHandler): void;
  /**
   * Resolves once the cache reflects the given writes (object at least at that revision, or
   * gone for deletes), so a controller does not re-read its own stale state; gives up after
   * `timeoutMs` (the next round then meets a conflict and retries, which is also correct).
   */
  waitFor(writes: { key: string; resourceVersion: string; deleted?: boolean }[], timeoutMs?: number): Promise<void>;
  stop(): void;
}

/** Starts an informer over one kind. Keys are `objectKey()` strings (`Kind/ns/name`). */
export function startInformer(store: Store, kind: string, opts: { retryMs?: number; onError?: (err: unknown) => void } = {}): Informer {
  const cache = new Map<string, ApiObject>();
  const handlers: InformerHandler[] = [];
  const abort = new AbortController();
  const synced = deferred();
  const emit = (type: WatchEventType, obj: ApiObject, old: ApiObject | undefined) => {
    for (const h of handlers) h(type, obj, old);
  };

  const relist = async (): Promise<string> => {
    const { items, resourceVersion } = await store.list(kind);
    const seen = new Set<string>();
    for (const obj of items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = cache.get(key);
      if (old?.metadata.resourceVersion === obj.metadata.resourceVersion) continue;
      cache.set(key, obj);
      emit(old ? 'MODIFIED' : 'ADDED', obj, old);
    }
    for (const [key, old] of [...cache]) {
      if (seen.has(key)) continue;
      cache.delete(key);
      emit('DELETED', old, old);
    }
    return resourceVersion;
  };

  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        let rv = await relist();
        synced.resolve();
        for await (const ev of store.watch(kind, { resourceVersion: rv, signal: abort.signal })) {
          const key = objectKey(ev.object);
          const old = cache.get(key);
          if (ev.type === 'DELETED') cache.delete(key);
          else cache.set(key, ev.object);
          rv = ev.object.metadata.resourceVersion ?? rv;
          emit(ev.type, ev.object, old);
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        if (!(err instanceof ExpiredError)) opts.onError?.(err);
        await new Promise((r) => setTimeout(r, opts.retryMs ?? 200).unref());
      }
    }
  };
  void run();

  const caughtUp = (writes: { key: string; resourceVersion: string; deleted?: boolean }[]) =>
    writes.every((w) => {
      const cur = cache.get(w.key);
      if (w.deleted) return !cur || Number(cur.metadata.resourceVersion) > Number(w.resourceVersion);
      return !!cur && Number(cur.metadata.resourceVersion) >= Number(w.resourceVersion);
    });
  const waitFor = async (writes: { key: string; resourceVersion: string; deleted?: boolean }[], timeoutMs = 2000) => {
    if (caughtUp(writes)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const i = handlers.indexOf(check);
        if (i >= 0) handlers.splice(i, 1);
        resolve();
      };
      const check: InformerHandler = () => {
        if (caughtUp(writes)) done();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      handlers.push(check);
    });
  };

  return {
    kind,
    synced: synced.promise,
    waitFor,
    get: (key) => cache.get(key),
    list: () => [...cache.values()],
    onChange: (h) => void handlers.push(h),
    stop: () => abort.abort(),
  };
}
