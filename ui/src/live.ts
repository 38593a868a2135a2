// Live state for the views: one shared watch stream per kind (however many views read it) and
// polled computed views (cost, explain, compliance) that refresh on an interval and whenever
// the watched objects change. Nothing needs a manual refresh.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, UnreachableError, getJson, watchKind, type K8sObject } from './api';

export type LinkState = 'connecting' | 'live' | 'error';

export interface KindState {
  items: K8sObject[];
  state: LinkState;
  /** True once the first list arrived (distinguishes "no clusters yet" from "loading"). */
  loaded: boolean;
  error?: Error;
  /** Bumped on every change: computed views re-fetch when it moves. */
  version: number;
}

type Listener = (s: KindState) => void;

interface Feed {
  state: KindState;
  byKey: Map<string, K8sObject>;
  listeners: Set<Listener>;
  stop?: () => void;
  timer?: ReturnType<typeof setTimeout>;
}

const feeds = new Map<string, Feed>();
const key = (o: K8sObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function publish(f: Feed, patch: Partial<KindState>): void {
  f.state = { ...f.state, ...patch };
  for (const l of f.listeners) l(f.state);
}

function feed(plural: string): Feed {
  let f = feeds.get(plural);
  if (f) return f;
  const created: Feed = { state: { items: [], state: 'connecting', loaded: false, version: 0 }, byKey: new Map(), listeners: new Set() };
  f = created;
  feeds.set(plural, f);
  // Many events arrive in bursts (a failover touches every workload): render once per frame.
  let pending = false;
  const flush = () => {
    pending = false;
    publish(created, { items: [...created.byKey.values()].sort((a, b) => key(a).localeCompare(key(b))), version: created.state.version + 1 });
  };
  const schedule = () => {
    if (pending) return;
    pending = true;
    setTimeout(flush, 50);
  };
  created.stop = watchKind(plural, {
    onSync(items) {
      created.byKey = new Map(items.map((o) => [key(o), o]));
      publish(created, { loaded: true });
      schedule();
    },
    onEvent(ev) {
      if (ev.type === 'DELETED') created.byKey.delete(key(ev.object));
      else created.byKey.set(key(ev.object), ev.object);
      schedule();
    },
    onState(state, error) {
      publish(created, { state, ...(error ? { error } : { error: undefined }) });
    },
  });
  return f;
}

/**
 * A browser keeps at most six HTTP/1.1 connections per server and every watch holds one, so a
 * kind no view reads any more stops being watched (after a grace period that covers moving
 * from one view to the next).
 */
const IDLE_STOP_MS = 4000;

/** The live list of `plural` (e.g. `clusters`), shared by every component that asks. */
export function useKind(plural: string): KindState {
  const [s, set] = useState(() => feed(plural).state);
  useEffect(() => {
    const f = feed(plural);
    clearTimeout(f.timer);
    f.listeners.add(set);
    set(f.state);
    return () => {
      f.listeners.delete(set);
      if (f.listeners.size) return;
      f.timer = setTimeout(() => {
        if (f.listeners.size) return;
        f.stop?.();
        feeds.delete(plural);
      }, IDLE_STOP_MS);
    };
  }, [plural]);
  return s;
}

export interface Polled<T> {
  data: T | undefined;
  error: Error | undefined;
  /** The endpoint does not exist on this server (a component not installed yet). */
  unavailable: boolean;
  loading: boolean;
}

/**
 * GETs `path` now, every `everyMs`, and soon after any of `deps` changes (pass a kind's
 * `version` so a computed view follows the objects it is computed from). A change never aborts
 * a request in flight — under a stream of changes that would starve the view — it only asks
 * for one more fetch, at most one per second. `path` undefined = idle.
 */
export function usePoll<T>(path: string | undefined, everyMs: number, deps: unknown[] = []): Polled<T> {
  const [s, set] = useState<Polled<T>>({ data: undefined, error: undefined, unavailable: false, loading: true });
  const kick = useRef<() => void>(() => undefined);
  useEffect(() => {
    if (!path) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inflight = false;
    let again = false;
    let last = 0;
    const run = async () => {
      clearTimeout(timer);
      inflight = true;
      again = false;
      last = Date.now();
      try {
        const data = await getJson<T>(path, abort.signal);
        set({ data, error: undefined, unavailable: false, loading: false });
      } catch (err) {
        if (abort.signal.aborted) return;
        // The router's own 404 means the endpoint is missing (not the object it names).
        const unavailable = err instanceof ApiError && err.status === 404 && err.message.startsWith('the server could not find the requested resource');
        set((p) => ({ data: unavailable ? undefined : p.data, error: err as Error, unavailable, loading: false }));
      }
      inflight = false;
      if (abort.signal.aborted) return;
      if (again) timer = setTimeout(() => void run(), Math.max(0, 1000 - (Date.now() - last)));
      else if (everyMs > 0) timer = setTimeout(() => void run(), everyMs);
    };
    kick.current = () => {
      if (inflight) again = true;
      else {
        clearTimeout(timer);
        timer = setTimeout(() => void run(), Math.max(0, 1000 - (Date.now() - last)));
      }
    };
    void run();
    return () => {
      abort.abort();
      clearTimeout(timer);
      kick.current = () => undefined;
    };
  }, [path, everyMs]);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) first.current = false;
    else kick.current();
  }, deps);
  return s;
}

/** True when an error means the server cannot be reached at all. */
export const isUnreachable = (e: Error | undefined): boolean => e instanceof UnreachableError;
