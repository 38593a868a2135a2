// Reads HAProxy's per-request log lines (LOG_FORMAT, from its stdout) into the gateway's access
// log ring and per-route metrics — the same records the Node data plane writes, so `/recent`,
// `/metrics`, the SLO and the chaos report's residency count work alike on both data planes.
import type { AccessLog, AccessLogEntry } from '../access-log.js';
import type { GatewayMetrics } from '../metrics.js';
import { Reason } from '../proxy.js';
import { ADMIN_BACKEND, BAD_REQUEST_BACKEND, NO_ROUTE_BACKEND, USERINFO_BACKEND } from './config.js';
import type { Layout } from './layout.js';

export interface IngestDeps {
  layout(): Layout;
  accessLog: AccessLog;
  metrics: GatewayMetrics;
  onAccess: ((e: AccessLogEntry) => void) | undefined;
  /** Lines that are not access records (HAProxy's alerts and notices). */
  other(line: string): void;
  /** A record whose handling threw (an `onAccess` callback): reported, and the next line goes on. */
  failed(line: string, err: unknown): void;
  /** Records read so far (every request HAProxy logged, admin ones included): `flush()` counts them. */
  records: { count: number };
}

/** Returns a function to feed stdout chunks to; it splits lines across chunk boundaries. */
export function createAccessIngest(d: IngestDeps): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    const text = rest + chunk;
    const end = text.lastIndexOf('\n') + 1;
    // The unfinished line is kept before any record is handled, so a throw loses nothing.
    rest = text.slice(end);
    // A line this long is not a record of ours: drop it rather than grow without bound.
    if (rest.length > 65_536) rest = '';
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0 && nl < end; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      try {
        if (ingestLine(d, line)) d.records.count++;
        else d.other(line);
      } catch (e) {
        d.records.count++;
        d.failed(line, e);
      }
    }
  };
}

/** Parses one record; false when the line is not one (an alert, a notice). */
export function ingestLine(d: IngestDeps, line: string): boolean {
  // Ten tab-separated fields, cut with indexOf: no array and no closure per line (this runs once
  // per request, ≈ 0.5 µs all told).
  const t1 = line.indexOf('\t');
  const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
  const t3 = t2 < 0 ? -1 : line.indexOf('\t', t2 + 1);
  const t4 = t3 < 0 ? -1 : line.indexOf('\t', t3 + 1);
  const t5 = t4 < 0 ? -1 : line.indexOf('\t', t4 + 1);
  const t6 = t5 < 0 ? -1 : line.indexOf('\t', t5 + 1);
  const t7 = t6 < 0 ? -1 : line.indexOf('\t', t6 + 1);
  const t8 = t7 < 0 ? -1 : line.indexOf('\t', t7 + 1);
  // No ninth tab but eight: HAProxy cut a line longer than 4 KiB, which only a Host of several
  // KiB causes. The request is recorded with the host cut and no path rather than dropped.
  const t9 = t8 < 0 ? -1 : line.indexOf('\t', t8 + 1);
  if (t8 < 0) return false;
  const startUs = Number(line.slice(0, t1));
  const endUs = Number(line.slice(t1 + 1, t2));
  const method = line.slice(t2 + 1, t3);
  const backend = line.slice(t3 + 1, t4);
  const server = line.slice(t4 + 1, t5);
  const status = line.slice(t5 + 1, t6);
  const retries = line.slice(t6 + 1, t7);
  const term = line.slice(t7 + 1, t8);
  const host = t9 < 0 ? line.slice(t8 + 1) : line.slice(t8 + 1, t9);
  const path = t9 < 0 ? '' : line.slice(t9 + 1);
  if (backend === ADMIN_BACKEND) return true;
  const code = Number(status);
  // A request HAProxy could not parse (400) has no start time: it is logged as `-`.
  const parsed = Number.isFinite(startUs);
  const time = Math.floor((parsed ? startUs : endUs) / 1000);
  const latencyMs = parsed ? (endUs - startUs) / 1000 : 0;
  const redispatched = retries.startsWith('+');
  const attempts = 1 + (Number(redispatched ? retries.slice(1) : retries) || 0);
  const b = backend === NO_ROUTE_BACKEND || backend === BAD_REQUEST_BACKEND || backend === USERINFO_BACKEND ? undefined : d.layout().byName.get(backend);
  const ep = b?.byServer.get(server)?.endpoint;
  const route = b?.route;
  const reason = reasonOf(backend, server, code, term);
  d.accessLog.record(time, method, host, path, route?.key, ep?.cluster, ep?.replica, ep?.jurisdiction, route?.residency, code, latencyMs, attempts, undefined, reason);
  if (route) {
    d.metrics.route(route.key).observe(ep?.cluster, code, latencyMs / 1000, route.slo);
    for (let i = 1; i < attempts; i++) d.metrics.retry(route.key, 'upstream_error');
  }
  d.onAccess?.({
    time,
    method,
    host,
    path,
    route: route?.key,
    cluster: ep?.cluster,
    replica: ep?.replica,
    jurisdiction: ep?.jurisdiction,
    residency: route?.residency,
    status: code,
    latencyMs,
    attempts,
    tried: undefined,
    reason,
  });
  return true;
}

/** The gateway reason code of an answer HAProxy made or cut, from its termination state. */
function reasonOf(backend: string, server: string, status: number, term: string): string | undefined {
  if (backend === NO_ROUTE_BACKEND) return Reason.NoRoute;
  if (backend === BAD_REQUEST_BACKEND || backend === USERINFO_BACKEND) return Reason.BadRequest;
  const [cause, phase] = [term[0], term[1]];
  // Below 500, a normal end, or HAProxy refusing what the client sent (400, 408) before any
  // endpoint was chosen: no gateway failure to name. (An endpoint cutting a 200 short is one.)
  if (status < 500 && (cause === '-' || server === '<NOSRV>')) return undefined;
  if (phase === 'Q' || (cause === 's' && phase === 'Q')) return Reason.CircuitOpen;
  if (server === '<NOSRV>' && status === 503) return Reason.NoReadyEndpoint;
  if (phase === 'C' && (cause === 'S' || cause === 's')) return Reason.UpstreamConnect;
  if (cause === 's' || status === 504) return Reason.UpstreamTimeout;
  if (cause === 'S' || cause === 'P') return Reason.UpstreamReset;
  return undefined;
}
