// Kubernetes-style chunked lists (`?limit=N` then `?continue=TOKEN`). Items are ordered by
// namespace then name; a token carries the key of the last item served and which list it
// belongs to, so each page starts exactly after the previous one even while objects change.
// Unlike etcd-backed Kubernetes, a later page is read at the current revision, not a snapshot.
import type { ApiObject } from '../api/index.js';
import { badParam } from './query.js';

export interface ListPaging {
  /** Largest number of items to return; absent (or `limit=0`) = all. */
  limit?: number;
  /** Namespace/name key of the last item already served. */
  after?: string;
}

interface Token {
  v: 1;
  /** Which list the token belongs to (kind, namespace, selectors). */
  list: string;
  after: string;
}

/** Largest `limit` accepted: any bigger is the same as "all" and only invites overflow. */
export const MAX_LIST_LIMIT = 1_000_000;

/** Parses `limit` and `continue`; `list` identifies the collection and its selectors. */
export function parseListPaging(q: URLSearchParams, list: string): ListPaging {
  const out: ListPaging = {};
  const limit = q.get('limit');
  if (limit !== null && limit !== '') {
    if (!/^\d{1,7}$/.test(limit) || Number(limit) > MAX_LIST_LIMIT) throw badParam('limit', `"${limit}" must be a whole number from 0 to ${MAX_LIST_LIMIT} (0 = no limit)`);
    if (Number(limit) > 0) out.limit = Number(limit);
  }
  const token = q.get('continue');
  if (token !== null && token !== '') {
    // Kubernetes refuses the pair too: a continued list is defined by its token alone.
    if (q.get('resourceVersion')) throw badParam('resourceVersion', 'must not be set together with continue');
    out.after = decodeToken(token, list);
  }
  return out;
}

/** Sorts by namespace/name and cuts one page; `continue` is set when items remain. */
export function pageOf(items: ApiObject[], paging: ListPaging, list: string): { items: ApiObject[]; continue?: string; remainingItemCount?: number } {
  const keyed = items.map((o) => ({ key: keyOf(o), o })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const start = paging.after === undefined ? keyed : keyed.filter((x) => x.key > paging.after!);
  if (paging.limit === undefined || start.length <= paging.limit) return { items: start.map((x) => x.o) };
  const page = start.slice(0, paging.limit);
  const token: Token = { v: 1, list, after: page.at(-1)!.key };
  return { items: page.map((x) => x.o), continue: Buffer.from(JSON.stringify(token)).toString('base64url'), remainingItemCount: start.length - page.length };
}

function keyOf(o: ApiObject): string {
  // "\u0000" sorts before every character allowed in a name, so "a" < "a-b" across namespaces too.
  return `${o.metadata.namespace ?? ''}\u0000${o.metadata.name}`;
}

function decodeToken(token: string, list: string): string {
  const invalid = (why: string) => badParam('continue', `${why}: pass the "continue" value of the previous page unchanged`);
  if (token.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(token)) throw invalid('not a continue token');
  let t: Partial<Token>;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Token>;
  } catch {
    throw invalid('not a continue token');
  }
  if (t === null || typeof t !== 'object' || t.v !== 1 || typeof t.after !== 'string' || typeof t.list !== 'string') throw invalid('not a continue token');
  if (t.list !== list) throw invalid('the token belongs to a different list (resource, namespace or selectors changed)');
  return t.after;
}
