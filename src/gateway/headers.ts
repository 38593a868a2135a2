// Header rewriting at the proxy boundary: hop-by-hop headers (RFC 9110 §7.6.1) never cross it,
// X-Forwarded-* are added for the upstream, and the serving cluster is named downstream.
// Both directions work on flat raw lists ([name, value, name, value, ...]) as node:http and
// undici hand them over, so no header object is built on the request path.
import type { RouteEndpoint } from './route-table.js';

/** Connection-scoped headers, plus `expect` (the listener answers 100-continue itself). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

export const CLUSTER_HEADER = 'x-truststram-cluster';
export const REPLICA_HEADER = 'x-truststram-replica';
export const REASON_HEADER = 'x-truststram-reason';

/**
 * Extra header names a Connection header declares hop-by-hop, beyond the usual `keep-alive` /
 * `close` (which need no work); undefined in the common case.
 */
function connectionTokens(v: string, into: Set<string> | undefined): Set<string> | undefined {
  const lv = v.toLowerCase();
  if (lv === 'keep-alive' || lv === 'close') return into;
  for (const t of lv.split(',')) {
    const name = t.trim();
    if (name && name !== 'keep-alive' && name !== 'close') (into ??= new Set()).add(name);
  }
  return into;
}

/** Removes headers named by Connection from a lower-cased flat list (rare: allocates only then). */
function dropNamed(out: string[], named: Set<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) if (!named.has(out[i]!)) kept.push(out[i]!, out[i + 1]!);
  return kept;
}

/**
 * Request headers for the upstream from node's `req.rawHeaders`: names lower-cased, hop-by-hop
 * removed, the first Host kept, X-Forwarded-For appended (earlier values joined), -Proto and
 * -Host set when absent. Returns a flat list as undici accepts it.
 */
export function upstreamHeaders(raw: readonly string[], clientIp: string | undefined, encrypted: boolean): string[] {
  const out: string[] = [];
  let named: Set<string> | undefined;
  let xff: string | undefined;
  let host: string | undefined;
  let proto = false;
  let fwdHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    const v = raw[i + 1]!;
    if (HOP_BY_HOP.has(k)) {
      if (k === 'connection') named = connectionTokens(v, named);
      continue;
    }
    if (k === 'host') {
      if (host !== undefined) continue;
      host = v;
    } else if (k === 'x-forwarded-for') {
      xff = xff === undefined ? v : `${xff}, ${v}`;
      continue;
    } else if (k === 'x-forwarded-proto') proto = true;
    else if (k === 'x-forwarded-host') fwdHost = true;
    out.push(k, v);
  }
  const kept = named ? dropNamed(out, named) : out;
  if (clientIp) kept.push('x-forwarded-for', xff ? `${xff}, ${clientIp}` : clientIp);
  else if (xff !== undefined) kept.push('x-forwarded-for', xff);
  if (!proto) kept.push('x-forwarded-proto', encrypted ? 'https' : 'http');
  if (!fwdHost && host !== undefined) kept.push('x-forwarded-host', host);
  return kept;
}

/**
 * Response headers for the client from undici's raw list (Buffers): hop-by-hop removed, serving
 * cluster and replica named. Returns a flat list as `res.writeHead` accepts it.
 */
export function downstreamHeaders(raw: readonly (Buffer | string)[], ep: RouteEndpoint): string[] {
  const out: string[] = [];
  let named: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toString('latin1').toLowerCase();
    const v = raw[i + 1]!.toString('latin1');
    if (HOP_BY_HOP.has(k)) {
      if (k === 'connection') named = connectionTokens(v, named);
      continue;
    }
    out.push(k, v);
  }
  const kept = named ? dropNamed(out, named) : out;
  kept.push(CLUSTER_HEADER, ep.cluster);
  if (ep.replica) kept.push(REPLICA_HEADER, ep.replica);
  return kept;
}
