// Reads HAProxy's per-request log lines (LOG_FORMAT, from its stdout) into the gateway's access
// log ring and per-route metrics — the same records the Node data plane writes, so `/recent`,
// `/metrics`, the SLO and the chaos report's residency count work alike on both data planes.
import type { AccessLog, AccessLogEntry } from '../access-log.js';
import type { GatewayMetrics } from '../metrics.js';
import { Reason } from '../proxy.js';
import { ADMIN_BACKEND, NO_ROUTE_BACKEND } from './config.js';
import type { Layout } from './layout.js';

export interface IngestDeps {
  layout(): Layout;
  accessLog: AccessLog;
  metrics: GatewayMetrics;
  onAccess: ((e: AccessLogEntry) => void) | undefined;
  /** Lines that are not access records (HAProxy's alerts and notices). */
  other(line: string): void;
}

/** Returns a function to feed stdout chunks to; it splits lines across chunk boundaries. */
export function createAccessIngest(d: IngestDeps): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (!ingestLine(d, line)) d.other(line);
    }
    rest = text.slice(start);
    // A line this long is not a record of ours: drop it rather than grow without bound.
    if (rest.length > 65_536) rest = '';
  };
}

/** Parses one record; false when the line is not one (an alert, a notice). */
export function ingestLine(d: IngestDeps, line: string): boolean {
  // Ten tab-separated fields, cut with indexOf (no array, ~100 ns): this runs once per request.
  let at = 0;
  const next = () => {
    const tab = line.indexOf('\t', at);
    if (tab < 0) return undefined;
    const v = line.slice(at, tab);
    at = tab + 1;
    return v;
  };
  const time = next();
  const micros = next();
  const method = next();
  const backend = next();
  const server = next();
  const status = next();
  const retries = next();
  const term = next();
  const host = next();
  if (host === undefined || time === undefined || micros === undefined || method === undefined || backend === undefined || server === undefined || status === undefined || retries === undefined || term === undefined) return false;
  const path = line.slice(at);
  if (backend === ADMIN_BACKEND) return true;
  const code = Number(status);
  const latencyMs = Number(micros) / 1000;
  const redispatched = retries.startsWith('+');
  const attempts = 1 + (Number(redispatched ? retries.slice(1) : retries) || 0);
  const b = backend === NO_ROUTE_BACKEND ? undefined : d.layout().byName.get(backend);
  const ep = b?.byServer.get(server)?.endpoint;
  const route = b?.route;
  const reason = reasonOf(backend, server, code, term);
  d.accessLog.record(Number(time), method, host, path, route?.key, ep?.cluster, ep?.replica, ep?.jurisdiction, route?.residency, code, latencyMs, attempts, undefined, reason);
  if (route) {
    d.metrics.route(route.key).observe(ep?.cluster, code, latencyMs / 1000, route.slo);
    for (let i = 1; i < attempts; i++) d.metrics.retry(route.key, 'upstream_error');
  }
  d.onAccess?.({
    time: Number(time),
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
  const [cause, phase] = [term[0], term[1]];
  if (cause === '-' && status < 500) return undefined;
  if (phase === 'Q' || (cause === 's' && phase === 'Q')) return Reason.CircuitOpen;
  if (server === '<NOSRV>' && status === 503) return Reason.NoReadyEndpoint;
  if (phase === 'C' && (cause === 'S' || cause === 's')) return Reason.UpstreamConnect;
  if (cause === 's' || status === 504) return Reason.UpstreamTimeout;
  if (cause === 'S' || cause === 'P') return Reason.UpstreamReset;
  return undefined;
}
