// Budget evaluation: what a Budget's scope has spent this month (accrued from history), what
// it will spend by month end at the current run rate, which alert thresholds that crosses,
// and week-over-week growth. Pure on accruals; budgetCostInputs reads them from a store.
import type { Budget, BudgetSpec } from '../api/index.js';
import type { Store } from '../store/index.js';
import { accrue, type Accrual } from './accrual.js';
import { lineTotal, type CostLine, type PricingCache } from './allocation.js';
import type { PriceCatalog } from './catalog/contract.js';
import { readCostHistory } from './cost-report.js';

export interface BudgetCostInputs {
  now: Date;
  /** From the first of the month (UTC) to now. */
  monthToDate: Accrual;
  /** The last 7 days and the 7 before them. */
  lastWeek: Accrual;
  previousWeek: Accrual;
}

export interface BudgetEvaluation {
  /** `YYYY-MM` (UTC): thresholds re-arm every month. */
  period: string;
  limit: number;
  spent: number;
  /** Spent plus the current hourly rate until the end of the month. */
  forecast: number;
  currentPerHour: number;
  percent: number;
  forecastPercent: number;
  /** Thresholds (percent of limit) that `spent` has reached, ascending. */
  crossed: number[];
  /** Spent has reached the limit. */
  exceeded: boolean;
  forecastExceeded: boolean;
  weekOverWeek?: { lastWeek: number; previousWeek: number; growthPercent?: number; limitPercent: number; breached: boolean; week: string };
}

const WORKLOAD_KEYS = ['team', 'tenant', 'namespace'] as const;
const CLUSTER_KEYS = ['provider', 'region', 'residency', 'cluster'] as const;

/**
 * Whether a cost line counts against a scope. Allocation and egress lines match on every given
 * key. Idle and overhead belong to no team, so they count only for scopes made of cluster keys
 * (provider, region, residency, cluster) — a cluster's budget covers its whole bill.
 */
export function lineInScope(scope: BudgetSpec['scope'], l: CostLine): boolean {
  const workloadScoped = WORKLOAD_KEYS.some((k) => scope[k] !== undefined);
  if ((l.kind === 'idle' || l.kind === 'overhead') && workloadScoped) return false;
  for (const k of WORKLOAD_KEYS) if (scope[k] !== undefined && l[k] !== scope[k]) return false;
  for (const k of CLUSTER_KEYS) if (scope[k] !== undefined && l[k] !== scope[k]) return false;
  return true;
}

const sumScope = (scope: BudgetSpec['scope'], ls: readonly CostLine[]) => ls.filter((l) => lineInScope(scope, l)).reduce((a, l) => a + lineTotal(l), 0);

/** The start of the UTC month of `now` and the hours left in it. */
export function monthBounds(now: Date): { start: Date; end: Date; period: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end, period: start.toISOString().slice(0, 7) };
}

/**
 * Evaluates one budget against accrued and projected cost.
 * @example evaluateBudget(budget, await budgetCostInputs(store, new Date(), catalog)).crossed // [50, 80]
 */
export function evaluateBudget(budget: Budget, inputs: BudgetCostInputs): BudgetEvaluation {
  const { scope, monthlyLimit: limit } = budget.spec;
  const { end, period } = monthBounds(inputs.now);
  const spent = sumScope(scope, inputs.monthToDate.lines);
  const currentPerHour = sumScope(scope, inputs.monthToDate.current);
  const forecast = spent + currentPerHour * Math.max(0, (end.getTime() - inputs.now.getTime()) / 3_600_000);
  const percent = (spent / limit) * 100;
  const thresholds = [...new Set(budget.spec.alerts.thresholds)].sort((a, b) => a - b);
  const out: BudgetEvaluation = {
    period,
    limit,
    spent,
    forecast,
    currentPerHour,
    percent,
    forecastPercent: (forecast / limit) * 100,
    crossed: thresholds.filter((t) => percent >= t),
    exceeded: spent >= limit,
    forecastExceeded: forecast >= limit,
  };
  const wow = budget.spec.alerts.weekOverWeekGrowthPercent;
  if (wow !== undefined) {
    const lastWeek = sumScope(scope, inputs.lastWeek.lines);
    const previousWeek = sumScope(scope, inputs.previousWeek.lines);
    // Without a previous week there is no growth to speak of (a new team is not an alert).
    const growthPercent = previousWeek > 0 ? ((lastWeek - previousWeek) / previousWeek) * 100 : undefined;
    out.weekOverWeek = { lastWeek, previousWeek, limitPercent: wow, breached: growthPercent !== undefined && growthPercent > wow, week: inputs.lastWeek.since.slice(0, 10), ...(growthPercent !== undefined ? { growthPercent } : {}) };
  }
  return out;
}

/** Reads history once and accrues the month to date and the last two weeks. */
export async function budgetCostInputs(store: Store, now: Date, catalog: PriceCatalog, cache?: PricingCache): Promise<BudgetCostInputs> {
  const { start } = monthBounds(now);
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const twoWeeksAgo = new Date(now.getTime() - 14 * 86_400_000);
  const from = start < twoWeeksAgo ? start : twoWeeksAgo;
  const h = await readCostHistory(store, from.toISOString(), now.toISOString());
  const c = cache ?? new Map();
  const win = (a: Date, b: Date) => accrue({ ...h, since: a.toISOString(), until: b.toISOString(), catalog, cache: c });
  return { now, monthToDate: win(start, now), lastWeek: win(weekAgo, now), previousWeek: win(twoWeeksAgo, weekAgo) };
}
