// Time-weighted cost accrual: replays the store's history of Clusters, Workloads and Placements
// over a window and sums each state's hourly allocation for as long as it was in effect.
import type { Cluster, Placement, Workload } from '../api/index.js';
import type { HistoryEntry } from '../store/index.js';
import { allocateRates, type CostLine, type PricingCache } from './allocation.js';
import type { PriceCatalog } from './catalog/contract.js';

export interface AccrualInput {
  /** History entries of each kind, with the state in effect at `since` (includeStateAtSince). */
  clusters: readonly HistoryEntry[];
  workloads: readonly HistoryEntry[];
  placements: readonly HistoryEntry[];
  /** ISO window; entries before `since` only set the starting state. */
  since: string;
  until: string;
  catalog: PriceCatalog;
  cache?: PricingCache;
}

export interface Accrual {
  since: string;
  until: string;
  hours: number;
  /** USD accrued over the window, one line per (kind, cluster, workload). */
  lines: CostLine[];
  /** USD per hour of the state in effect at `until`: the run rate that projections use. */
  current: CostLine[];
  warnings: string[];
}

const HOUR_MS = 3_600_000;

/**
 * Sums hourly allocation over the window, state by state. Status-only changes that do not move
 * cost (heartbeats) do not split the window; reported usage changes do.
 * @example accrue({ clusters, workloads, placements, since, until, catalog: defaultCatalog() })
 */
export function accrue(input: AccrualInput): Accrual {
  const since = Date.parse(input.since);
  const until = Date.parse(input.until);
  const cache: PricingCache = input.cache ?? new Map();
  type Tagged = { e: HistoryEntry; kind: 'c' | 'w' | 'p'; t: number; rv: number };
  const all: Tagged[] = [];
  const tag = (xs: readonly HistoryEntry[], kind: Tagged['kind']) => {
    for (const e of xs) all.push({ e, kind, t: Date.parse(e.time), rv: Number(e.resourceVersion) });
  };
  tag(input.clusters, 'c');
  tag(input.workloads, 'w');
  tag(input.placements, 'p');
  all.sort((a, b) => a.t - b.t || a.rv - b.rv);

  const state = { c: new Map<string, Cluster>(), w: new Map<string, Workload>(), p: new Map<string, Placement>() };
  const fingerprints = new Map<string, string>();
  let dirty = true;
  let rate: CostLine[] = [];
  const warnings = new Set<string>();
  const acc = new Map<string, CostLine>();

  const applyEntry = (x: Tagged) => {
    const o = x.e.object;
    const key = `${x.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const fp = x.e.type === 'DELETED' ? '' : fingerprint(x.kind, o);
    if (fingerprints.get(key) === fp && x.e.type !== 'DELETED') {
      // Same cost inputs: keep the newer object (labels may matter elsewhere) without re-pricing.
      (state[x.kind] as Map<string, unknown>).set(key, o);
      return;
    }
    fingerprints.set(key, fp);
    if (x.e.type === 'DELETED') state[x.kind].delete(key);
    else (state[x.kind] as Map<string, unknown>).set(key, o);
    dirty = true;
  };
  const currentRate = () => {
    if (dirty) {
      const r = allocateRates({ clusters: [...state.c.values()], workloads: [...state.w.values()], placements: [...state.p.values()] }, input.catalog, cache);
      rate = r.lines;
      for (const w of r.warnings) warnings.add(w);
      dirty = false;
    }
    return rate;
  };
  const add = (ms: number) => {
    if (ms <= 0) return;
    const hours = ms / HOUR_MS;
    for (const l of currentRate()) {
      const k = lineKey(l);
      const a = acc.get(k);
      if (a) {
        a.cpuCost += l.cpuCost * hours;
        a.memoryCost += l.memoryCost * hours;
        a.otherCost += l.otherCost * hours;
        if (l.cpuCores !== undefined) a.cpuCores = (a.cpuCores ?? 0) + l.cpuCores * hours;
        if (l.memoryGiB !== undefined) a.memoryGiB = (a.memoryGiB ?? 0) + l.memoryGiB * hours;
      } else {
        acc.set(k, {
          ...l,
          cpuCost: l.cpuCost * hours,
          memoryCost: l.memoryCost * hours,
          otherCost: l.otherCost * hours,
          ...(l.cpuCores !== undefined ? { cpuCores: l.cpuCores * hours, memoryGiB: (l.memoryGiB ?? 0) * hours } : {}),
        });
      }
    }
  };

  let cursor = since;
  for (const x of all) {
    if (x.t > until) break;
    if (x.t > cursor) {
      add(x.t - cursor);
      cursor = x.t;
    }
    applyEntry(x);
  }
  add(until - cursor);
  const current = currentRate();
  // Accrued lines carry core-hours and GiB-hours; replica counts are only meaningful per instant.
  const lines = [...acc.values()].map(({ spotReplicas: _s, replicas: _r, ...l }) => l);
  return { since: input.since, until: input.until, hours: Math.max(0, until - since) / HOUR_MS, lines, current, warnings: [...warnings] };
}

/** Identity of a line across states: the same piece of the bill accrues into one line. */
export function lineKey(l: CostLine): string {
  // Team and tenant are part of the key: after a relabel, the cost from then on belongs to the
  // new team (and its budget), the cost before it stays with the old one.
  return `${l.kind}|${l.cluster}|${l.namespace ?? ''}|${l.workload ?? ''}|${l.team ?? ''}|${l.tenant ?? ''}`;
}

// What of an object moves cost: a cluster's spec and reported usage (not heartbeats or
// conditions), a workload's spec and labels, a placement's clusters.
function fingerprint(kind: 'c' | 'w' | 'p', o: HistoryEntry['object']): string {
  if (kind === 'c') {
    const ws = (o.status as { workloads?: Record<string, { replicaStatus?: { usage?: unknown }[] }> } | undefined)?.workloads ?? {};
    const usage = Object.entries(ws).map(([k, v]) => [k, (v.replicaStatus ?? []).map((r) => r.usage ?? null)]);
    return JSON.stringify([o.spec, usage]);
  }
  if (kind === 'w') return JSON.stringify([o.spec, o.metadata.labels ?? {}]);
  return JSON.stringify((o.spec as Placement['spec']).clusters);
}
