// Leases: the liveness heartbeats of agents, never written as objects or into the audit chain.
// A heartbeat every 500 ms per cluster is liveness, not state: auditing it would grow the hash
// chain by a million entries a day and hide the changes that matter (ADR 0006). Kubernetes
// splits node Leases from NodeStatus for the same reason.
// With one server (SQLite) they live in its memory; servers sharing a Postgres store share them
// through a table there (postgres/leases.ts), so an agent may renew through any replica.
import { ConflictError } from '../api/index.js';

export interface Lease {
  name: string;
  /** Identity of the holder (an agent's random id). */
  holder: string;
  /** The lease is expired when now > renewTime + durationMs. */
  durationMs: number;
  acquireTime: number;
  renewTime: number;
  /**
   * The holder's election epoch, for a lease a leader holds (its fencing token's number): a
   * holder with a higher epoch takes the lease over at once, a lower one never. Unset for agents.
   */
  epoch?: number;
}

export type LeaseListener = (lease: Lease, event: LeaseEvent) => void;

export interface LeaseTable {
  /**
   * Acquires or renews; rejects with ConflictError while another holder's lease is live, unless
   * `epoch` is higher than that holder's (a newly elected leader taking its predecessor's lease).
   */
  renew(name: string, holder: string, durationMs: number, now?: number, epoch?: number): Promise<Lease>;
  /** Releases the lease if `holder` holds it (a graceful stop). */
  release(name: string, holder: string): Promise<void>;
  get(name: string): Lease | undefined;
  list(): Lease[];
  /** True when the lease exists and has not expired. Reads are this server's view: its own writes at once, other servers' shortly after. */
  isLive(name: string, now?: number): boolean;
  onChange(listener: LeaseListener): () => void;
  /**
   * Time (epoch ms) up to which this view holds every renewal: now for one server's own table;
   * the start of the last successful read of the shared table otherwise. A lease is known to be
   * expired only once this is past its expiry.
   */
  viewAsOf(): number;
}

export type LeaseEvent = 'acquired' | 'renewed' | 'released';

/**
 * The read side every lease table shares: the leases this server knows, the reads of
 * LeaseTable, and the listeners told of each change. A listener that throws is reported to
 * `onListenerError`, never to the writer that caused the change.
 */
export function createLeaseView(onListenerError: (err: unknown, e: LeaseEvent, l: Lease) => void) {
  const leases = new Map<string, Lease>();
  const listeners = new Set<LeaseListener>();
  const emit = (l: Lease, e: LeaseEvent) => {
    for (const f of listeners) {
      try {
        f(l, e);
      } catch (err) {
        onListenerError(err, e, l);
      }
    }
  };
  return {
    /** Stores `lease` and tells the listeners. */
    set(lease: Lease, e: 'acquired' | 'renewed') {
      leases.set(lease.name, lease);
      emit(lease, e);
    },
    /** Forgets a lease (released, or gone from the shared table) and tells the listeners. */
    delete(name: string) {
      const cur = leases.get(name);
      if (!cur) return;
      leases.delete(name);
      emit(cur, 'released');
    },
    names: () => [...leases.keys()],
    get: (name: string) => leases.get(name),
    list: () => [...leases.values()],
    isLive: (name: string, now = Date.now()) => isLeaseLive(leases.get(name), now),
    onChange(listener: LeaseListener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** True when `epoch` outranks the live holder of `l`: a newer leader's lease replaces the old one's. */
export function supersedes(epoch: number | undefined, l: Lease): boolean {
  return epoch !== undefined && (l.epoch === undefined || epoch > l.epoch);
}

/** True while `l` exists and has not expired at `now`. */
export function isLeaseLive(l: Lease | undefined, now: number): l is Lease {
  return !!l && now <= l.renewTime + l.durationMs;
}

const reportListenerError = (err: unknown, e: LeaseEvent, l: Lease) => process.stderr.write(`leases: a listener failed on ${e} ${l.name}: ${(err as Error).message}\n`);

/** One server's leases, in its memory. */
export function createLeaseTable(onListenerError = reportListenerError): LeaseTable {
  const view = createLeaseView(onListenerError);
  return {
    async renew(name, holder, durationMs, now = Date.now(), epoch) {
      const cur = view.get(name);
      const live = isLeaseLive(cur, now);
      if (cur && cur.holder !== holder && live && !supersedes(epoch, cur)) throw new ConflictError(`lease ${name} is held by ${cur.holder} (renewed ${now - cur.renewTime} ms ago)`);
      const fresh = !cur || cur.holder !== holder || !live;
      const lease: Lease = { name, holder, durationMs, acquireTime: fresh ? now : cur.acquireTime, renewTime: now, ...(epoch !== undefined ? { epoch } : {}) };
      view.set(lease, fresh ? 'acquired' : 'renewed');
      return lease;
    },
    async release(name, holder) {
      if (view.get(name)?.holder === holder) view.delete(name);
    },
    get: view.get,
    list: view.list,
    isLive: view.isLive,
    viewAsOf: () => Date.now(),
    onChange: view.onChange,
  };
}
