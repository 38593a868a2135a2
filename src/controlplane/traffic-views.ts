// Traffic as the in-process gateway sees it, served by the API server for the dashboard and
// the CLI: the recent-requests ring and the routing table with endpoint states and SLOs.
import type { RunningGateway } from '../gateway/index.js';
import { badParam, parseIntParam, type View } from '../server/index.js';

/** Most entries one `traffic/recent` answer may ask for (the ring holds fewer anyway). */
export const MAX_RECENT_LIMIT = 100_000;

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
        // Parameters are checked even without a gateway: a bad query is the caller's error either way.
        const since = parseSince(ctx.url.searchParams);
        const limit = parseIntParam(ctx.url.searchParams, 'limit', 1, MAX_RECENT_LIMIT);
        const g = gw();
        if (!g) return { body: { url: null, total: 0, residencyViolations: 0, entries: [] } };
        const entries = g.accessLog.recent({ ...(since !== undefined ? { since } : {}), ...(limit !== undefined ? { limit } : {}) });
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

/** `since` is a time in epoch milliseconds, as the entries carry it. */
function parseSince(q: URLSearchParams): number | undefined {
  const v = q.get('since');
  if (v === null || v === '') return undefined;
  if (!/^\d{1,16}(\.\d{1,6})?$/.test(v)) throw badParam('since', `"${v}" must be a time in epoch milliseconds (a non-negative number)`);
  return Number(v);
}
