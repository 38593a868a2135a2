// The controller manager: shared informers, one work queue per controller, workers that call
// reconcilers, and the rules that turn store changes into keys. Controllers talk to each other
// only through the store.
import type { Store } from '../../store/store.js';
import type { Reconciler } from './contract.js';
import { TerminalError } from './contract.js';
import { startInformer, type Informer, type InformerHandler } from './informer.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

/** Maps a change of a watched kind to the keys a controller must look at. */
export type KeyMapper = (...args: Parameters<InformerHandler>) => string[];

export interface ControllerSpec {
  reconciler: Reconciler;
  /** Which kinds to watch and how their changes map to keys. */
  watches: { kind: string; keys: KeyMapper }[];
  /** Keys to reconcile once at start (e.g. `global`), besides what the watches produce. */
  initialKeys?: string[];
  workers?: number;
  queue?: WorkQueueOptions;
}

export interface ManagerOptions {
  onError?: (controller: string, key: string, err: unknown) => void;
}

export interface Manager {
  /** Informer of a kind, shared by every controller (started on first use). */
  informer(kind: string): Informer;
  add(spec: ControllerSpec): void;
  /** Starts all controllers once every informer has synced. */
  start(): Promise<void>;
  /** Enqueues a key for a controller by name (used by tests and the chaos API). */
  enqueue(controller: string, key: string): void;
  stop(): Promise<void>;
}

export function createManager(store: Store, opts: ManagerOptions = {}): Manager {
  const informers = new Map<string, Informer>();
  const controllers: { spec: ControllerSpec; queue: WorkQueue }[] = [];
  const abort = new AbortController();
  const running: Promise<void>[] = [];
  const onError = opts.onError ?? ((c, k, e) => process.stderr.write(`controller ${c}: ${k}: ${e instanceof Error ? e.message : String(e)}\n`));

  const informer = (kind: string): Informer => {
    let inf = informers.get(kind);
    if (!inf) {
      inf = startInformer(store, kind, { onError: (e) => onError(`informer/${kind}`, kind, e) });
      informers.set(kind, inf);
    }
    return inf;
  };

  const worker = async (spec: ControllerSpec, queue: WorkQueue) => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        const res = await spec.reconciler.reconcile(key, abort.signal);
        queue.forget(key);
        if (res?.requeueAfterMs !== undefined) queue.addAfter(key, res.requeueAfterMs);
      } catch (err) {
        if (abort.signal.aborted) break;
        onError(spec.reconciler.name, key, err);
        if (!(err instanceof TerminalError)) queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };

  return {
    informer,
    add(spec) {
      const queue = new WorkQueue(spec.queue);
      controllers.push({ spec, queue });
      for (const w of spec.watches) informer(w.kind).onChange((t, o, old) => w.keys(t, o, old).forEach((k) => queue.add(k)));
    },
    async start() {
      await Promise.all([...informers.values()].map((i) => i.synced));
      for (const { spec, queue } of controllers) {
        for (const k of spec.initialKeys ?? []) queue.add(k);
        for (let i = 0; i < (spec.workers ?? 1); i++) running.push(worker(spec, queue));
      }
    },
    enqueue(name, key) {
      controllers.find((c) => c.spec.reconciler.name === name)?.queue.add(key);
    },
    async stop() {
      abort.abort();
      for (const { queue } of controllers) queue.close();
      for (const i of informers.values()) i.stop();
      await Promise.allSettled(running);
    },
  };
}
