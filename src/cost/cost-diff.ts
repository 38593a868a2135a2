// "Plan shows money": the cost of placements before and after a change, per workload and in
// total, per hour and per month, and which clusters gain or lose replicas. Pure.
import type { Cluster, Placement, Workload } from '../api/index.js';
import { allocateRates, lineTotal } from './allocation.js';
import type { PriceCatalog } from './catalog/contract.js';
import { HOURS_PER_MONTH } from './pricing.js';

export interface ClusterChange {
  cluster: string;
  before: number;
  after: number;
}

export interface WorkloadCostDiff {
  /** `namespace/name` of the workload. */
  workload: string;
  change: 'added' | 'removed' | 'changed' | 'unchanged';
  beforePerHour: number;
  afterPerHour: number;
  beforeMonthly: number;
  afterMonthly: number;
  deltaMonthly: number;
  /** Clusters whose replica count differs, sorted by name. */
  clusters: ClusterChange[];
}

export interface CostDiff {
  workloads: WorkloadCostDiff[];
  total: { beforePerHour: number; afterPerHour: number; beforeMonthly: number; afterMonthly: number; deltaMonthly: number; deltaPercent: number };
}

export interface CostDiffOptions {
  /**
   * Re-price both sides with the allocation model instead of trusting `spec.costPerHour`
   * (for placements not written by the scheduler). Workloads are looked up per side.
   */
  price?: { clusters: readonly Cluster[]; before: readonly Workload[]; after: readonly Workload[]; catalog: PriceCatalog };
}

/**
 * Compares two sets of placements. By default each placement's `spec.costPerHour` (what the
 * scheduler computed) is its price; with `opts.price` both sides are priced from requests.
 * @example const d = costDiff(current, planned); d.total.deltaMonthly // -123.4
 */
export function costDiff(before: readonly Placement[], after: readonly Placement[], opts: CostDiffOptions = {}): CostDiff {
  const priceOf = (ps: readonly Placement[], ws: readonly Workload[] | undefined): Map<string, number> => {
    const m = new Map<string, number>();
    if (!opts.price || !ws) {
      for (const p of ps) m.set(keyOf(p), (m.get(keyOf(p)) ?? 0) + p.spec.costPerHour);
      return m;
    }
    for (const p of ps) m.set(keyOf(p), 0);
    for (const l of allocateRates({ clusters: opts.price.clusters, workloads: ws, placements: ps }, opts.price.catalog).lines)
      if (l.kind === 'allocation') m.set(`${l.namespace}/${l.workload}`, (m.get(`${l.namespace}/${l.workload}`) ?? 0) + lineTotal(l));
    return m;
  };
  const b = priceOf(before, opts.price?.before);
  const a = priceOf(after, opts.price?.after);
  const replicas = (ps: readonly Placement[]) => {
    const m = new Map<string, Map<string, number>>();
    for (const p of ps) {
      const r = m.get(keyOf(p)) ?? new Map<string, number>();
      for (const c of p.spec.clusters) r.set(c.cluster, (r.get(c.cluster) ?? 0) + c.replicas);
      m.set(keyOf(p), r);
    }
    return m;
  };
  const rb = replicas(before);
  const ra = replicas(after);
  const keys = [...new Set([...rb.keys(), ...ra.keys()])].sort();
  const workloads = keys.map((k): WorkloadCostDiff => {
    const x = rb.get(k);
    const y = ra.get(k);
    const names = [...new Set([...(x?.keys() ?? []), ...(y?.keys() ?? [])])].sort();
    const clusters = names.map((cluster) => ({ cluster, before: x?.get(cluster) ?? 0, after: y?.get(cluster) ?? 0 })).filter((c) => c.before !== c.after);
    const beforePerHour = b.get(k) ?? 0;
    const afterPerHour = a.get(k) ?? 0;
    const change = !x ? 'added' : !y ? 'removed' : clusters.length || Math.abs(afterPerHour - beforePerHour) > 1e-9 ? 'changed' : 'unchanged';
    return { workload: k, change, beforePerHour, afterPerHour, beforeMonthly: beforePerHour * HOURS_PER_MONTH, afterMonthly: afterPerHour * HOURS_PER_MONTH, deltaMonthly: (afterPerHour - beforePerHour) * HOURS_PER_MONTH, clusters };
  });
  const bh = workloads.reduce((s, w) => s + w.beforePerHour, 0);
  const ah = workloads.reduce((s, w) => s + w.afterPerHour, 0);
  return {
    workloads,
    total: { beforePerHour: bh, afterPerHour: ah, beforeMonthly: bh * HOURS_PER_MONTH, afterMonthly: ah * HOURS_PER_MONTH, deltaMonthly: (ah - bh) * HOURS_PER_MONTH, deltaPercent: bh > 0 ? ((ah - bh) / bh) * 100 : 0 },
  };
}

const money = (x: number) => `$${x.toFixed(2)}`;
const signed = (x: number) => `${x >= 0 ? '+' : '-'}$${Math.abs(x).toFixed(2)}`;

/** Text lines for `plan`: changed workloads with their monthly cost and moved replicas, then the total. */
export function formatCostDiff(d: CostDiff): string {
  const out: string[] = [];
  for (const w of d.workloads) {
    if (w.change === 'unchanged') continue;
    const moves = w.clusters.map((c) => `${c.cluster} ${c.before}→${c.after}`).join(', ');
    out.push(`  ${w.workload}: ${money(w.beforeMonthly)}/mo → ${money(w.afterMonthly)}/mo (${signed(w.deltaMonthly)})${moves ? `  [${moves}]` : ''}`);
  }
  const t = d.total;
  out.push(`Cost: ${money(t.beforePerHour)}/h → ${money(t.afterPerHour)}/h, ${money(t.beforeMonthly)}/mo → ${money(t.afterMonthly)}/mo (${signed(t.deltaMonthly)}/mo, ${t.deltaPercent >= 0 ? '+' : ''}${t.deltaPercent.toFixed(1)}%)`);
  return out.join('\n') + '\n';
}

function keyOf(p: Placement): string {
  return `${p.metadata.namespace ?? ''}/${p.spec.workload}`;
}
