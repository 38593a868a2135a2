// The Reconciler contract, as in controller-runtime: the input is only a key; read desired and
// actual state, converge, and say when to look again. Level-triggered and idempotent.

/** What a reconcile asks of the loop afterwards. */
export interface ReconcileResult {
  /** Look at this key again after this many ms even if nothing changes (periodic checks). */
  requeueAfterMs?: number;
}

/**
 * A reconciler converges one key (e.g. `Workload/default/payments-api` or `global`).
 * Throwing a `RetryableError` (or any non-terminal error) requeues the key with per-key
 * exponential backoff; throwing a `TerminalError` drops it until the next change.
 */
export interface Reconciler {
  readonly name: string;
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/** An error that retrying cannot fix: the key is dropped until its inputs change. */
export class TerminalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerminalError';
  }
}
