// The store as a leader's controllers see it: every write carries the leader's fencing token, so
// the store refuses it once a newer leader has been elected (store.ts, `LeaderElection.fence`).
// While this server does not lead (before its election, after it lost), writes are refused here
// without reaching the database. Reads pass through unchanged.
import { FencedError } from './store-errors.js';
import type { Fence, Store } from './store.js';

export function fencedStore(store: Store, fence: () => Fence | undefined): Store {
  const token = (): Fence => {
    const f = fence();
    if (!f) throw new FencedError('this server does not lead the controllers (not elected yet, or leadership lost): the write was not made');
    return f;
  };
  const fenced: Store = {
    get: (ref) => store.get(ref),
    list: (kind, opts) => store.list(kind, opts),
    watch: (kind, opts) => store.watch(kind, opts),
    apply: async (mutations, ctx) => store.apply(mutations, { ...ctx, fence: token() }),
    recordDecision: async (decision) => store.recordDecision(decision, { fence: token() }),
    auditLog: (query) => store.auditLog(query),
    verifyAudit: () => store.verifyAudit(),
    history: (kind, opts) => store.history(kind, opts),
    revision: () => store.revision(),
    close: () => store.close(),
  };
  return fenced;
}
