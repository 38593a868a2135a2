// Traffic as the in-process gateway sees it, served by the API server for the dashboard and
// the CLI: the recent-requests ring and the routing table with endpoint states and SLOs.
import type { RunningGateway } from '../gateway/index.js';
import type { View } from '../server/index.js';

/**
 * `GET /api/v1alpha1/traffic/recent?since=&limit=` → `{url, total, residencyViolations, entries}`;
 * `GET /api/v1alpha1/traffic/routes` → the gateway's `/_truststram/routes` document plus its `url`.
 * `gateway` is late-bound: the views exist before the gateway listens.
 */
export function trafficViews(gateway: () => RunningGateway | undefined): View[] {
  const gw = () => gateway();
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/traffic/recent',
      name: 'traffic-recent',
      handler: async (ctx) => {
        const g = gw();
        const since = Number(ctx.url.searchParams.get('since') ?? NaN);
        const limit = Number(ctx.url.searchParams.get('limit') ?? NaN);
        if (!g) return { body: { url: null, total: 0, residencyViolations: 0, entries: [] } };
        const entries = g.accessLog.recent({ ...(Number.isFinite(since) ? { since } : {}), ...(Number.isFinite(limit) && limit > 0 ? { limit } : {}) });
        return { body: { url: g.url, total: g.accessLog.total, residencyViolations: g.accessLog.residencyViolations(), entries } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1alpha1/traffic/routes',
      name: 'traffic-routes',
      handler: async () => {
        const g = gw();
        if (!g) return { body: { url: null, builtAt: null, problems: [], routes: [], endpoints: [], metrics: { requests: 0, retries: 0, ejections: 0, residencyViolations: 0, residencyFilteredEndpoints: 0, routes: [] } } };
        const t = g.table();
        return {
          body: {
            url: g.url,
            builtAt: t.builtAt,
            problems: t.problems,
            routes: t.routes.map((r) => ({ ...r, endpoints: undefined })),
            endpoints: g.endpoints(),
            metrics: g.metrics.snapshot(),
          },
        };
      },
    },
  ];
}
