// Chaos faults in the control plane: failing a cluster SIGKILLs its agent (its replicas die
// with it) and holds it down until restored; a region or provider fails all its clusters.
// Detection stays the real one (the lease expires): chaos only causes the outage.
import { BadRequestError, NotFoundError, type Cluster } from '../api/index.js';
import type { Store } from '../store/store.js';

export const FAULT_KINDS = ['cluster', 'region', 'provider'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What to fail or restore. */
export interface FaultTarget {
  kind: FaultKind;
  name: string;
}

/** A fault in force (the shape `GET /api/v1alpha1/chaos` serves and the dashboard reads). */
export interface Fault extends FaultTarget {
  /** ISO time the fault was injected. */
  since: string;
  /** Clusters it took down. */
  clusters: string[];
  actor: string;
}

/** The part of the agent manager chaos drives. */
export interface ChaosAgents {
  hold(cluster: string): void;
  allow(cluster: string): void;
  kill(cluster: string): Promise<void>;
}

/** Records what chaos did: an Event per cluster and a decision in the audit chain. */
export interface ChaosRecorder {
  event(e: { cluster: string; reason: 'ChaosFault' | 'ChaosRestore'; message: string; actor: string }): Promise<void>;
}

export interface Chaos {
  faults(): Fault[];
  /** Injects a fault; failing a target that is already failed is a no-op returning the fault. */
  fail(t: FaultTarget, actor: string): Promise<Fault>;
  /** Restores the faults matching `t` (any kind when `kind` is omitted); returns them. */
  restore(t: { kind?: FaultKind; name: string }, actor: string): Promise<Fault[]>;
  /** Clusters held down by a fault right now. */
  held(): string[];
}

/** The clusters a target covers, or a typed error naming what is wrong. */
export function resolveTarget(t: FaultTarget, clusters: readonly Cluster[]): string[] {
  if (!FAULT_KINDS.includes(t.kind)) throw new BadRequestError(`unknown fault kind "${t.kind}": expected cluster, region or provider`);
  if (!t.name) throw new BadRequestError('a fault needs a name');
  const match = (c: Cluster) => (t.kind === 'cluster' ? c.metadata.name : t.kind === 'region' ? c.spec.region : c.spec.provider) === t.name;
  const names = clusters.filter(match).map((c) => c.metadata.name).sort();
  if (!names.length) throw new NotFoundError(`no cluster matches ${t.kind} "${t.name}"`);
  return names;
}

/**
 * Creates the chaos engine of one control plane.
 * @example
 * const chaos = createChaos({ store, agents, recorder });
 * await chaos.fail({ kind: 'provider', name: 'aws' }, 'user:alice'); // every aws agent SIGKILLed, held down
 * await chaos.restore({ name: 'aws' }, 'user:alice');                // agents allowed to start again
 */
export function createChaos(o: { store: Store; agents: ChaosAgents; recorder: ChaosRecorder; now?: () => Date }): Chaos {
  const active: Fault[] = [];
  const now = o.now ?? (() => new Date());
  const covered = () => new Set(active.flatMap((f) => f.clusters));
  const listClusters = async () => (await o.store.list('Cluster')).items as Cluster[];
  // Faults are applied one at a time, so a fail and a restore racing cannot leave a cluster
  // held without a fault (or running under one).
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };

  return {
    faults: () => active.map((f) => ({ ...f, clusters: [...f.clusters] })),
    held: () => [...covered()].sort(),
    fail: (t, actor) =>
      serial(async () => {
        const existing = active.find((f) => f.kind === t.kind && f.name === t.name);
        if (existing) return existing;
        const clusters = resolveTarget(t, await listClusters());
        const fault: Fault = { kind: t.kind, name: t.name, since: now().toISOString(), clusters, actor };
        active.push(fault);
        // Hold first: the agent manager must not restart an agent we are about to kill.
        for (const c of clusters) o.agents.hold(c);
        await Promise.all(clusters.map((c) => o.agents.kill(c)));
        for (const c of clusters) await o.recorder.event({ cluster: c, reason: 'ChaosFault', actor, message: `chaos: ${t.kind} ${t.name} failed by ${actor}: agent of ${c} killed with its replicas, held down until restored` });
        return fault;
      }),
    restore: (t, actor) =>
      serial(async () => {
        const gone = active.filter((f) => f.name === t.name && (!t.kind || f.kind === t.kind));
        if (!gone.length) throw new NotFoundError(`no chaos fault named ${t.kind ? `${t.kind} ` : ''}"${t.name}" is in force`);
        for (const f of gone) active.splice(active.indexOf(f), 1);
        const still = covered();
        const freed = [...new Set(gone.flatMap((f) => f.clusters))].filter((c) => !still.has(c)).sort();
        for (const c of freed) o.agents.allow(c);
        for (const c of freed) await o.recorder.event({ cluster: c, reason: 'ChaosRestore', actor, message: `chaos: ${gone.map((f) => `${f.kind} ${f.name}`).join(', ')} restored by ${actor}: agent of ${c} may start again` });
        return gone;
      }),
  };
}
