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
}

export type LeaseListener = (lease: Lease, event: 'acquired' | 'renewed' | 'released') => void;

export interface LeaseTable {
  /** Acquires or renews; rejects with ConflictError while another holder's lease is live. */
  renew(name: string, holder: string, durationMs: number, now?: number): Promise<Lease>;
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

/** One server's leases, in its memory. */
export function createLeaseTable(): LeaseTable {
  const leases = new Map<string, Lease>();
  const listeners = new Set<LeaseListener>();
  const emit = (l: Lease, e: 'acquired' | 'renewed' | 'released') => listeners.forEach((f) => f(l, e));
  const live = (l: Lease | undefined, now: number) => !!l && now <= l.renewTime + l.durationMs;
  return {
    async renew(name, holder, durationMs, now = Date.now()) {
      const cur = leases.get(name);
      if (cur && cur.holder !== holder && live(cur, now))
        throw new ConflictError(`lease ${name} is held by ${cur.holder} (renewed ${now - cur.renewTime} ms ago)`);
      const fresh = !cur || cur.holder !== holder || !live(cur, now);
      const lease: Lease = { name, holder, durationMs, acquireTime: fresh ? now : cur.acquireTime, renewTime: now };
      leases.set(name, lease);
      emit(lease, fresh ? 'acquired' : 'renewed');
      return lease;
    },
    async release(name, holder) {
      const cur = leases.get(name);
      if (!cur || cur.holder !== holder) return;
      leases.delete(name);
      emit(cur, 'released');
    },
    get: (name) => leases.get(name),
    list: () => [...leases.values()],
    isLive: (name, now = Date.now()) => live(leases.get(name), now),
    viewAsOf: () => Date.now(),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

