// The event recorder: every controller reports what happened through here. Repeats of the same
// reason for the same object within a window are folded into one Event with a count, as
// Kubernetes does, so a crash-looping replica cannot flood the store.
import { createHash } from 'node:crypto';
import { API_VERSION, type TrustStramEvent } from '../../api/index.js';
import type { Mutation, Store } from '../../store/store.js';

export interface EventInput {
  involved: { kind: string; namespace?: string; name: string };
  type?: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** Component that saw it: `placement-controller`, `health-controller`, `agent/aws-eu-1`. */
  source: string;
  data?: Record<string, unknown>;
  /** Distinguishes events of one reason on one object that must not fold together (a cluster, a replica). */
  subject?: string;
}

/** Namespace of events about cluster-scoped objects (clusters, budgets, policies). */
export const SYSTEM_NAMESPACE = 'truststram-system';

export interface EventRecorder {
  /** Builds the mutation for an event (to commit together with the change it describes). */
  mutation(e: EventInput, now?: Date): Promise<Mutation>;
  /** Records an event on its own. Never throws: losing an event must not fail a reconcile. */
  record(e: EventInput): Promise<void>;
}

/** Folding window: the same reason on the same object within it increments `count`. */
const FOLD_MS = 10 * 60_000;

export function createEventRecorder(store: Store, onError: (err: unknown) => void = () => {}): EventRecorder {
  const mutation = async (e: EventInput, now = new Date()): Promise<Mutation> => {
    const namespace = e.involved.namespace ?? SYSTEM_NAMESPACE;
    const bucket = Math.floor(now.getTime() / FOLD_MS);
    const digest = createHash('sha256').update(`${e.involved.kind}/${e.involved.name}/${e.reason}/${e.subject ?? ''}/${bucket}`).digest('hex').slice(0, 10);
    const name = `${e.involved.name.slice(0, 40)}.${digest}`;
    const existing = (await store.get({ kind: 'Event', namespace, name })) as TrustStramEvent | undefined;
    const ts = now.toISOString();
    const event: TrustStramEvent = {
      apiVersion: API_VERSION,
      kind: 'Event',
      metadata: { name, namespace, labels: { 'truststram.io/involved-kind': e.involved.kind.toLowerCase(), 'truststram.io/reason': e.reason } },
      spec: {
        involvedObject: e.involved,
        type: e.type ?? 'Normal',
        reason: e.reason,
        message: e.message,
        source: e.source,
        count: (existing?.spec.count ?? 0) + 1,
        firstTimestamp: existing?.spec.firstTimestamp ?? ts,
        lastTimestamp: ts,
        ...(e.data ? { data: e.data } : {}),
      },
    };
    return { verb: 'upsert', object: event };
  };
  return {
    mutation,
    async record(e) {
      try {
        await store.apply([await mutation(e)], { actor: `controller:${e.source}` });
      } catch (err) {
        onError(err);
      }
    },
  };
}
