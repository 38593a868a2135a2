// The health controller: a cluster is Ready while its agent's lease is live, NotReady once the
// lease expires (missed heartbeats) or the agent reports it stopped, Unknown before it was ever
// heard from. It owns `status.phase` and the Ready condition; a NotReady cluster acts as tainted
// `truststram.io/unreachable:NoExecute` — the scheduler excludes it and the placement controller
// moves its replicas away.
import type { Cluster } from '../../api/index.js';
import type { LeaseTable } from '../../server/index.js';
import type { Store } from '../../store/store.js';
import type { EventRecorder } from '../events/recorder.js';
import type { ControllerSpec, Manager } from '../runtime/index.js';

export const HEALTH_CONTROLLER = 'health';

export interface HealthControllerOptions {
  store: Store;
  manager: Manager;
  leases: LeaseTable;
  events: EventRecorder;
  /**
   * After a control-plane start, how long to wait for agents to renew before calling a cluster
   * without a lease NotReady (agents survive a server restart and re-attach). Default 3 s.
   */
  startupGraceMs?: number;
  /** How often a Ready cluster is re-checked at the latest. Default 1 s. */
  resyncMs?: number;
  now?: () => number;
}

type Phase = 'Ready' | 'NotReady' | 'Unknown';
interface Verdict {
  phase: Phase;
  reason: string;
  message: string;
  /** When to look again. */
  recheckMs: number;
}

/** Pure: the phase a cluster should have now. */
export function judgeCluster(
  c: Cluster,
  lease: { renewTime: number; durationMs: number; holder?: string } | undefined,
  now: number,
  startedAt: number,
  startupGraceMs: number,
  resyncMs: number,
  /** End of the control plane's last stall (event loop blocked): renewals sent during it could not be received. */
  stallEndedAt = 0,
  /** Time up to which this server's lease view is complete (shared leases: its last read of the table). */
  leaseViewAsOf = Number.POSITIVE_INFINITY,
): Verdict | undefined {
  if ((c.spec.driver?.type ?? 'local') !== 'local') return undefined; // other drivers report their own health
  const status = (c.status ?? {}) as { phase?: string; lastHeartbeatTime?: string; agent?: { id?: string } | null };
  // A lease cannot run out while the server was unable to take its renewals: after a stall
  // every agent gets a full lease period again. Otherwise an overloaded control plane calls its
  // whole fleet NotReady and fails every workload over — which overloads it further.
  // The grace never applies to a cluster already found NotReady: it lost its lease
  // before the stall, and a stall must not bring a dead agent's lease back to life (a cluster
  // held down by chaos flipped to Ready for a lease period after each stall).
  const renewed = lease ? Math.max(lease.renewTime, status.phase === 'NotReady' ? 0 : stallEndedAt) : 0;
  // Likewise a lease is not expired before this server's view of the leases is newer than its
  // expiry: a renewal through another server may not have been read yet (the database is slow
  // or unreachable). An unknown is not a missed heartbeat.
  const expiresAt = lease ? renewed + lease.durationMs : 0;
  const unseen = !!lease && now > expiresAt && leaseViewAsOf < expiresAt;
  const live = lease && (now <= expiresAt || unseen);
  // A new agent (a restart after a crash) holds the lease while the status still carries the
  // last report of the dead one: calling the cluster Ready now would count the dead agent's
  // replicas as running. Ready waits for the new agent's first report (a Cluster change).
  if (live && lease.holder !== undefined && status.agent?.id !== lease.holder)
    return { phase: status.phase === 'Ready' ? 'NotReady' : ((status.phase as Phase | undefined) ?? 'Unknown'), reason: 'AgentRegistering', message: 'a new agent holds the lease; waiting for its first report', recheckMs: Math.min(resyncMs, 250) };
  if (live && unseen) return { phase: (status.phase as Phase | undefined) ?? 'Unknown', reason: 'AwaitingLeaseView', message: 'the lease ran out, but renewals through other servers are not read yet', recheckMs: Math.min(resyncMs, 100) };
  if (live)
    return { phase: 'Ready', reason: 'AgentHeartbeating', message: 'the agent renews its lease', recheckMs: Math.min(resyncMs, expiresAt - now + 10) };
  if (status.phase === 'NotReady' && status.agent === null)
    return { phase: 'NotReady', reason: 'AgentStopped', message: 'the agent stopped and reported its replicas gone', recheckMs: resyncMs };
  // Grace after the control plane starts (surviving agents re-attach) and after the cluster is
  // declared (its agent is being started): nothing is decided before the agent had its chance.
  const born = Date.parse(c.metadata.creationTimestamp ?? '');
  const since = Math.max(startedAt, Number.isFinite(born) ? born : startedAt);
  // An expired lease counts as none here: with shared leases a newly elected leader finds the
  // rows the agents of the old one left, and must give its own agents the same grace.
  if (now - since < startupGraceMs) return { phase: (status.phase as Phase) ?? 'Unknown', reason: 'AwaitingAgent', message: 'waiting for the cluster agent to report (after a control-plane start or a new cluster)', recheckMs: since + startupGraceMs - now + 10 };
  if (!lease && !status.lastHeartbeatTime) return { phase: 'Unknown', reason: 'NeverHeartbeated', message: 'no agent has reported for this cluster yet', recheckMs: resyncMs };
  const last = lease ? lease.renewTime : Date.parse(status.lastHeartbeatTime ?? '');
  const age = Number.isFinite(last) ? `${((now - last) / 1000).toFixed(1)} s` : 'ever';
  return { phase: 'NotReady', reason: 'HeartbeatMissed', message: `no heartbeat for ${age}`, recheckMs: resyncMs };
}

export function healthController(o: HealthControllerOptions): ControllerSpec {
  const now = o.now ?? Date.now;
  // From the first reconcile, not from construction: a server that waited as a follower and was
  // just elected gives the agents of its managed clusters the same grace as a fresh start.
  let startedAt: number | undefined;
  const startupGraceMs = o.startupGraceMs ?? 3000;
  const resyncMs = o.resyncMs ?? 1000;
  const stalls = stallDetector();
  // A lease acquired or released is news at once: recovery and graceful stops need no polling.
  o.leases.onChange((l, e) => {
    if (e !== 'renewed') o.manager.enqueue(HEALTH_CONTROLLER, l.name);
  });
  return {
    watches: [{ kind: 'Cluster', keys: (_t, c) => [c.metadata.name] }],
    workers: 2,
    reconciler: {
      name: HEALTH_CONTROLLER,
      async reconcile(name, signal) {
        stalls.start(signal);
        const c = o.manager.informer('Cluster').get(`Cluster/${name}`) as Cluster | undefined;
        if (!c) return;
        const t = now();
        startedAt ??= t;
        const v = judgeCluster(c, o.leases.get(name), t, startedAt, startupGraceMs, resyncMs, stalls.lastEndedAt(), o.leases.viewAsOf());
        if (!v) return;
        const status = (c.status ?? {}) as Record<string, unknown> & { phase?: string; conditions?: { type: string; status: string; reason?: string; lastTransitionTime?: string }[] };
        // During the start-up grace nothing is decided: agents that outlived a restart re-attach.
        if (status.phase === v.phase || v.reason === 'AwaitingAgent' || v.reason === 'AwaitingLeaseView' || (v.reason === 'AgentRegistering' && !status.phase)) return { requeueAfterMs: v.recheckMs };
        const ready = { type: 'Ready', status: v.phase === 'Ready' ? 'True' : v.phase === 'NotReady' ? 'False' : 'Unknown', reason: v.reason, message: v.message, lastTransitionTime: new Date(t).toISOString() };
        const next = { ...c, status: { ...status, phase: v.phase, conditions: [...(status.conditions ?? []).filter((x) => x.type !== 'Ready'), ready] } };
        const event = await o.events.mutation({
          involved: { kind: 'Cluster', name },
          type: v.phase === 'Ready' ? 'Normal' : 'Warning',
          reason: v.phase === 'Ready' ? 'ClusterReady' : v.phase === 'NotReady' ? 'ClusterNotReady' : 'ClusterUnknown',
          message: `${name} is ${v.phase}: ${v.message}`,
          source: 'health-controller',
          data: { previousPhase: status.phase ?? null },
        });
        const decision = { actor: 'controller:health', verb: 'health', ref: { kind: 'Cluster', name }, details: { phase: v.phase, previousPhase: status.phase ?? null, reason: v.reason, message: v.message } };
        await o.store.apply([{ verb: 'updateStatus', object: next, ...(c.metadata.resourceVersion ? { expectedResourceVersion: c.metadata.resourceVersion } : {}) }, event], { actor: 'controller:health', reason: v.reason, decisions: [decision] });
        return { requeueAfterMs: v.recheckMs };
      },
    },
  };
}

/** A tick later than this means the event loop was blocked: incoming renewals waited unread. */
const STALL_MS = 250;
const TICK_MS = 100;

/** Notices event-loop stalls of the control plane itself, for as long as the manager runs. */
function stallDetector(): { start(signal: AbortSignal): void; lastEndedAt(): number } {
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  let endedAt = 0;
  return {
    start(signal) {
      if (timer || signal.aborted) return;
      last = Date.now();
      timer = setInterval(() => {
        const t = Date.now();
        if (t - last > TICK_MS + STALL_MS) endedAt = t;
        last = t;
      }, TICK_MS);
      timer.unref();
      signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    },
    lastEndedAt: () => endedAt,
  };
}
