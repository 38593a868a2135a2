// The placement controller: whenever workloads, clusters or their health change, compute the
// placement changes (plan.ts) and commit them — Placements, their Events — in one atomic apply,
// then record each decision in the audit chain. The key is always `global`: capacity is shared,
// so placement is a fleet-wide question, answered incrementally.
import { API_VERSION, objectKey, type Cluster, type Placement, type Workload } from '../../api/index.js';
import type { PriceCatalog } from '../../cost/index.js';
import type { PolicyHook } from '../../scheduler/index.js';
import type { Mutation, Store } from '../../store/store.js';
import type { EventRecorder } from '../events/recorder.js';
import type { ControllerSpec, Manager } from '../runtime/index.js';
import type { FailbackOptions } from './failback.js';
import { planPlacements, type PlacementChange } from './plan.js';
import { placementOutsideResidency } from './residency-guard.js';

export const PLACEMENT_CONTROLLER = 'placement';
const GLOBAL = 'global';

/**
 * How long a freshly declared cluster's agent gets to report before placement goes ahead
 * without it. Declaring a fleet and its workloads in one apply would otherwise pack every
 * workload onto whichever agent reported first — and stability would keep it there.
 */
export const NEW_CLUSTER_SETTLE_MS = 5000;

/**
 * Online, only clusters whose agent reports (`Ready`) receive replicas: a cluster without any
 * status yet is `Unknown` to the scheduler. (Offline `schedule` treats it as Ready: it plans a
 * fleet design, not a running one.)
 */
export function onlineView(clusters: readonly Cluster[]): Cluster[] {
  return clusters.map((c) => ((c.status as { phase?: string } | undefined)?.phase ? c : { ...c, status: { ...(c.status ?? {}), phase: 'Unknown' } }));
}

/** Milliseconds to wait for new clusters' agents, 0 when nothing is pending. */
export function settleDelay(clusters: readonly Cluster[], now: number, settleMs = NEW_CLUSTER_SETTLE_MS): number {
  let wait = 0;
  for (const c of clusters) {
    // Only clusters never heard from (no phase yet, or Unknown) are waited for.
    const phase = (c.status as { phase?: string } | undefined)?.phase;
    if (phase && phase !== 'Unknown') continue;
    const born = Date.parse(c.metadata.creationTimestamp ?? '');
    if (Number.isFinite(born)) wait = Math.max(wait, born + settleMs - now);
  }
  return Math.max(0, wait);
}

export interface PlacementControllerOptions {
  store: Store;
  manager: Manager;
  events: EventRecorder;
  catalog?: PriceCatalog;
  /** Placement-stage policies, built per round from the objects they judge. */
  policy?: (objects: { clusters: readonly Cluster[]; workloads: readonly Workload[] }) => PolicyHook | undefined;
  /** Failback hysteresis and thresholds (defaults: Ready 30 s, flapping at 4 transitions in 10 min). */
  failback?: Partial<FailbackOptions>;
  /** Called after each committed round (tests, metrics). */
  onRound?: (r: { upserts: number; deletes: number; failedClusters: string[]; ms: number }) => void;
}

// Only these changes can change a placement: cluster health or spec, workload spec, and a
// Placement changed or deleted by someone else (the controller repairs it).
function clusterChanged(_t: string, c: unknown, old: unknown): string[] {
  const a = c as Cluster;
  const b = old as Cluster | undefined;
  if (!b) return [GLOBAL];
  const phase = (x: Cluster) => (x.status as { phase?: string } | undefined)?.phase;
  return phase(a) !== phase(b) || JSON.stringify(a.spec) !== JSON.stringify(b.spec) || _t === 'DELETED' ? [GLOBAL] : [];
}

export function placementController(o: PlacementControllerOptions): ControllerSpec {
  const { store, manager } = o;
  // Recent phase transitions per cluster, for flap detection. Memory only: after a restart the
  // Ready condition's transition time still holds a returned cluster back for the stable period.
  const transitions = new Map<string, number[]>();
  const flapWindowMs = o.failback?.flapWindowMs ?? 600_000;
  manager.informer('Cluster').onChange((t, c, old) => {
    const phase = (x: unknown) => ((x as Cluster | undefined)?.status as { phase?: string } | undefined)?.phase;
    if (t === 'DELETED') return void transitions.delete(c.metadata.name);
    if (!old || phase(c) === phase(old) || !phase(old)) return;
    const now = Date.now();
    const list = (transitions.get(c.metadata.name) ?? []).filter((x) => x > now - flapWindowMs);
    list.push(now);
    transitions.set(c.metadata.name, list);
  });
  const outsideResidency = (p: Placement) => {
    const w = manager.informer('Workload').get(objectKey({ kind: 'Workload', metadata: { namespace: p.metadata.namespace ?? 'default', name: p.spec.workload } })) as Workload | undefined;
    return placementOutsideResidency(p, w, (name) => manager.informer('Cluster').get(`Cluster/${name}`) as Cluster | undefined).length > 0;
  };
  let pausedMessage: string | undefined;
  return {
    initialKeys: [GLOBAL],
    watches: [
      { kind: 'Cluster', keys: clusterChanged },
      { kind: 'Workload', keys: (t, w, old) => (t !== 'MODIFIED' || w.metadata.generation !== old?.metadata.generation ? [GLOBAL] : []) },
      // Deleted, or naming a cluster outside its workload's residency (written by hand, say).
      { kind: 'Placement', keys: (t, p) => (t === 'DELETED' || outsideResidency(p as Placement) ? [GLOBAL] : []) },
    ],
    reconciler: {
      name: PLACEMENT_CONTROLLER,
      async reconcile() {
        const started = performance.now();
        const all = manager.informer('Cluster').list() as Cluster[];
        const wait = settleDelay(all, Date.now());
        if (wait > 0) return { requeueAfterMs: Math.min(wait, 250) };
        const clusters = onlineView(all);
        const workloads = manager.informer('Workload').list() as Workload[];
        const placements = manager.informer('Placement').list() as Placement[];
        const policy = o.policy?.({ clusters, workloads });
        const plan = planPlacements({
          clusters,
          workloads,
          placements,
          now: Date.now(),
          transitions,
          ...(o.failback ? { failback: o.failback } : {}),
          ...(o.catalog ? { catalog: o.catalog } : {}),
          ...(policy ? { policy } : {}),
        });
        const requeue = plan.recheckMs !== undefined ? { requeueAfterMs: plan.recheckMs } : undefined;
        if (plan.failoverPaused !== pausedMessage) {
          pausedMessage = plan.failoverPaused;
          const ev = await o.events.mutation({ involved: { kind: 'Fleet', name: 'fleet' }, type: plan.failoverPaused ? 'Warning' : 'Normal', reason: plan.failoverPaused ? 'FailoverPaused' : 'FailoverResumed', message: plan.failoverPaused ?? 'enough clusters are Ready again: failover resumed', source: 'placement-controller' });
          await store.apply([ev], { actor: 'controller:placement', decisions: [{ actor: 'controller:placement', verb: plan.failoverPaused ? 'failover-paused' : 'failover-resumed', details: { message: plan.failoverPaused ?? 'resumed' } }] });
        }
        if (plan.upserts.length === 0 && plan.deletes.length === 0) return requeue;
        const current = new Map(placements.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
        const now = new Date();
        const mutations: Mutation[] = [];
        for (const d of plan.deletes) mutations.push({ verb: 'delete', ref: { kind: 'Placement', namespace: d.namespace, name: d.name } });
        for (const u of plan.upserts) {
          const wl = workloads.find((w) => w.metadata.namespace === u.namespace && w.metadata.name === u.name);
          const before = current.get(`${u.namespace}/${u.name}`);
          mutations.push({ verb: 'upsert', object: toPlacement(u, wl), ...(before?.metadata.resourceVersion ? { expectedResourceVersion: before.metadata.resourceVersion } : {}) });
          mutations.push(await o.events.mutation({ involved: { kind: 'Workload', namespace: u.namespace, name: u.name }, type: u.event.type, reason: u.event.reason, message: u.event.message, source: 'placement-controller' }, now));
        }
        // A conflict means the cache was behind: the error requeues and the next round re-reads.
        // The decisions (the "why") commit with the placements they explain, in one transaction.
        const decisions = plan.upserts.map((u) => ({
          actor: 'controller:placement',
          verb: u.event.reason === 'MovedIntoResidency' ? 'residency-eviction' : u.event.reason === 'FailedOver' || u.event.reason === 'Degraded' ? 'failover' : u.event.reason.startsWith('Failback') || u.event.reason.startsWith('FailedBack') || u.event.reason === 'FailingBack' ? 'failback' : u.unschedulable ? 'unschedulable' : 'schedule',
          ref: { kind: 'Workload', namespace: u.namespace, name: u.name },
          details: { reason: u.event.reason, message: u.event.message, clusters: u.clusters, costPerHour: u.costPerHour, generation: u.generation, ...(u.unschedulable ? { unschedulable: u.unschedulable } : {}) },
        }));
        const applied = await store.apply(mutations, { actor: 'controller:placement', reason: plan.failedClusters.length ? `failover from ${plan.failedClusters.join(', ')}` : 'placement', decisions });
        const written = applied.results.filter((r) => r.ref.kind === 'Placement');
        await manager.informer('Placement').waitFor(written.map((r) => ({ key: `Placement/${r.ref.namespace}/${r.ref.name}`, resourceVersion: r.object.metadata.resourceVersion ?? '0', deleted: r.outcome === 'deleted' })));
        o.onRound?.({ upserts: plan.upserts.length, deletes: plan.deletes.length, failedClusters: plan.failedClusters, ms: performance.now() - started });
        return requeue;
      },
    },
  };
}

function toPlacement(u: PlacementChange, w: Workload | undefined): Placement {
  const labels: Record<string, string> = {};
  for (const k of ['team', 'tenant']) if (w?.metadata.labels?.[k]) labels[k] = w.metadata.labels[k]!;
  return {
    apiVersion: API_VERSION,
    kind: 'Placement',
    metadata: { name: u.name, namespace: u.namespace, ...(Object.keys(labels).length ? { labels } : {}), ...(u.annotations && Object.keys(u.annotations).length ? { annotations: u.annotations } : {}) },
    spec: {
      workload: u.name,
      generation: u.generation,
      clusters: u.clusters,
      costPerHour: u.costPerHour,
      ...(u.unschedulable ? { unschedulable: u.unschedulable } : {}),
    },
  };
}
