// The budget controller: evaluates every Budget against accrued and projected cost, writes its
// status, and raises each alert once per crossing — an Event and the Budget status in one
// atomic apply, then an audit decision and the webhook (in the background).
import { API_VERSION, budgetSchema, type ApiObject, type Budget } from '../../api/index.js';
import { SYSTEM_NAMESPACE } from '../events/recorder.js';
import { budgetCostInputs, evaluateBudget, formatUsd, type BudgetCostInputs, type BudgetEvaluation, type PriceCatalog, type PricingCache } from '../../cost/index.js';
import type { Mutation, Store } from '../../store/index.js';
import type { ControllerSpec, Manager, Reconciler } from '../runtime/index.js';
import type { WebhookNotifier } from './webhook.js';

export const BUDGET_CONTROLLER = 'budget';
const ACTOR = 'controller:budget';

export interface BudgetControllerOptions {
  store: Store;
  catalog: PriceCatalog;
  notifier?: WebhookNotifier;
  /** Re-evaluate every budget this often even without changes, as cost accrues (default 60 s). */
  recheckMs?: number;
  /** The clock (tests pin it). */
  now?: () => Date;
}

/** One alert raised by a reconcile. */
export interface BudgetAlert {
  type: 'threshold' | 'forecast' | 'week-over-week';
  threshold?: number;
  message: string;
  eventName: string;
}

/** What the controller keeps in `status.alerted` to raise each alert once per crossing. */
interface Alerted {
  period: string;
  thresholds: number[];
  forecast: boolean;
  weekOverWeek?: string;
}

const money = formatUsd;
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Alerts that `e` raises beyond those already recorded in `alerted`. Pure. */
export function newAlerts(budget: Budget, e: BudgetEvaluation, alerted: Alerted | undefined): { alerts: BudgetAlert[]; alerted: Alerted } {
  const name = budget.metadata.name;
  const same = alerted?.period === e.period;
  const prev = same ? alerted! : { period: e.period, thresholds: [], forecast: false };
  const alerts: BudgetAlert[] = [];
  for (const t of e.crossed)
    if (!prev.thresholds.includes(t))
      alerts.push({ type: 'threshold', threshold: t, eventName: `budget-${name}.${e.period}.t${String(t).replace('.', '-')}`, message: `budget ${name}: ${money(e.spent)} spent of ${money(e.limit)} in ${e.period} (${e.percent.toFixed(1)}%), crossing ${t}%` });
  if (e.forecastExceeded && !prev.forecast)
    alerts.push({ type: 'forecast', eventName: `budget-${name}.${e.period}.forecast`, message: `budget ${name}: forecast ${money(e.forecast)} for ${e.period} exceeds the limit of ${money(e.limit)} at the current rate of ${money(e.currentPerHour)}/h` });
  const w = e.weekOverWeek;
  if (w?.breached && alerted?.weekOverWeek !== w.week)
    alerts.push({ type: 'week-over-week', eventName: `budget-${name}.wow.${w.week}`, message: `budget ${name}: spend grew ${w.growthPercent!.toFixed(1)}% week over week (${money(w.previousWeek)} → ${money(w.lastWeek)}), above ${w.limitPercent}%` });
  return {
    alerts,
    alerted: { period: e.period, thresholds: [...new Set([...prev.thresholds, ...e.crossed])].sort((a, b) => a - b), forecast: prev.forecast || e.forecastExceeded, ...(w?.breached ? { weekOverWeek: w.week } : alerted?.weekOverWeek ? { weekOverWeek: alerted.weekOverWeek } : {}) },
  };
}

/** The status written for an evaluation (money rounded so idle budgets are not rewritten). */
export function budgetStatus(e: BudgetEvaluation, alerted: Alerted): Record<string, unknown> {
  return {
    period: e.period,
    limit: e.limit,
    spent: r4(e.spent),
    forecast: r4(e.forecast),
    currentPerHour: r4(e.currentPerHour),
    percent: Math.round(e.percent * 100) / 100,
    forecastPercent: Math.round(e.forecastPercent * 100) / 100,
    breachedThresholds: e.crossed,
    exceeded: e.exceeded,
    forecastExceeded: e.forecastExceeded,
    ...(e.weekOverWeek ? { weekOverWeek: { ...e.weekOverWeek, lastWeek: r4(e.weekOverWeek.lastWeek), previousWeek: r4(e.weekOverWeek.previousWeek), ...(e.weekOverWeek.growthPercent !== undefined ? { growthPercent: Math.round(e.weekOverWeek.growthPercent * 100) / 100 } : {}) } } : {}),
    alerted,
  };
}

/** What in a status changes only by a step: a user acts on these, so a change is written at once. */
function discrete(st: Record<string, unknown>): unknown[] {
  return [st.period, st.limit, st.breachedThresholds, st.exceeded, st.forecastExceeded, (st.weekOverWeek as { breached?: boolean } | undefined)?.breached, st.alerted];
}

/**
 * The reconciler for keys `Budget/<name>`. Cost inputs are shared by all budgets evaluated at
 * the same store revision within the same minute, so N budgets cost one history read.
 */
export function createBudgetReconciler(opts: BudgetControllerOptions): Reconciler {
  const now = opts.now ?? (() => new Date());
  const recheckMs = opts.recheckMs ?? 60_000;
  const cache: PricingCache = new Map();
  let inputs: { key: string; value: Promise<BudgetCostInputs> } | undefined;
  const costInputs = async (t: Date) => {
    const key = `${await opts.store.revision()}@${Math.floor(t.getTime() / 60_000)}`;
    if (inputs?.key !== key) inputs = { key, value: budgetCostInputs(opts.store, t, opts.catalog, cache) };
    return inputs.value.catch((err: unknown) => {
      inputs = undefined;
      throw err;
    });
  };

  return {
    name: BUDGET_CONTROLLER,
    async reconcile(key) {
      const name = key.split('/').pop()!;
      const stored = await opts.store.get({ kind: 'Budget', name });
      if (!stored) return;
      const budget = budgetSchema.parse(stored);
      const t = now();
      const e = evaluateBudget(budget, await costInputs(t));
      const old = (stored.status ?? {}) as { alerted?: Alerted };
      const { alerts, alerted } = newAlerts(budget, e, old.alerted);
      const status = budgetStatus(e, alerted);
      const { observedAt, ...oldComparable } = (stored.status ?? {}) as Record<string, unknown>;
      if (!alerts.length) {
        if (JSON.stringify(oldComparable) === JSON.stringify(status)) return { requeueAfterMs: recheckMs };
        // Spend accrues every second, so its figures always differ: they are rewritten once per
        // recheck, and at once only when something a user acts on changed (limit, period,
        // thresholds, exceeded). Otherwise every placement change, or a limit small enough to
        // move the percentage on each pass, would rewrite the status without end.
        const since = t.getTime() - Date.parse(String(observedAt));
        if (JSON.stringify(discrete(oldComparable)) === JSON.stringify(discrete(status)) && since >= 0 && since < recheckMs) return { requeueAfterMs: recheckMs - since };
      }

      const mutations: Mutation[] = [
        { verb: 'updateStatus', object: { ...stored, status: { ...status, observedAt: t.toISOString() } } as ApiObject, expectedResourceVersion: stored.metadata.resourceVersion },
        ...alerts.map((a): Mutation => ({ verb: 'upsert', object: alertEvent(budget, a, e, t) })),
      ];
      // Status and events commit together: a crash cannot record an alert without its event or
      // raise an event the status does not remember (so it is never raised twice).
      await opts.store.apply(mutations, { actor: ACTOR, reason: alerts.length ? `budget alert: ${alerts.map((a) => a.type + (a.threshold ? ` ${a.threshold}%` : '')).join(', ')}` : 'budget status' });
      for (const a of alerts) {
        await opts.store.recordDecision({ actor: ACTOR, verb: 'budget-alert', ref: { kind: 'Budget', name }, details: { type: a.type, ...(a.threshold ? { threshold: a.threshold } : {}), message: a.message, period: e.period, spent: r4(e.spent), forecast: r4(e.forecast), limit: e.limit } });
        if (budget.spec.webhook) opts.notifier?.notify(budget.spec.webhook.url, { budget: name, alert: a.type, threshold: a.threshold, message: a.message, period: e.period, spent: r4(e.spent), forecast: r4(e.forecast), limit: e.limit, scope: budget.spec.scope, time: t.toISOString() });
      }
      return { requeueAfterMs: recheckMs };
    },
  };
}

function alertEvent(b: Budget, a: BudgetAlert, e: BudgetEvaluation, t: Date): ApiObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Event',
    metadata: { name: a.eventName, namespace: SYSTEM_NAMESPACE, labels: { 'truststram.io/budget': b.metadata.name } },
    spec: {
      involvedObject: { kind: 'Budget', name: b.metadata.name },
      type: 'Warning',
      reason: a.type === 'threshold' ? 'BudgetThresholdCrossed' : a.type === 'forecast' ? 'BudgetForecastExceeded' : 'BudgetWeekOverWeekGrowth',
      message: a.message,
      source: ACTOR,
      count: 1,
      firstTimestamp: t.toISOString(),
      lastTimestamp: t.toISOString(),
      data: { period: e.period, spent: r4(e.spent), forecast: r4(e.forecast), limit: e.limit, ...(a.threshold ? { threshold: a.threshold } : {}) },
    },
  };
}

/**
 * The controller as the manager runs it: a Budget change reconciles that budget; a Placement or
 * Workload change reconciles every budget (cost moved); and each rechecks every `recheckMs`.
 * @example manager.add(budgetController(manager, { store, catalog: defaultCatalog(), notifier }))
 */
export function budgetController(manager: Manager, opts: BudgetControllerOptions): ControllerSpec {
  const all = () => manager.informer('Budget').list().map((b) => `Budget/${b.metadata.name}`);
  return {
    reconciler: createBudgetReconciler(opts),
    watches: [
      // Its own status writes change no input: only a new or changed spec is reconciled at once.
      { kind: 'Budget', keys: (t, o, old) => (t !== 'MODIFIED' || o.metadata.generation !== old?.metadata.generation ? [`Budget/${o.metadata.name}`] : []) },
      { kind: 'Placement', keys: () => all() },
      // Status-only updates (frequent while replicas converge) change no cost: ignore them.
      { kind: 'Workload', keys: (t, o, old) => (t !== 'MODIFIED' || o.metadata.generation !== old?.metadata.generation || JSON.stringify(o.metadata.labels) !== JSON.stringify(old?.metadata.labels) ? all() : []) },
    ],
  };
}
