// Leases: the liveness heartbeats of agents (and later of control-plane leaders), kept in
// memory and never written to the store or the audit chain. A heartbeat every 500 ms per
// cluster is liveness, not state: auditing it would grow the hash chain by a million entries a
// day and hide the changes that matter (ADR 0006). Kubernetes splits node Leases from NodeStatus
// for the same reason.
import { BadRequestError, ConflictError } from '../api/index.js';
import type { View } from './router.js';

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
  /** Acquires or renews; throws ConflictError while another holder's lease is live. */
  renew(name: string, holder: string, durationMs: number, now?: number): Lease;
  /** Releases the lease if `holder` holds it (a graceful stop). */
  release(name: string, holder: string): void;
  get(name: string): Lease | undefined;
  list(): Lease[];
  /** True when the lease exists and has not expired. */
  isLive(name: string, now?: number): boolean;
  onChange(listener: LeaseListener): () => void;
}

export function createLeaseTable(): LeaseTable {
  const leases = new Map<string, Lease>();
  const listeners = new Set<LeaseListener>();
  const emit = (l: Lease, e: 'acquired' | 'renewed' | 'released') => listeners.forEach((f) => f(l, e));
  const live = (l: Lease | undefined, now: number) => !!l && now <= l.renewTime + l.durationMs;
  return {
    renew(name, holder, durationMs, now = Date.now()) {
      const cur = leases.get(name);
      if (cur && cur.holder !== holder && live(cur, now))
        throw new ConflictError(`lease ${name} is held by ${cur.holder} (renewed ${now - cur.renewTime} ms ago)`);
      const fresh = !cur || cur.holder !== holder || !live(cur, now);
      const lease: Lease = { name, holder, durationMs, acquireTime: fresh ? now : cur.acquireTime, renewTime: now };
      leases.set(name, lease);
      emit(lease, fresh ? 'acquired' : 'renewed');
      return lease;
    },
    release(name, holder) {
      const cur = leases.get(name);
      if (!cur || cur.holder !== holder) return;
      leases.delete(name);
      emit(cur, 'released');
    },
    get: (name) => leases.get(name),
    list: () => [...leases.values()],
    isLive: (name, now = Date.now()) => live(leases.get(name), now),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const MAX_DURATION_MS = 5 * 60_000;

/** `PUT/DELETE /api/v1alpha1/leases/:name` and `GET /api/v1alpha1/leases`. */
export function leaseViews(table: LeaseTable): View[] {
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/leases',
      name: 'leases',
      handler: async () => ({ body: { items: table.list().map(render) } }),
    },
    {
      method: 'PUT',
      path: '/api/v1alpha1/leases/:name',
      name: 'lease',
      handler: async (ctx) => {
        const { value } = await ctx.readJson();
        const v = value as { holder?: unknown; durationMs?: unknown };
        if (typeof v?.holder !== 'string' || !v.holder) throw new BadRequestError('holder: required string', [{ field: 'holder', message: 'required string' }]);
        const d = v.durationMs;
        if (typeof d !== 'number' || !Number.isFinite(d) || d <= 0 || d > MAX_DURATION_MS)
          throw new BadRequestError(`durationMs: must be a number of milliseconds in (0, ${MAX_DURATION_MS}]`, [{ field: 'durationMs', message: 'out of range' }]);
        return { body: render(table.renew(ctx.params.name!, v.holder, d)) };
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1alpha1/leases/:name',
      name: 'lease',
      handler: async (ctx) => {
        const holder = ctx.url.searchParams.get('holder');
        if (!holder) throw new BadRequestError('holder: required query parameter', [{ field: 'holder', message: 'required' }]);
        table.release(ctx.params.name!, holder);
        return { body: { kind: 'Status', apiVersion: 'v1', status: 'Success', code: 200 } };
      },
    },
  ];
}

function render(l: Lease) {
  return { name: l.name, holder: l.holder, durationMs: l.durationMs, acquireTime: new Date(l.acquireTime).toISOString(), renewTime: new Date(l.renewTime).toISOString() };
}
