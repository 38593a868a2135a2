// The `block-scale-up` budget action at admission: raising a Workload's replicas is denied while
// a block-scale-up Budget whose scope covers the workload has spent its monthly limit.
import { clusterJurisdiction, type ApiObject, type Budget, type Cluster, type Placement, type Workload } from '../../api/index.js';
import { formatUsd, monthBounds } from '../../cost/index.js';
import type { AdmissionHook } from '../../server/index.js';
import type { Store } from '../../store/index.js';

const WORKLOAD_KEYS = ['team', 'tenant', 'namespace'] as const;
const CLUSTER_KEYS = ['provider', 'region', 'residency', 'cluster'] as const;

/**
 * Whether a budget scope covers a workload: team/tenant labels and namespace directly; provider,
 * region, residency and cluster through where its Placement runs replicas (any cluster matching).
 */
export async function scopeCoversWorkload(scope: Budget['spec']['scope'], w: ApiObject, store: Store): Promise<boolean> {
  const labels = w.metadata.labels ?? {};
  const own = { team: labels.team, tenant: labels.tenant, namespace: w.metadata.namespace };
  for (const k of WORKLOAD_KEYS) if (scope[k] !== undefined && own[k] !== scope[k]) return false;
  if (!CLUSTER_KEYS.some((k) => scope[k] !== undefined)) return true;
  const p = (await store.get({ kind: 'Placement', namespace: w.metadata.namespace, name: w.metadata.name })) as Placement | undefined;
  for (const pc of p?.spec.clusters ?? []) {
    if (pc.replicas <= 0) continue;
    const c = (await store.get({ kind: 'Cluster', name: pc.cluster })) as Cluster | undefined;
    if (!c) continue;
    const where = { provider: c.spec.provider, region: c.spec.region, residency: clusterJurisdiction(c), cluster: c.metadata.name };
    if (CLUSTER_KEYS.every((k) => scope[k] === undefined || where[k] === scope[k])) return true;
  }
  return false;
}

/**
 * Admission hook for `block-scale-up` budgets. Only a raise of `spec.replicas` (or of
 * `autoscaling.minReplicas`) on UPDATE is judged; creates, scale-downs and status writes pass.
 * A budget counts as breached when the budget controller recorded `exceeded` for the current
 * month, so a new month lifts the block without a write.
 * @example startServer({ admission: [budgetAdmissionHook()] })
 */
export function budgetAdmissionHook(opts: { now?: () => Date } = {}): AdmissionHook {
  const now = opts.now ?? (() => new Date());
  return async (req) => {
    if (req.operation !== 'UPDATE' || req.subresource === 'status' || req.object?.kind !== 'Workload' || !req.oldObject) return { verdict: 'allow' };
    const after = req.object as Workload;
    const before = req.oldObject as Workload;
    const raised = (after.spec.replicas ?? 1) > (before.spec.replicas ?? 1) || (after.spec.autoscaling?.minReplicas ?? 0) > (before.spec.autoscaling?.minReplicas ?? 0);
    if (!raised) return { verdict: 'allow' };
    const period = monthBounds(now()).period;
    const messages: string[] = [];
    for (const o of (await req.store.list('Budget')).items) {
      const b = o as Budget;
      const s = (b.status ?? {}) as { exceeded?: boolean; period?: string; spent?: number };
      if (b.spec.action !== 'block-scale-up' || !s.exceeded || s.period !== period) continue;
      if (!(await scopeCoversWorkload(b.spec.scope, after, req.store))) continue;
      messages.push(`budget ${b.metadata.name} has spent ${formatUsd(s.spent ?? 0)} of its ${formatUsd(b.spec.monthlyLimit)} limit for ${period}; scaling up ${after.metadata.namespace ?? 'default'}/${after.metadata.name} is blocked (action block-scale-up)`);
    }
    return messages.length ? { verdict: 'deny', causes: messages.map((message) => ({ field: 'spec.replicas', message })) } : { verdict: 'allow' };
  };
}
