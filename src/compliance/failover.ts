// Failover history with measured recovery times. A cluster failure is a ClusterNotReady
// transition; the workloads it hit are those whose Placement had replicas there at that moment;
// a workload has recovered when its stored status first shows every desired replica ready
// again after having shown fewer. Recovery time = that moment − the ClusterNotReady moment.
import type { Placement, TrustStramEvent, Workload } from '../api/index.js';
import type { AuditEntry, HistoryEntry, Store } from '../store/store.js';
import { workloadKey } from './residency.js';
import type { FailoverHistory, FailoverIncident, RecoveryMeasurement } from './types.js';

export const RECOVERY_METHOD =
  'Failure time: the ClusterNotReady transition (the health controller\'s audited decision, which the ClusterNotReady Event reports; Events fold repeats, the audit chain keeps each one). ' +
  'Affected workloads: those whose Placement had replicas on the cluster at that time (store history). ' +
  'Outcome: the placement controller\'s first audited failover decision for the workload after the failure. ' +
  'Recovery time: from the failure to the first stored Workload status, after one showing fewer ready replicas than desired, in which readyReplicas >= desiredReplicas ' +
  '(replicas on NotReady clusters never count as ready). Resolution: the store write times of those statuses.';

/** Slack when matching an Event's timestamps to the audited transition (they are written a few ms apart). */
const MATCH_SLACK_MS = 5000;

export interface FailoverInputs {
  since: string;
  /** Events with reasons ClusterNotReady, FailedOver, Degraded (others are ignored). */
  events: readonly TrustStramEvent[];
  /** Audit entries of the health controller (`verb: health`, `details.phase`). */
  healthDecisions: readonly AuditEntry[];
  /**
   * The placement controller's audited failover decisions (`verb: failover`, on the Workload):
   * one per occurrence, where Events fold repeats into one carrying the latest message.
   */
  failoverDecisions?: readonly AuditEntry[];
  /** Placement versions since `since`, preceded by the state at `since`. */
  placementHistory: readonly HistoryEntry[];
  /** Workload versions since `since`. */
  workloadHistory: readonly HistoryEntry[];
}

/** Reads what `computeFailoverHistory` needs from a store. */
export async function loadFailoverInputs(store: Store, since: string): Promise<FailoverInputs> {
  const [events, audit, workloadAudit, placementHistory, workloadHistory] = await Promise.all([
    store.list('Event'),
    store.auditLog({ since, ref: { kind: 'Cluster' } }),
    store.auditLog({ since, ref: { kind: 'Workload' } }),
    store.history('Placement', { since, includeStateAtSince: true }),
    store.history('Workload', { since }),
  ]);
  return {
    since,
    events: events.items as TrustStramEvent[],
    healthDecisions: audit.filter((e) => e.verb === 'health'),
    failoverDecisions: workloadAudit.filter((e) => e.verb === 'failover'),
    placementHistory,
    workloadHistory,
  };
}

/** Pure: incidents, oldest first, each with the measured recovery of every workload it hit. */
export function computeFailoverHistory(inp: FailoverInputs): FailoverHistory {
  const transitions = clusterTransitions(inp);
  const incidents: FailoverIncident[] = [];
  for (const t of transitions) {
    if (t.phase !== 'NotReady') continue;
    const at = Date.parse(t.time);
    const next = transitions.find((x) => x.cluster === t.cluster && x.phase === 'Ready' && Date.parse(x.time) > at);
    const ev = inp.events.find((e) => e.spec.reason === 'ClusterNotReady' && e.spec.involvedObject.name === t.cluster && covers(e, at));
    const workloads = affectedWorkloads(inp.placementHistory, t.cluster, at).map(([key, lost]) => measure(inp, key, lost, t.cluster, at));
    incidents.push({
      cluster: t.cluster,
      notReadyAt: t.time,
      ...(next ? { readyAgainAt: next.time } : {}),
      ...(t.reason ? { reason: t.reason } : {}),
      ...(ev ? { event: `${ev.metadata.namespace}/${ev.metadata.name}` } : {}),
      workloads,
    });
  }
  return { since: inp.since, incidents, method: RECOVERY_METHOD };
}

interface Transition {
  cluster: string;
  time: string;
  phase: string;
  reason?: string;
}

// Each audited health decision is one transition. A ClusterNotReady Event with no audited
// transition at all (a store without the health controller's decisions) still counts once.
function clusterTransitions(inp: FailoverInputs): Transition[] {
  const out: Transition[] = inp.healthDecisions
    .filter((e) => e.name && typeof e.details?.phase === 'string')
    .map((e) => ({ cluster: e.name!, time: e.time, phase: e.details!.phase as string, ...(typeof e.details?.reason === 'string' ? { reason: e.details.reason } : {}) }));
  for (const ev of inp.events) {
    if (ev.spec.reason !== 'ClusterNotReady' || !ev.spec.firstTimestamp) continue;
    if (out.some((t) => t.cluster === ev.spec.involvedObject.name && t.phase === 'NotReady' && covers(ev, Date.parse(t.time)))) continue;
    if (ev.spec.firstTimestamp < inp.since) continue;
    out.push({ cluster: ev.spec.involvedObject.name, time: ev.spec.firstTimestamp, phase: 'NotReady', reason: 'ClusterNotReady' });
  }
  return out.sort((a, b) => a.time.localeCompare(b.time));
}

function covers(e: TrustStramEvent, at: number): boolean {
  const first = Date.parse(e.spec.firstTimestamp ?? '');
  const last = Date.parse(e.spec.lastTimestamp ?? e.spec.firstTimestamp ?? '');
  return Number.isFinite(first) && at >= first - MATCH_SLACK_MS && at <= last + MATCH_SLACK_MS;
}

/** `[workloadKey, replicas on cluster]` for placements that had replicas on `cluster` at time `at`. */
export function affectedWorkloads(history: readonly HistoryEntry[], cluster: string, at: number): [string, number][] {
  const state = new Map<string, Placement | undefined>();
  for (const h of history) {
    if (Date.parse(h.time) > at) continue;
    const p = h.object as Placement;
    state.set(`${p.metadata.namespace ?? 'default'}/${p.spec.workload ?? p.metadata.name}`, h.type === 'DELETED' ? undefined : p);
  }
  const out: [string, number][] = [];
  for (const [key, p] of state) {
    const n = p?.spec.clusters.filter((e) => e.cluster === cluster).reduce((a, e) => a + e.replicas, 0) ?? 0;
    if (n > 0) out.push([key, n]);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

function measure(inp: FailoverInputs, key: string, lost: number, cluster: string, at: number): RecoveryMeasurement {
  const m: RecoveryMeasurement = { workload: key, replicasLost: lost };
  // The first failover decision for this workload and cluster after the failure says what the
  // controller did about it; the Event is only a fallback (it carries the latest repeat's text).
  const decision = inp.failoverDecisions?.find((d) => `${d.namespace ?? 'default'}/${d.name}` === key && Date.parse(d.time) >= at && String(d.details?.message ?? '').includes(cluster));
  const ev = decision ? undefined : inp.events
    .filter((e) => (e.spec.reason === 'FailedOver' || e.spec.reason === 'Degraded') && `${e.spec.involvedObject.namespace ?? 'default'}/${e.spec.involvedObject.name}` === key && e.spec.message.includes(cluster))
    .find((e) => Date.parse(e.spec.lastTimestamp ?? e.spec.firstTimestamp ?? '') >= at - MATCH_SLACK_MS);
  if (decision) Object.assign(m, { outcome: String(decision.details?.reason ?? 'FailedOver'), message: String(decision.details?.message ?? '') });
  else if (ev) Object.assign(m, { outcome: ev.spec.reason, message: ev.spec.message });
  let degraded: string | undefined;
  for (const h of inp.workloadHistory) {
    if (h.type === 'DELETED' || Date.parse(h.time) < at || workloadKey(h.object) !== key) continue;
    const s = (h.object as Workload).status as { readyReplicas?: number; desiredReplicas?: number } | undefined;
    if (typeof s?.readyReplicas !== 'number' || typeof s.desiredReplicas !== 'number') continue;
    const ready = s.readyReplicas >= s.desiredReplicas && s.desiredReplicas > 0;
    if (!degraded) {
      if (!ready) degraded = h.time;
      continue;
    }
    if (ready) {
      m.recoveredAt = h.time;
      m.recoveryMs = Date.parse(h.time) - at;
      break;
    }
  }
  if (degraded) m.degradedAt = degraded;
  return m;
}
