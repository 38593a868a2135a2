// Computed cost views for the HTTP server: showback (`GET /api/v1alpha1/cost`) and savings
// recommendations (`GET /api/v1alpha1/recommendations`), read from the store at request time.
import { API_VERSION, type Cluster, type Placement, type Workload } from '../api/index.js';
import type { View } from '../server/index.js';
import type { PriceCatalog } from './catalog/contract.js';
import { defaultCatalog } from './catalog/index.js';
import { COST_WINDOWS, costReport, parseCostQuery } from './cost-report.js';
import { recommend, type RecommendOptions } from './recommend.js';
import type { TrafficFlow } from './showback.js';
import { usageProfilesFromStore } from './usage-profile.js';

export interface CostViewsOptions {
  catalog?: PriceCatalog;
  /** The gateway's traffic matrix for a window; absent until the gateway reports traffic (egress shows as $0 with a note). */
  traffic?: (window: { since: string; until: string }) => Promise<TrafficFlow[] | undefined> | TrafficFlow[] | undefined;
  recommend?: RecommendOptions;
}

/**
 * The cost views, for `startServer({ views: costViews() })`.
 * - `GET /api/v1alpha1/cost?by=team|tenant|namespace|provider|region|residency|cluster|workload&window=24h|7d|30d&shareIdle=true`
 * - `GET /api/v1alpha1/recommendations[?window=7d]` (usage p95 over the window)
 */
export function costViews(opts: CostViewsOptions = {}): View[] {
  let catalog = opts.catalog;
  const cat = () => (catalog ??= defaultCatalog());
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/cost',
      name: 'cost',
      handler: async (ctx) => {
        const q = ctx.url.searchParams;
        const parsed = parseCostQuery({ by: q.get('by') ?? undefined, window: q.get('window') ?? undefined, shareIdle: q.get('shareIdle') ?? undefined });
        const now = new Date();
        const hours = COST_WINDOWS[parsed.window];
        const traffic = await opts.traffic?.({ since: new Date(now.getTime() - hours * 3_600_000).toISOString(), until: now.toISOString() });
        const report = await costReport(ctx.store, { ...parsed, now, catalog: cat(), ...(traffic ? { traffic } : {}) });
        return { body: { apiVersion: API_VERSION, kind: 'CostReport', ...report } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1alpha1/recommendations',
      name: 'recommendations',
      handler: async (ctx) => {
        const window = parseCostQuery({ window: ctx.url.searchParams.get('window') ?? undefined }).window;
        const until = new Date();
        const since = new Date(until.getTime() - COST_WINDOWS[window] * 3_600_000);
        const [clusters, workloads, placements, usage] = await Promise.all([
          ctx.store.list('Cluster'),
          ctx.store.list('Workload'),
          ctx.store.list('Placement'),
          usageProfilesFromStore(ctx.store, { since, until }),
        ]);
        const r = recommend({
          clusters: clusters.items as Cluster[],
          workloads: workloads.items as Workload[],
          placements: placements.items as Placement[],
          usage,
          catalog: cat(),
          ...(opts.recommend ? { options: opts.recommend } : {}),
        });
        return {
          body: {
            apiVersion: API_VERSION,
            kind: 'RecommendationList',
            window,
            monthlyBefore: r.monthlyBefore,
            monthlyAfter: r.monthlyAfter,
            monthlySaving: r.monthlyBefore - r.monthlyAfter,
            items: r.recommendations,
            existingViolations: r.existingViolations,
            // Early on, "nothing to save" may only mean usage has not been sampled long enough.
            tooFewSamples: { minSamples: r.tooFewSamples.minSamples, workloads: r.tooFewSamples.workloads.length, of: workloads.items.length },
          },
        };
      },
    },
  ];
}
