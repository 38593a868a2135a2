// The showback report read from a store: history of Clusters, Workloads and Placements over a
// window, accrued, grouped and projected. What `GET /api/v1alpha1/cost` and `truststram cost` show.
import { BadRequestError, type ApiObject, type Workload } from '../api/index.js';
import type { HistoryEntry, Store } from '../store/index.js';
import { accrue, type Accrual } from './accrual.js';
import { attribution, lineTotal, type CostLine, type PricingCache } from './allocation.js';
import type { PriceCatalog } from './catalog/contract.js';
import { HOURS_PER_MONTH } from './pricing.js';
import { INFRA_DIMENSIONS, SHOWBACK_DIMENSIONS, egressLines, showbackRows, type ShowbackDimension, type ShowbackRow, type TrafficFlow } from './showback.js';

export const COST_WINDOWS = { '24h': 24, '7d': 168, '30d': 720 } as const;
export type CostWindow = keyof typeof COST_WINDOWS;

export interface CostReportOptions {
  by?: ShowbackDimension;
  window?: CostWindow;
  shareIdle?: boolean;
  /** End of the window (default now). */
  now?: Date;
  catalog: PriceCatalog;
  /** Gateway traffic over the window; absent: egress is reported as zero with a note. */
  traffic?: readonly TrafficFlow[];
  cache?: PricingCache;
}

export interface CostReport {
  by: ShowbackDimension;
  window: CostWindow;
  since: string;
  until: string;
  shareIdle: boolean;
  rows: ShowbackRow[];
  totals: { totalCost: number; allocated: number; idle: number; overhead: number; egress: number; costPerHour: number; projectedMonthly: number };
  notes: string[];
  warnings: string[];
}

/** Checks `by` and `window` values from a query string or flag; throws BadRequestError (400) naming the field. */
export function parseCostQuery(q: { by?: string; window?: string; shareIdle?: string | boolean }): { by: ShowbackDimension; window: CostWindow; shareIdle: boolean } {
  const by = (q.by ?? 'team') as ShowbackDimension;
  if (!SHOWBACK_DIMENSIONS.includes(by)) throw new BadRequestError(`unknown grouping "${q.by}"`, [{ field: 'by', message: `expected one of ${SHOWBACK_DIMENSIONS.join(', ')}` }]);
  const window = (q.window ?? '7d') as CostWindow;
  if (!(window in COST_WINDOWS)) throw new BadRequestError(`unknown window "${q.window}"`, [{ field: 'window', message: `expected one of ${Object.keys(COST_WINDOWS).join(', ')}` }]);
  const s = q.shareIdle;
  const shareIdle = s === true || s === 'true' || s === '1' || s === '';
  if (s !== undefined && !shareIdle && s !== false && s !== 'false' && s !== '0') throw new BadRequestError(`shareIdle must be true or false`, [{ field: 'shareIdle', message: 'expected true or false' }]);
  return { by, window, shareIdle };
}

/**
 * Reads history for [since, until] with the state in effect at `since`. Objects that exist now
 * but have no version in the result (their history was compacted and they did not change in
 * the window) are taken as in effect for the whole window, which is exactly what happened.
 */
export async function readCostHistory(store: Store, since: string, until: string): Promise<{ clusters: HistoryEntry[]; workloads: HistoryEntry[]; placements: HistoryEntry[] }> {
  const read = async (kind: string) => {
    const h = await store.history(kind, { since, until, includeStateAtSince: true });
    const seen = new Set(h.map((e) => key(e.object)));
    const { items } = await store.list(kind);
    for (const o of items) if (!seen.has(key(o))) h.unshift({ resourceVersion: '0', time: since, type: 'ADDED', object: o });
    return h;
  };
  const [clusters, workloads, placements] = await Promise.all([read('Cluster'), read('Workload'), read('Placement')]);
  return { clusters, workloads, placements };
}

/** Accrues a window of the store's history. */
export async function accrueFromStore(store: Store, opts: { since: Date; until: Date; catalog: PriceCatalog; cache?: PricingCache }): Promise<Accrual> {
  const since = opts.since.toISOString();
  const until = opts.until.toISOString();
  const h = await readCostHistory(store, since, until);
  return accrue({ ...h, since, until, catalog: opts.catalog, cache: opts.cache });
}

/**
 * The showback report: accrued cost by `by` over `window`, idle and overhead apart (or shared),
 * egress from `traffic`, the run rate and projected month.
 * @example await costReport(store, { by: 'team', window: '7d', catalog: defaultCatalog() })
 */
export async function costReport(store: Store, opts: CostReportOptions): Promise<CostReport> {
  const by = opts.by ?? 'team';
  const window = opts.window ?? '7d';
  const until = opts.now ?? new Date();
  const since = new Date(until.getTime() - COST_WINDOWS[window] * 3_600_000);
  const acc = await accrueFromStore(store, { since, until, catalog: opts.catalog, cache: opts.cache });
  const notes: string[] = [];
  // Under an infrastructure dimension idle and fees already sit in the row of their cluster:
  // sharing them over its allocations would only move them between columns.
  const infra = INFRA_DIMENSIONS.includes(by);
  const shareIdle = !!opts.shareIdle && !infra;
  if (opts.shareIdle && infra) notes.push(`shareIdle has no effect by ${by}: idle capacity and fees are already in the row of their cluster`);
  if (infra) notes.push(`each row is the whole bill of its ${by === 'cluster' ? 'cluster' : `${by}'s clusters`}: allocated CPU and memory, idle capacity and control-plane fees (clusters running nothing included)`);
  let egress: CostLine[] = [];
  let egressRate: CostLine[] = [];
  if (opts.traffic === undefined) notes.push('egress not included: no gateway traffic matrix was given (estimated as $0)');
  else {
    const workloads = new Map((await store.list('Workload')).items.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o as Workload]));
    const who = (k: string) => {
      const w = workloads.get(k);
      return w ? { ...attribution(w), namespace: w.metadata.namespace!, workload: w.metadata.name } : undefined;
    };
    egress = egressLines(opts.traffic, opts.catalog, who);
    // The window's traffic spread evenly over it gives the current egress rate.
    egressRate = egress.map((l) => ({ ...l, otherCost: acc.hours > 0 ? l.otherCost / acc.hours : 0 }));
  }
  const lines = [...acc.lines, ...egress];
  const current = [...acc.current, ...egressRate];
  const sum = (ls: CostLine[], k?: CostLine['kind']) => ls.filter((l) => !k || l.kind === k).reduce((a, l) => a + lineTotal(l), 0);
  const costPerHour = sum(current);
  return {
    by,
    window,
    since: acc.since,
    until: acc.until,
    shareIdle,
    rows: showbackRows(lines, current, { by, shareIdle }),
    totals: {
      totalCost: sum(lines),
      allocated: sum(lines, 'allocation'),
      idle: sum(lines, 'idle'),
      overhead: sum(lines, 'overhead'),
      egress: sum(lines, 'egress'),
      costPerHour,
      projectedMonthly: costPerHour * HOURS_PER_MONTH,
    },
    notes,
    warnings: acc.warnings,
  };
}

function key(o: ApiObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
