// Failback, the pure part: when a cluster that replicas failed over from is back — Ready for
// long enough and not flapping — move them back only if that lowers cost and keeps the
// availability (spread over clusters, regions and providers) at least where it is, and do it
// make-before-break: first a surge placement (old ∪ new), then the new split once the added
// replicas are ready. State lives in two Placement annotations, so a restart loses nothing.
import type { Cluster, Placement, Workload } from '../../api/index.js';
import type { PriceCatalog } from '../../cost/index.js';
import { createFleetState, placeOne, type PolicyHook } from '../../scheduler/index.js';
import type { PlacementChange } from './plan.js';
import { recordSplit, surgeOf, type Split } from './split.js';

/** Clusters (comma-separated) this placement's replicas failed over from. */
export const FAILED_OVER_FROM = 'truststram.io/failed-over-from';
/** A failback in progress: JSON {@link FailbackState}. */
export const FAILBACK = 'truststram.io/failback';

export interface FailbackOptions {
  /** A returned cluster must have been Ready this long before replicas move back. Default 30 s. */
  stableMs: number;
  /** A cluster with this many phase transitions within `flapWindowMs` is flapping: never failed back to. Default 4. */
  flapTransitions: number;
  /** Default 10 minutes. */
  flapWindowMs: number;
  /** Move back only when the cost falls by at least this fraction. Default 0.01 (1%). */
  minSavings: number;
  /** A surge whose added replicas are not ready by then is abandoned (the old split stays). Default 120 s. */
  surgeTimeoutMs: number;
}

export const DEFAULT_FAILBACK: FailbackOptions = { stableMs: 30_000, flapTransitions: 4, flapWindowMs: 600_000, minSavings: 0.01, surgeTimeoutMs: 120_000 };

export interface FailbackState {
  from: Split;
  to: Split;
  fromCost: number;
  toCost: number;
  /** Epoch ms the surge was written. */
  startedAt: number;
}

export interface FailbackInput {
  clusters: readonly Cluster[];
  workloads: readonly Workload[];
  placements: readonly Placement[];
  now: number;
  /** Epoch ms of each cluster's recent phase transitions (the controller's memory). */
  transitions: ReadonlyMap<string, readonly number[]>;
  options?: Partial<FailbackOptions>;
  catalog?: PriceCatalog;
  policy?: PolicyHook;
}

export interface FailbackPlan {
  upserts: PlacementChange[];
  /** Look again after this long (a cluster still settling, a surge not ready yet). */
  recheckMs: number | undefined;
}

const keyOf = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
const phaseOf = (c: Cluster | undefined) => (c?.status as { phase?: string } | undefined)?.phase;
const up = (c: Cluster | undefined) => !!c && phaseOf(c) !== 'NotReady' && phaseOf(c) !== 'Unknown';
const norm = (s: Split): Split => s.filter((e) => e.replicas > 0).sort((a, b) => a.cluster.localeCompare(b.cluster));
const describe = (s: Split) => norm(s).map((e) => `${e.cluster}×${e.replicas}`).join(', ') || 'nowhere';

/** Why a returned cluster may or may not receive replicas yet, and when to look again. */
export function failbackReadiness(c: Cluster | undefined, transitions: readonly number[], now: number, o: FailbackOptions): { ok: boolean; waitMs?: number; reason: string } {
  if (!c || !up(c)) return { ok: false, reason: 'not Ready' };
  const cond = ((c.status as { conditions?: { type: string; status: string; lastTransitionTime?: string }[] } | undefined)?.conditions ?? []).find((x) => x.type === 'Ready');
  const since = Math.max(cond?.status === 'True' ? Date.parse(cond.lastTransitionTime ?? '') || 0 : 0, ...transitions);
  const recent = transitions.filter((t) => t > now - o.flapWindowMs).sort((a, b) => a - b);
  if (recent.length >= o.flapTransitions) return { ok: false, waitMs: recent[recent.length - o.flapTransitions]! + o.flapWindowMs - now, reason: `flapping (${recent.length} transitions in ${o.flapWindowMs / 1000} s)` };
  if (now - since < o.stableMs) return { ok: false, waitMs: since + o.stableMs - now, reason: `Ready for ${((now - since) / 1000).toFixed(1)} s of the ${o.stableMs / 1000} s required` };
  return { ok: true, reason: 'stable' };
}

/** Failure domains a split spans: clusters, regions, providers. */
export function domains(split: Split, clusters: ReadonlyMap<string, Cluster>): { clusters: number; regions: number; providers: number } {
  const live = norm(split).map((e) => clusters.get(e.cluster));
  return {
    clusters: live.length,
    regions: new Set(live.map((c) => `${c?.spec.provider}/${c?.spec.region}`)).size,
    providers: new Set(live.map((c) => c?.spec.provider)).size,
  };
}

/** Ready replicas of a workload a cluster reports at the workload's generation. */
export function readyOn(c: Cluster | undefined, key: string, generation: number): number {
  if (!up(c)) return 0;
  const r = ((c!.status as { workloads?: Record<string, { generation?: number; readyReplicas?: number }> } | undefined)?.workloads ?? {})[key];
  return r && r.generation === generation ? (r.readyReplicas ?? 0) : 0;
}

export function parseFailback(p: Placement): FailbackState | undefined {
  const raw = p.metadata.annotations?.[FAILBACK];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as FailbackState;
  } catch {
    return undefined;
  }
}

export const failedOverFrom = (p: Placement | undefined): string[] => (p?.metadata.annotations?.[FAILED_OVER_FROM] ?? '').split(',').filter(Boolean);

/** Annotations with `failed-over-from` set to `from` (dropped when empty) and the failback state. */
export function withFailbackAnnotations(base: Record<string, string> | undefined, from: string[], state?: FailbackState): Record<string, string> {
  const a: Record<string, string> = { ...(base ?? {}) };
  delete a[FAILED_OVER_FROM];
  delete a[FAILBACK];
  if (from.length) a[FAILED_OVER_FROM] = [...new Set(from)].sort().join(',');
  if (state) a[FAILBACK] = JSON.stringify(state);
  return a;
}

/**
 * Surges whose target lost a cluster (or timed out) go back to their old split before the
 * failover step runs, so a cluster failing mid-failback never leaves surplus replicas behind.
 */
export function abortFailbacks(input: { clusters: readonly Cluster[]; placements: readonly Placement[]; now: number; options?: Partial<FailbackOptions> }): { placements: Placement[]; upserts: PlacementChange[] } {
  const o = { ...DEFAULT_FAILBACK, ...input.options };
  const byName = new Map(input.clusters.map((c) => [c.metadata.name, c]));
  const upserts: PlacementChange[] = [];
  const placements = input.placements.map((p) => {
    const s = parseFailback(p);
    if (!s) return p;
    const lost = norm(s.to).filter((e) => !up(byName.get(e.cluster))).map((e) => e.cluster);
    const late = input.now - s.startedAt > o.surgeTimeoutMs;
    if (!lost.length && !late) return p;
    const why = lost.length ? `${lost.join(', ')} failed again` : `added replicas not ready after ${o.surgeTimeoutMs / 1000} s`;
    const annotations = withFailbackAnnotations(p.metadata.annotations, [...failedOverFrom(p), ...norm(s.to).filter((e) => !s.from.some((f) => f.cluster === e.cluster)).map((e) => e.cluster)]);
    upserts.push({
      namespace: p.metadata.namespace ?? 'default',
      name: p.metadata.name,
      clusters: norm(s.from),
      costPerHour: s.fromCost,
      generation: p.spec.generation,
      annotations,
      event: { reason: 'FailbackAborted', type: 'Warning', message: `failback to ${describe(s.to)} abandoned (${why}); back to ${describe(s.from)}` },
    });
    return { ...p, metadata: { ...p.metadata, annotations }, spec: { ...p.spec, clusters: norm(s.from), costPerHour: s.fromCost } };
  });
  return { placements, upserts };
}

/**
 * Plans failbacks: finishes surges whose added replicas are ready, and starts new ones for
 * placements whose origin clusters are back and stable, when that is cheaper and no less available.
 */
export function planFailback(input: FailbackInput): FailbackPlan {
  const o = { ...DEFAULT_FAILBACK, ...input.options };
  const byName = new Map(input.clusters.map((c) => [c.metadata.name, c]));
  const workloads = new Map(input.workloads.map((w) => [keyOf(w), w]));
  const plan: FailbackPlan = { upserts: [], recheckMs: undefined };
  const recheck = (ms: number) => (plan.recheckMs = Math.max(50, Math.min(plan.recheckMs ?? Infinity, Math.ceil(ms))));
  let current = [...input.placements];
  const readiness = (name: string) => failbackReadiness(byName.get(name), input.transitions.get(name) ?? [], input.now, o);

  for (const p of input.placements) {
    const w = workloads.get(`${p.metadata.namespace ?? 'default'}/${p.spec.workload}`);
    if (!w || p.spec.generation !== (w.metadata.generation ?? 0)) continue;
    const key = keyOf(w);
    const s = parseFailback(p);
    if (s) {
      // 1. Break after make: every cluster of the new split reports its replicas ready.
      const missing = norm(s.to).filter((e) => readyOn(byName.get(e.cluster), key, p.spec.generation) < e.replicas);
      if (missing.length) {
        recheck(250);
        continue;
      }
      plan.upserts.push({
        namespace: p.metadata.namespace ?? 'default',
        name: p.metadata.name,
        clusters: norm(s.to),
        costPerHour: s.toCost,
        generation: p.spec.generation,
        annotations: withFailbackAnnotations(p.metadata.annotations, failedOverFrom(p)),
        event: { reason: 'FailedBack', type: 'Normal', message: `failed back: ${describe(s.from)} → ${describe(s.to)} (new replicas ready before old ones removed); $${s.fromCost.toFixed(4)}/h → $${s.toCost.toFixed(4)}/h` },
      });
      continue;
    }
    const origins = failedOverFrom(p);
    if (!origins.length || p.spec.unschedulable) continue;
    const verdicts = origins.map((c) => ({ c, r: readiness(c) }));
    const ready = verdicts.filter((v) => v.r.ok).map((v) => v.c);
    for (const v of verdicts) if (!v.r.ok && v.r.waitMs !== undefined && up(byName.get(v.c))) recheck(v.r.waitMs);
    if (!ready.length) continue;
    const decision = considerMove(w, p, ready, current, input, byName, readiness, o);
    const remaining = origins.filter((c) => !ready.includes(c));
    if (decision.to) {
      const state: FailbackState = { from: norm(p.spec.clusters), to: decision.to.clusters, fromCost: p.spec.costPerHour, toCost: decision.to.cost, startedAt: input.now };
      const surge = surgeOf(p.spec.clusters, decision.to.clusters);
      // During the short surge the placement is charged at the old split's cost.
      plan.upserts.push({
        namespace: p.metadata.namespace ?? 'default',
        name: p.metadata.name,
        clusters: surge,
        costPerHour: p.spec.costPerHour,
        generation: p.spec.generation,
        annotations: withFailbackAnnotations(p.metadata.annotations, remaining, state),
        event: { reason: 'FailingBack', type: 'Normal', message: `${ready.join(', ')} stable again: starting ${describe(decision.to.clusters)} before stopping ${describe(p.spec.clusters)} (make-before-break); saves $${(p.spec.costPerHour - decision.to.cost).toFixed(4)}/h` },
      });
      current = current.map((x) => (x === p ? { ...x, spec: { ...x.spec, clusters: surge } } : x));
      recheck(250);
    } else {
      plan.upserts.push({
        namespace: p.metadata.namespace ?? 'default',
        name: p.metadata.name,
        clusters: norm(p.spec.clusters),
        costPerHour: p.spec.costPerHour,
        generation: p.spec.generation,
        annotations: withFailbackAnnotations(p.metadata.annotations, remaining),
        event: { reason: 'FailbackSkipped', type: 'Normal', message: `${ready.join(', ')} back, replicas stay on ${describe(p.spec.clusters)}: ${decision.why}` },
      });
    }
  }
  return plan;
}

function considerMove(
  w: Workload,
  p: Placement,
  ready: string[],
  placements: Placement[],
  input: FailbackInput,
  byName: ReadonlyMap<string, Cluster>,
  readiness: (c: string) => { ok: boolean; reason: string },
  o: FailbackOptions,
): { to?: { clusters: Split; cost: number }; why: string } {
  const fleet = createFleetState(input.clusters, input.workloads, placements, { ...(input.catalog ? { catalog: input.catalog } : {}), ...(input.policy ? { policy: input.policy } : {}) });
  const r = placeOne(fleet, w);
  if (!r.placement) return { why: `no feasible placement now (${r.unschedulable?.reason ?? 'unschedulable'})` };
  const to = norm(recordSplit(r.placement.clusters));
  const from = norm(p.spec.clusters);
  if (!to.some((e) => ready.includes(e.cluster))) return { why: `the cheapest placement does not use ${ready.join(', ')}` };
  // Replicas may only be added on clusters that are themselves settled (never onto a flapping one).
  const unsettled = to.filter((e) => e.replicas > (from.find((f) => f.cluster === e.cluster)?.replicas ?? 0) && !readiness(e.cluster).ok).map((e) => e.cluster);
  if (unsettled.length) return { why: `the cheaper placement needs ${unsettled.join(', ')}, not settled yet` };
  const cost = r.placement.costPerHour;
  if (!(cost < p.spec.costPerHour * (1 - o.minSavings))) return { why: `moving would not lower the cost enough ($${p.spec.costPerHour.toFixed(4)}/h now, $${cost.toFixed(4)}/h after)` };
  const before = domains(from, byName);
  const after = domains(to, byName);
  for (const d of ['clusters', 'regions', 'providers'] as const)
    if (after[d] < before[d]) return { why: `moving would reduce availability (${d}: ${before[d]} → ${after[d]})` };
  return { to: { clusters: to, cost }, why: 'cheaper and no less available' };
}
