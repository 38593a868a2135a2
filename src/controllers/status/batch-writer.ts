// Coalesces the status controller's writes: every commit is a durable SQLite transaction
// (an fsync, ~4 ms here) plus audit entries, so one transaction per workload caps a 1,000-workload
// fleet at a few hundred status updates per second. Writes that arrive while a commit is being
// prepared share the next one. Callers still await their own write (and see its error).
import type { Mutation, Store } from '../../store/store.js';

export interface BatchWriter {
  /** Commits `mutations` (atomically among themselves), possibly together with other callers' writes. */
  write(mutations: Mutation[]): Promise<void>;
}

interface Pending {
  mutations: Mutation[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A writer that commits everything queued within one event-loop turn as one `store.apply`. */
export function createBatchWriter(store: Store, actor: string, maxMutations = 2000): BatchWriter {
  const queue: Pending[] = [];
  let scheduled = false;

  const commitAlone = (p: Pending) => store.apply(p.mutations, { actor }).then(() => p.resolve(), p.reject);

  const flush = async () => {
    scheduled = false;
    const batch: Pending[] = [];
    let size = 0;
    while (queue.length && size < maxMutations) {
      const p = queue.shift()!;
      batch.push(p);
      size += p.mutations.length;
    }
    if (queue.length) schedule();
    if (batch.length === 1) return commitAlone(batch[0]!);
    try {
      await store.apply(batch.flatMap((p) => p.mutations), { actor });
      for (const p of batch) p.resolve();
    } catch {
      // The batch is atomic: one bad write (a workload deleted meanwhile) must not sink the
      // others, so each is retried on its own and gets its own outcome.
      for (const p of batch) await commitAlone(p);
    }
  };

  function schedule() {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  }

  return {
    write(mutations) {
      if (mutations.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ mutations, resolve, reject });
        schedule();
      });
    },
  };
}
