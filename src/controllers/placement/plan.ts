// The placement controller's pure core: from the fleet, the workloads and the current
// placements, compute which Placements to write or delete and why. Writes nothing (STYLE:
// compute, then apply); the reconciler applies the result.
import { clusterJurisdiction, type Cluster, type Placement, type Workload } from '../../api/index.js';
import type { PriceCatalog } from '../../cost/index.js';
import { createFleetState, evictOutsideResidency, placeOne, replaceFailed, type PolicyHook, type WorkloadPlacement } from '../../scheduler/index.js';
import { recordSplit } from './split.js';
import { abortFailbacks, failedOverFrom, parseFailback, planFailback, withFailbackAnnotations, type FailbackOptions } from './failback.js';

export interface PlacementChange {
  namespace: string;
  name: string;
  /** The new spec.clusters, sorted by cluster name, with the spot part the scheduler chose. */
  clusters: { cluster: string; replicas: number; spotReplicas?: number }[];
  costPerHour: number;
  generation: number;
  /** Set when the workload could not be (fully) placed. */
  unschedulable?: { reason: string; message: string };
  /** `Scheduled`, `Rescheduled`, `FailedOver`, `FailedScheduling`, `Degraded`, `FailingBack`, `FailedBack`, `FailbackSkipped`, `FailbackAborted`. */
  event: { reason: string; type: 'Normal' | 'Warning'; message: string };
  /** Placement annotations to write (failover origins, failback in progress); none when absent. */
  annotations?: Record<string, string>;
}

export interface PlacementPlan {
  upserts: PlacementChange[];
  /** Placements whose workload is gone. */
  deletes: { namespace: string; name: string }[];
  /** Clusters treated as failed this round (NotReady, Unknown or deleted). */
  failedClusters: string[];
  /** Reconcile again after this long (failback hysteresis, a surge waiting for readiness). */
  recheckMs?: number;
  /** Set when failover is held back because most of the fleet went NotReady at once. */
  failoverPaused?: string;
}

/**
 * When more than this share of the fleet (and at least two clusters) is NotReady at the same
 * time, failover pauses, as Kubernetes' node lifecycle controller does for unhealthy zones: so
 * many simultaneous losses more likely mean the control plane cannot hear its agents (overload,
 * a partition) than that the clusters died, and moving everything onto the few left would
 * overload them too. Replicas stay placed; failover resumes once enough clusters are back.
 */
export const MASS_FAILURE_FRACTION = 0.55;

const PRIORITY: Record<string, number> = { 'tier-0': 0, 'tier-1': 1, 'tier-2': 2, 'tier-3': 3 };
const keyOf = (o: { metadata: { namespace?: string; name: string } }) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;
const placementKey = (p: Placement) => `${p.metadata.namespace ?? 'default'}/${p.spec.workload}`;

/** True when a cluster can hold replicas: known, and not NotReady/Unknown. */
export function clusterIsUp(c: Cluster | undefined): boolean {
  const phase = (c?.status as { phase?: string } | undefined)?.phase;
  return !!c && phase !== 'NotReady' && phase !== 'Unknown';
}

// Same replicas and, when the stored split `a` records pools, the same spot part (absent in
// `b`, a scheduler decision, means none). A Placement written before spotReplicas existed is
// not rewritten for that alone.
function sameSplit(a: { cluster: string; replicas: number; spotReplicas?: number }[], b: { cluster: string; replicas: number; spotReplicas?: number }[]): boolean {
  const recorded = a.some((e) => e.spotReplicas !== undefined);
  const norm = (x: { cluster: string; replicas: number; spotReplicas?: number }[]) => JSON.stringify(x.filter((e) => e.replicas > 0).map((e) => [e.cluster, e.replicas, recorded ? (e.spotReplicas ?? 0) : 0]).sort());
  return norm(a) === norm(b);
}

function describeSplit(clusters: { cluster: string; replicas: number }[]): string {
  return clusters.filter((c) => c.replicas > 0).map((c) => `${c.cluster}×${c.replicas}`).join(', ') || 'nowhere';
}

function placedReplicas(w: Workload, clusters: { replicas: number }[]): number {
  const counts = clusters.filter((c) => c.replicas > 0);
  return w.spec.placement.mode === 'Duplicated' ? (counts.length > 0 ? w.spec.replicas : 0) : counts.reduce((a, c) => a + c.replicas, 0);
}

/**
 * Computes the placement changes for one reconcile. Stable by construction: a workload whose
 * placement is current (same generation, all its clusters up, fully placed) is never touched;
 * replicas on failed clusters are re-placed through the incremental scheduler (nothing else
 * moves); new and changed workloads are placed one by one, tier-0 first.
 */
export function planPlacements(input: {
  clusters: readonly Cluster[];
  workloads: readonly Workload[];
  placements: readonly Placement[];
  catalog?: PriceCatalog;
  policy?: PolicyHook;
  /** Failback: the time, each cluster's recent phase transitions, and the thresholds. Off without `now`. */
  now?: number;
  transitions?: ReadonlyMap<string, readonly number[]>;
  failback?: Partial<FailbackOptions>;
}): PlacementPlan {
  const clusterByName = new Map(input.clusters.map((c) => [c.metadata.name, c]));
  const workloadByKey = new Map(input.workloads.map((w) => [keyOf(w), w]));
  // 0. A failback whose target failed again (or never became ready) returns to its old split first.
  const aborted = input.now !== undefined ? abortFailbacks({ clusters: input.clusters, placements: input.placements, now: input.now, ...(input.failback ? { options: input.failback } : {}) }) : { placements: [...input.placements], upserts: [] };
  const placementByKey = new Map(aborted.placements.map((p) => [placementKey(p), p]));
  const plan: PlacementPlan = { upserts: [], deletes: [], failedClusters: [] };

  for (const [key, p] of placementByKey) if (!workloadByKey.has(key)) plan.deletes.push({ namespace: p.metadata.namespace ?? 'default', name: p.metadata.name });

  const live = aborted.placements.filter((p) => workloadByKey.has(placementKey(p)));
  const fleet = createFleetState(input.clusters, input.workloads, live, { ...(input.catalog ? { catalog: input.catalog } : {}), ...(input.policy ? { policy: input.policy } : {}) });

  // 1. Failover: only the replicas that sat on failed (or vanished) clusters are re-placed.
  const failed = new Set<string>();
  for (const p of live) for (const e of p.spec.clusters) if (e.replicas > 0 && !clusterIsUp(clusterByName.get(e.cluster))) failed.add(e.cluster);
  const notReady = input.clusters.filter((c) => (c.status as { phase?: string } | undefined)?.phase === 'NotReady').length;
  if (notReady >= 2 && notReady / input.clusters.length > MASS_FAILURE_FRACTION) {
    for (const n of [...failed]) if (clusterByName.has(n)) failed.delete(n); // deleted clusters still fail over
    plan.failoverPaused = `${notReady} of ${input.clusters.length} clusters are NotReady at once (more than ${Math.round(MASS_FAILURE_FRACTION * 100)}%): failover paused until more of the fleet is back`;
  }
  plan.failedClusters = [...failed].sort();
  const touched = new Set<string>();
  if (failed.size > 0) {
    const r = replaceFailed(fleet, plan.failedClusters);
    const degraded = new Map(r.degraded.map((d) => [`${d.namespace}/${d.name}`, d]));
    const afterFailover = live.map((p) => {
      const wp = r.placements.find((x) => `${x.namespace}/${x.name}` === placementKey(p));
      return wp ? { ...p, spec: { ...p.spec, clusters: recordSplit(wp.clusters) } } : p;
    });
    for (const first of r.placements) {
      const key = `${first.namespace}/${first.name}`;
      const w = workloadByKey.get(key)!;
      const before = placementByKey.get(key)!;
      touched.add(key);
      let d = degraded.get(key);
      let wp = first;
      if (d) {
        // Short of room for every lost replica: run as many as fit inside the residency.
        const partial = partialPlacement(input, afterFailover, w, placedReplicas(w, first.clusters));
        const booked = partial ? placeOne(fleet, withReplicas(w, placedReplicas(w, partial.clusters))).placement : undefined;
        if (booked) {
          wp = booked;
          d = { ...d, missingReplicas: w.spec.replicas - placedReplicas(w, booked.clusters) };
        }
      }
      const from = before.spec.clusters.filter((e) => failed.has(e.cluster) && e.replicas > 0).map((e) => e.cluster);
      // Remember where the replicas came from: they may fail back when that cluster returns.
      const annotations = withFailbackAnnotations(before.metadata.annotations, [...failedOverFrom(before), ...from], parseFailback(before));
      plan.upserts.push(change(w, wp, annotations, d ? { reason: 'InsufficientCapacityInResidency', message: `${d.missingReplicas} replica(s) lost on ${from.join(', ')} found no room inside ${residencyText(w)}: ${d.reason}` } : undefined, d
        ? { reason: 'Degraded', type: 'Warning', message: `lost replicas on failed ${from.join(', ')}; ${d.missingReplicas} of ${w.spec.replicas} found no capacity left inside ${residencyText(w)} — not moved across the boundary; running ${describeSplit(wp.clusters)}` }
        : { reason: 'FailedOver', type: 'Warning', message: `re-placed the replicas of failed ${from.join(', ')}: now ${describeSplit(wp.clusters)}` }));
    }
  }

  // 1b. Residency holds while replicas run: those on a live cluster now outside the workload's
  // residency (the cluster's jurisdiction changed, or the Placement was written by hand) move
  // inside it, or stop. A workload re-placed by failover above is checked in the next round.
  for (const p of live) {
    const key = placementKey(p);
    // A changed workload is placed whole in step 2, inside its residency.
    if (touched.has(key) || p.spec.generation !== (workloadByKey.get(key)!.metadata.generation ?? 0)) continue;
    const ev = evictOutsideResidency(fleet, key);
    if (!ev) continue;
    const w = workloadByKey.get(key)!;
    touched.add(key);
    const where = ev.from.map((c) => `${c} (jurisdiction ${clusterJurisdiction(clusterByName.get(c)) ?? 'unknown'})`).join(', ');
    const short = ev.missingReplicas > 0 ? `; ${ev.missingReplicas} found no room inside it and are not run` : '';
    plan.upserts.push(change(w, ev.placement, p.metadata.annotations, ev.missingReplicas > 0 ? { reason: 'InsufficientCapacityInResidency', message: `${ev.missingReplicas} replica(s) taken off ${ev.from.join(', ')} (outside ${residencyText(w)}) found no room inside it` } : undefined, {
      reason: ev.missingReplicas > 0 ? 'Degraded' : 'MovedIntoResidency',
      type: 'Warning',
      message: `replicas on ${where} were outside ${residencyText(w)}: taken off${short}; now ${describeSplit(ev.placement.clusters)}`,
    }));
  }

  // 2. New, changed, partially placed and previously unschedulable workloads, tier-0 first.
  const pending = input.workloads
    .filter((w) => {
      const key = keyOf(w);
      if (touched.has(key)) return false;
      const p = placementByKey.get(key);
      if (!p) return true;
      if (p.spec.generation !== (w.metadata.generation ?? 0)) return true;
      return placedReplicas(w, p.spec.clusters) < w.spec.replicas;
    })
    .sort((a, b) => (PRIORITY[a.spec.priority] ?? 2) - (PRIORITY[b.spec.priority] ?? 2) || keyOf(a).localeCompare(keyOf(b)));
  for (const w of pending) {
    const key = keyOf(w);
    const before = placementByKey.get(key);
    const r = placeOne(fleet, w);
    if (r.placement) {
      if (before && sameSplit(before.spec.clusters, r.placement.clusters) && before.spec.generation === (w.metadata.generation ?? 0) && !before.spec.unschedulable) continue;
      plan.upserts.push(change(w, r.placement, undefined, undefined, before && !before.spec.unschedulable
        ? { reason: 'Rescheduled', type: 'Normal', message: `${describeSplit(before.spec.clusters)} → ${describeSplit(r.placement.clusters)} ($${r.placement.costPerHour.toFixed(4)}/h)` }
        : { reason: 'Scheduled', type: 'Normal', message: `placed ${w.spec.replicas} replica(s) on ${describeSplit(r.placement.clusters)} ($${r.placement.costPerHour.toFixed(4)}/h)` }));
    } else {
      const u = r.unschedulable!;
      // A partly placed workload keeps what runs rather than losing it for want of the rest.
      const keep = before && before.spec.generation === (w.metadata.generation ?? 0) ? before.spec.clusters : [];
      const unsched = { reason: u.code, message: u.reason };
      if (before && sameSplit(before.spec.clusters, keep) && before.spec.unschedulable?.message === unsched.message && before.spec.generation === (w.metadata.generation ?? 0)) continue;
      plan.upserts.push({
        namespace: w.metadata.namespace ?? 'default',
        name: w.metadata.name,
        clusters: keep,
        costPerHour: keep.length ? before!.spec.costPerHour : 0,
        generation: w.metadata.generation ?? 0,
        unschedulable: unsched,
        ...(before?.metadata.annotations && keep.length ? { annotations: before.metadata.annotations } : {}),
        event: { reason: 'FailedScheduling', type: 'Warning', message: `${u.code}: ${u.reason}` },
      });
    }
  }

  for (const a of aborted.upserts) if (!plan.upserts.some((u) => u.namespace === a.namespace && u.name === a.name)) plan.upserts.push(a);
  // 3. Failback only in a quiet round: failover and scheduling always go first.
  if (input.now !== undefined && plan.upserts.length === 0 && plan.deletes.length === 0) {
    const fb = planFailback({ clusters: input.clusters, workloads: input.workloads, placements: live, now: input.now, transitions: input.transitions ?? new Map(), ...(input.failback ? { options: input.failback } : {}), ...(input.catalog ? { catalog: input.catalog } : {}), ...(input.policy ? { policy: input.policy } : {}) });
    plan.upserts.push(...fb.upserts);
    if (fb.recheckMs !== undefined) plan.recheckMs = fb.recheckMs;
  }
  return plan;
}

const withReplicas = (w: Workload, replicas: number): Workload => ({ ...w, spec: { ...w.spec, replicas } });

/**
 * The largest placement of fewer than all of `w`'s replicas (more than `have`) that fits, on a
 * scratch copy of the fleet; undefined when none does or the spread cannot be met (spread and
 * residency stay hard constraints even when degraded). Duplicated workloads are all-or-nothing.
 */
function partialPlacement(input: { clusters: readonly Cluster[]; workloads: readonly Workload[]; catalog?: PriceCatalog; policy?: PolicyHook }, placements: readonly Placement[], w: Workload, have: number): WorkloadPlacement | undefined {
  if (w.spec.placement.mode === 'Duplicated') return undefined;
  const scratch = createFleetState(input.clusters, input.workloads, placements, { ...(input.catalog ? { catalog: input.catalog } : {}), ...(input.policy ? { policy: input.policy } : {}) });
  for (let k = w.spec.replicas - 1; k > have; k--) {
    const r = placeOne(scratch, withReplicas(w, k));
    if (r.placement) return r.placement;
  }
  return undefined;
}

function residencyText(w: Workload): string {
  const r = w.spec.placement.residency;
  return r?.length ? `residency ${r.join('/')}` : 'its feasible clusters';
}

function change(w: Workload, wp: WorkloadPlacement, annotations: Record<string, string> | undefined, unschedulable: PlacementChange['unschedulable'], event: PlacementChange['event']): PlacementChange {
  return {
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    namespace: wp.namespace,
    name: wp.name,
    clusters: recordSplit(wp.clusters).sort((a, b) => a.cluster.localeCompare(b.cluster)),
    costPerHour: wp.costPerHour,
    generation: w.metadata.generation ?? 0,
    ...(unschedulable ? { unschedulable } : {}),
    event,
  };
}
