// Showback: accrued cost lines grouped by a dimension (team, tenant, namespace, provider,
// region, residency, cluster, workload), idle and overhead as their own rows or shared by
// weight, egress from a traffic matrix, and the projected month from the current run rate.
import { EGRESS, IDLE, OVERHEAD, UNALLOCATED, lineTotal, type CostLine } from './allocation.js';
import type { PriceCatalog } from './catalog/contract.js';
import { transferPricePerGB } from './network.js';
import { HOURS_PER_MONTH } from './pricing.js';

export const SHOWBACK_DIMENSIONS = ['team', 'tenant', 'namespace', 'provider', 'region', 'residency', 'cluster', 'workload'] as const;
export type ShowbackDimension = (typeof SHOWBACK_DIMENSIONS)[number];
/**
 * Dimensions of the infrastructure itself. Idle capacity, control-plane fees and egress belong
 * to one cluster (and so to its provider, region and residency), so under these each row is the
 * whole bill of its group — allocated, idle and fees — and a cluster running nothing has a row.
 * Under the organisational dimensions they stay rows of their own (or are shared, `shareIdle`,
 * which costReport applies under those dimensions only).
 */
export const INFRA_DIMENSIONS: readonly ShowbackDimension[] = ['cluster', 'provider', 'region', 'residency'];

export interface ShowbackRow {
  /** The group (`payments`), or `__idle__`, `__overhead__`, `__egress__`, `__unallocated__`. */
  name: string;
  cpuCost: number;
  memoryCost: number;
  /** Idle and overhead shared into this row (0 unless sharing). */
  sharedCost: number;
  /** Idle capacity of this row's clusters (infrastructure dimensions only; else 0). */
  idleCost: number;
  /** Control-plane fees of this row's clusters (infrastructure dimensions only; else 0). */
  overheadCost: number;
  egressCost: number;
  /** USD accrued in the window. */
  totalCost: number;
  /** Share of the window's total, 0..1. */
  share: number;
  /** USD per hour now, and that rate over a month (730 h). */
  costPerHour: number;
  projectedMonthly: number;
}

/** Bytes sent between two clusters (or on behalf of one workload) over the window. */
export interface TrafficFlow {
  from: { cluster: string; provider: string; region: string };
  to: { cluster?: string; provider: string; region: string };
  gb: number;
  /** `namespace/name` of the sending workload, when the gateway knows it. */
  workload?: string;
}

/** Egress lines of a traffic matrix, priced by the sender's transfer price. */
export function egressLines(flows: readonly TrafficFlow[], catalog: PriceCatalog, attribute: (workload: string) => { team: string; tenant: string; namespace: string; workload: string } | undefined): CostLine[] {
  return flows.map((f) => {
    const price = transferPricePerGB(catalog, f.from, f.to).perGB;
    const who = f.workload ? attribute(f.workload) : undefined;
    return { kind: 'egress', cluster: f.from.cluster, provider: f.from.provider, region: f.from.region, residency: '', ...(who ?? {}), cpuCost: 0, memoryCost: 0, otherCost: f.gb * price };
  });
}

/**
 * Moves each cluster's idle and overhead onto that cluster's allocations in proportion to
 * their cost (OpenCost's "share idle by weight"). A cluster with no allocations keeps them.
 */
export function shareIdle(lines: readonly CostLine[]): (CostLine & { sharedCost: number })[] {
  const byCluster = new Map<string, { alloc: CostLine[]; rest: CostLine[] }>();
  const out: (CostLine & { sharedCost: number })[] = [];
  for (const l of lines) {
    if (l.kind === 'egress') {
      out.push({ ...l, sharedCost: 0 });
      continue;
    }
    const g = byCluster.get(l.cluster) ?? { alloc: [], rest: [] };
    (l.kind === 'allocation' ? g.alloc : g.rest).push(l);
    byCluster.set(l.cluster, g);
  }
  for (const g of byCluster.values()) {
    const weight = g.alloc.reduce((a, l) => a + lineTotal(l), 0);
    const pool = g.rest.reduce((a, l) => a + lineTotal(l), 0);
    if (weight <= 0) {
      out.push(...g.rest.map((l) => ({ ...l, sharedCost: 0 })), ...g.alloc.map((l) => ({ ...l, sharedCost: 0 })));
      continue;
    }
    for (const l of g.alloc) out.push({ ...l, sharedCost: (pool * lineTotal(l)) / weight });
  }
  return out;
}

/** The group a line belongs to under `by`. */
export function groupOf(l: CostLine, by: ShowbackDimension): string {
  if (INFRA_DIMENSIONS.includes(by)) return l[by as 'cluster' | 'provider' | 'region' | 'residency'];
  if (l.kind === 'idle') return IDLE;
  if (l.kind === 'overhead') return OVERHEAD;
  if (l.kind === 'egress' && !l.workload) return EGRESS;
  switch (by) {
    case 'team':
      return l.team ?? UNALLOCATED;
    case 'tenant':
      return l.tenant ?? UNALLOCATED;
    case 'namespace':
      return l.namespace ?? UNALLOCATED;
    case 'workload':
      return `${l.namespace}/${l.workload}`;
    default:
      return l[by];
  }
}

/**
 * Groups accrued lines (USD) and current lines (USD/hour) into rows, largest first, with the
 * unattributed rows (`__idle__`, `__overhead__`, `__egress__`) last.
 */
export function showbackRows(accrued: readonly CostLine[], current: readonly CostLine[], opts: { by: ShowbackDimension; shareIdle?: boolean }): ShowbackRow[] {
  const prep = (ls: readonly CostLine[]) => (opts.shareIdle ? shareIdle(ls) : ls.map((l) => ({ ...l, sharedCost: 0 })));
  const rows = new Map<string, ShowbackRow>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) rows.set(name, (r = { name, cpuCost: 0, memoryCost: 0, sharedCost: 0, idleCost: 0, overheadCost: 0, egressCost: 0, totalCost: 0, share: 0, costPerHour: 0, projectedMonthly: 0 }));
    return r;
  };
  const infra = INFRA_DIMENSIONS.includes(opts.by);
  for (const l of prep(accrued)) {
    const r = row(groupOf(l, opts.by));
    if (infra && l.kind === 'idle') r.idleCost += lineTotal(l);
    else if (infra && l.kind === 'overhead') r.overheadCost += lineTotal(l);
    else {
      r.cpuCost += l.cpuCost;
      r.memoryCost += l.memoryCost;
    }
    r.sharedCost += l.sharedCost;
    if (l.kind === 'egress') r.egressCost += l.otherCost;
    r.totalCost += lineTotal(l) + l.sharedCost;
  }
  for (const l of prep(current)) row(groupOf(l, opts.by)).costPerHour += lineTotal(l) + l.sharedCost;
  const total = [...rows.values()].reduce((a, r) => a + r.totalCost, 0);
  for (const r of rows.values()) {
    r.share = total > 0 ? r.totalCost / total : 0;
    r.projectedMonthly = r.costPerHour * HOURS_PER_MONTH;
  }
  const special = (n: string) => n === IDLE || n === OVERHEAD || n === EGRESS;
  return [...rows.values()].sort((a, b) => Number(special(a.name)) - Number(special(b.name)) || b.totalCost - a.totalCost || a.name.localeCompare(b.name));
}
