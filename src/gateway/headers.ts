// Header rewriting at the proxy boundary: hop-by-hop headers (RFC 9110 §7.6.1) never cross it,
// X-Forwarded-* are added for the upstream, and the serving cluster is named downstream.
import type { IncomingHttpHeaders } from 'node:http';
import type { RouteEndpoint } from './route-table.js';

/** Connection-scoped headers, plus `expect` (the listener answers 100-continue itself). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

export const CLUSTER_HEADER = 'x-truststram-cluster';
export const REPLICA_HEADER = 'x-truststram-replica';
export const REASON_HEADER = 'x-truststram-reason';

type HeaderMap = Record<string, string | string[]>;

/** Headers named by the Connection header are hop-by-hop too. */
function connectionTokens(v: string | string[] | undefined): Set<string> | undefined {
  if (!v) return undefined;
  const s = Array.isArray(v) ? v.join(',') : v;
  const out = new Set<string>();
  for (const t of s.split(',')) {
    const name = t.trim().toLowerCase();
    if (name) out.add(name);
  }
  return out.size > 0 ? out : undefined;
}

function strip(h: Record<string, string | string[] | undefined>): HeaderMap {
  const named = connectionTokens(h.connection);
  const out: HeaderMap = {};
  for (const k in h) {
    const v = h[k];
    if (v === undefined || HOP_BY_HOP.has(k) || named?.has(k)) continue;
    out[k] = v;
  }
  return out;
}

/** Request headers for the upstream: hop-by-hop removed, Host kept, X-Forwarded-* appended. */
export function upstreamHeaders(h: IncomingHttpHeaders, clientIp: string | undefined, encrypted: boolean): HeaderMap {
  const out = strip(h);
  const xff = h['x-forwarded-for'];
  const prior = Array.isArray(xff) ? xff.join(', ') : xff;
  if (clientIp) out['x-forwarded-for'] = prior ? `${prior}, ${clientIp}` : clientIp;
  if (!h['x-forwarded-proto']) out['x-forwarded-proto'] = encrypted ? 'https' : 'http';
  if (!h['x-forwarded-host'] && h.host) out['x-forwarded-host'] = h.host;
  return out;
}

/** Response headers for the client: hop-by-hop removed, serving cluster and replica named. */
export function downstreamHeaders(h: Record<string, string | string[] | undefined>, ep: RouteEndpoint): HeaderMap {
  const out = strip(h);
  out[CLUSTER_HEADER] = ep.cluster;
  if (ep.replica) out[REPLICA_HEADER] = ep.replica;
  return out;
}
