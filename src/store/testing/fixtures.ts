// Small helpers for store tests: object factories and a watch collector that stops by itself.
import type { ApiObject } from '../../api/index.js';
import type { WatchEvent } from '../store.js';

/** A minimal object of any kind; the store does not validate specs (admission does). */
export function obj(
  kind: string,
  name: string,
  namespace?: string,
  extra: { labels?: Record<string, string>; spec?: unknown; status?: unknown } = {},
): ApiObject {
  const o: ApiObject = { apiVersion: 'truststram.io/v1alpha1', kind, metadata: { name } };
  if (namespace) o.metadata.namespace = namespace;
  if (extra.labels) o.metadata.labels = extra.labels;
  if (extra.spec !== undefined) o.spec = extra.spec;
  if (extra.status !== undefined) o.status = extra.status;
  return o;
}

/** The numeric resourceVersion of an object. */
export function rv(o: ApiObject): number {
  return Number(o.metadata.resourceVersion);
}

/**
 * Reads a watch until `count` events arrived (or `until` says so), then aborts it via `ac`.
 * Returns what was received; if the watch ends early, returns what it had.
 */
export async function collect(
  watch: AsyncIterable<WatchEvent>,
  until: number | ((events: WatchEvent[]) => boolean),
  ac: AbortController,
): Promise<WatchEvent[]> {
  const done = typeof until === 'number' ? (evs: WatchEvent[]) => evs.length >= until : until;
  const out: WatchEvent[] = [];
  for await (const e of watch) {
    out.push(e);
    if (done(out)) {
      ac.abort();
      break;
    }
  }
  return out;
}
