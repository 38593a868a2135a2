// The admin endpoints (`/metrics`, `/healthz`, `/routes`, `/recent`), shared by a gateway and
// by the primary of a multi-process gateway, which serves them from its aggregated views.
import type { ServerResponse } from 'node:http';
import type { AccessLog } from './access-log.js';
import type { EndpointView } from './gateway.js';
import type { GatewayMetrics } from './metrics.js';
import type { RouteTable } from './route-table.js';

export interface AdminViews {
  metrics: GatewayMetrics;
  accessLog: AccessLog;
  table(): RouteTable;
  endpoints(): EndpointView[];
}

/** Returns a handler that serves `path` (relative to the admin root) and resolves false when it is not an admin path. */
export function createAdmin(v: AdminViews): (path: string, res: ServerResponse) => Promise<boolean> {
  return async (path, res) => {
    const [p, query] = path.split('?', 2) as [string, string | undefined];
    if (p === '/metrics') {
      const body = await v.metrics.text();
      res.writeHead(200, { 'content-type': v.metrics.registry.contentType });
      res.end(body);
    } else if (p === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    } else if (p === '/routes') {
      const t = v.table();
      json(res, { builtAt: t.builtAt, problems: t.problems, routes: t.routes.map((r) => ({ ...r, endpoints: undefined })), endpoints: v.endpoints(), metrics: v.metrics.snapshot() });
    } else if (p === '/recent') {
      const since = Number(new URLSearchParams(query ?? '').get('since') ?? NaN);
      json(res, { total: v.accessLog.total, residencyViolations: v.accessLog.residencyViolations(), entries: v.accessLog.recent(Number.isFinite(since) ? { since } : {}) });
    } else return false;
    return true;
  };
}

function json(res: ServerResponse, v: unknown): void {
  const body = JSON.stringify(v);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
