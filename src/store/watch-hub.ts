// Watch fan-out inside one process: replays the change log after a revision, then switches to
// live events without a gap or a duplicate, with a bounded buffer per watcher.
import { BadRequestError, ExpiredError, ValidationError, parseSelector, type ApiObject, type LabelMatcher } from '../api/index.js';
import type { WatchEvent, WatchEventType, WatchOptions } from './store.js';

/** One committed change as the log holds it. */
export interface LoggedEvent {
  revision: number;
  type: WatchEventType;
  kind: string;
  /** `''` for cluster-scoped objects. */
  namespace: string;
  /** The object after the change (its last state for DELETED), as stored JSON text. */
  json: string;
  labels: Record<string, string> | undefined;
  /** Labels before a MODIFIED change: a selector watch turns label moves into ADDED/DELETED. */
  prevLabels: Record<string, string> | undefined;
}

/**
 * What the hub needs from the store. Two modes:
 * - synchronous `readAfter` (SQLite): reading the last page of the log and registering for live
 *   events happen in one synchronous step, so no commit can fall between them (commits publish
 *   synchronously right after they are durable);
 * - `asyncReads: true` (Postgres): the watcher registers for live events BEFORE its first replay
 *   read, buffers them, and skips those the replay already delivered. This needs every event
 *   published after registration to have a revision above `currentRevision()` at registration,
 *   and every revision up to it to be readable, which holds when `currentRevision()` is the
 *   last revision the store published.
 */
export interface WatchSource {
  currentRevision(): number;
  compactedRevision(): number;
  readAfter(filter: { kind?: string; namespace?: string }, after: number, limit: number): LoggedEvent[] | Promise<LoggedEvent[]>;
  asyncReads?: boolean;
}

export interface WatchHubOptions {
  /**
   * Live events buffered per watcher before it is ended with ExpiredError (default 10000). A
   * slow consumer then re-lists and watches again instead of blocking writers or growing memory.
   */
  bufferSize?: number;
  /** Log rows read per replay page (default 500). */
  pageSize?: number;
}

export interface WatchHub {
  /** Delivers committed events (in revision order) to live watchers. Never blocks. */
  publish(events: LoggedEvent[]): void;
  /**
   * Starts a watch. Throws at once (before iteration) for a bad selector, a bad resourceVersion
   * or one older than the retained history, so a server can answer 400/410 before streaming.
   */
  watch(kind: string | undefined, opts?: WatchOptions): AsyncIterable<WatchEvent>;
  /** Ends every watch (iterators finish normally). */
  close(): void;
  /** Live watchers registered now (for tests and metrics). */
  size(): number;
}

interface Watcher {
  kind: string | undefined;
  namespace: string | undefined;
  match: LabelMatcher | undefined;
  deliver(ev: LoggedEvent): void;
  end(): void;
}

/** Creates the hub. See {@link WatchHub}. */
export function createWatchHub(source: WatchSource, options: WatchHubOptions = {}): WatchHub {
  const bufferSize = options.bufferSize ?? 10_000;
  const pageSize = options.pageSize ?? 500;
  const live = new Set<Watcher>();
  let closed = false;

  const relevant = (w: Watcher, ev: LoggedEvent) =>
    (w.kind === undefined || w.kind === ev.kind) && (w.namespace === undefined || w.namespace === ev.namespace) && visibleType(ev, w.match) !== undefined;

  function watch(kind: string | undefined, opts: WatchOptions = {}): AsyncIterable<WatchEvent> {
    if (closed) throw new ExpiredError('the store is closed');
    const match = compile(opts.labelSelector);
    let cursor: number;
    if (opts.resourceVersion === undefined || opts.resourceVersion === '') cursor = -1;
    else {
      cursor = parseRevision(opts.resourceVersion);
      const compacted = source.compactedRevision();
      if (cursor < compacted) throw expired(cursor, compacted);
    }
    const queue: LoggedEvent[] = [];
    let head = 0;
    let wake: (() => void) | undefined;
    let ended = false;
    let failure: Error | undefined;
    const w: Watcher = {
      kind,
      namespace: opts.namespace || undefined,
      match,
      deliver(ev) {
        if (failure || !relevant(w, ev)) return;
        if (queue.length - head >= bufferSize) {
          // Drop the backlog: the consumer must re-list anyway, keep the writer fast.
          queue.length = 0;
          head = 0;
          live.delete(w);
          failure = new ExpiredError(`watch fell more than ${bufferSize} events behind and was closed: list again and watch from the list's resourceVersion`);
        } else queue.push(ev);
        wake?.();
      },
      end() {
        ended = true;
        wake?.();
      },
    };
    // "From now on": register immediately, in the same tick as reading the current revision.
    const fromNow = cursor < 0;
    if (fromNow) {
      cursor = source.currentRevision();
      live.add(w);
    }
    const signal = opts.signal;

    async function* iterate(): AsyncGenerator<WatchEvent> {
      const onAbort = () => w.end();
      signal?.addEventListener('abort', onAbort);
      try {
        let replaying = !fromNow;
        while (!ended && !closed && !signal?.aborted) {
          if (replaying) {
            const compacted = source.compactedRevision();
            if (cursor < compacted) throw expired(cursor, compacted);
            if (source.asyncReads) live.add(w);
            const read = source.readAfter({ kind, namespace: w.namespace }, cursor, pageSize);
            // Awaited only when it is a promise: a synchronous source must stay in this tick.
            let page: LoggedEvent[];
            try {
              page = Array.isArray(read) ? read : await read;
            } catch (err) {
              // A read cut short by close() or abort ends the watch quietly, as a live one would.
              if (ended || closed || signal?.aborted) return;
              throw err;
            }
            if (ended || closed || signal?.aborted) return;
            if (failure) throw failure;
            // An async source learns of compaction with its read (possibly by another process).
            if (source.asyncReads && cursor < source.compactedRevision()) throw expired(cursor, source.compactedRevision());
            if (page.length < pageSize) {
              // Caught up with the log in this very tick: every later commit reaches the queue.
              live.add(w);
              replaying = false;
            }
            for (const ev of page) {
              cursor = ev.revision;
              const out = toWatchEvent(ev, match);
              if (out) yield out;
              if (ended || closed || signal?.aborted) return;
            }
            continue;
          }
          if (failure) throw failure;
          if (head < queue.length) {
            const ev = queue[head++]!;
            if (head > 1024 && head * 2 > queue.length) {
              queue.splice(0, head);
              head = 0;
            }
            if (ev.revision <= cursor) continue;
            cursor = ev.revision;
            const out = toWatchEvent(ev, match);
            if (out) yield out;
            continue;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        live.delete(w);
      }
    }
    return { [Symbol.asyncIterator]: iterate };
  }

  return {
    publish(events) {
      for (const ev of events) for (const w of live) w.deliver(ev);
    },
    watch,
    close() {
      closed = true;
      for (const w of [...live]) w.end();
      live.clear();
    },
    size: () => live.size,
  };
}

/**
 * The event a watcher sees. With a selector, label changes move objects in and out of view as
 * in Kubernetes: entering is ADDED, leaving is DELETED, unrelated objects are not shown.
 */
export function toWatchEvent(ev: LoggedEvent, match: LabelMatcher | undefined): WatchEvent | undefined {
  const type = visibleType(ev, match);
  // Each watcher gets its own copy: consumers may edit what they receive.
  return type ? { type, object: JSON.parse(ev.json) as ApiObject } : undefined;
}

function visibleType(ev: LoggedEvent, match: LabelMatcher | undefined): WatchEventType | undefined {
  if (!match) return ev.type;
  const now = match(ev.labels);
  if (ev.type !== 'MODIFIED') return now ? ev.type : undefined;
  const before = match(ev.prevLabels);
  return now ? (before ? 'MODIFIED' : 'ADDED') : before ? 'DELETED' : undefined;
}

function compile(selector: string | undefined): LabelMatcher | undefined {
  if (!selector || !selector.trim()) return undefined;
  try {
    return parseSelector(selector);
  } catch (err) {
    throw new BadRequestError(`labelSelector: ${(err as Error).message}`, [{ field: 'labelSelector', message: (err as Error).message }]);
  }
}

/** Parses a resourceVersion string into a revision number. */
export function parseRevision(rv: string): number {
  if (!/^\d{1,15}$/.test(rv)) throw new ValidationError(`resourceVersion "${rv}" is not a store revision (a non-negative integer)`, [{ field: 'resourceVersion', message: 'must be a non-negative integer' }]);
  return Number(rv);
}

function expired(cursor: number, compacted: number): ExpiredError {
  return new ExpiredError(`resourceVersion ${cursor} is too old: history before ${compacted + 1} was compacted; list again and watch from the list's resourceVersion`);
}
