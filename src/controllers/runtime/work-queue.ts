// A deduplicating work queue with delayed adds and per-key exponential backoff: a key is never
// processed by two workers at once, and a key added while processing is processed again after.

export interface WorkQueueOptions {
  /** First retry delay after a failure. */
  baseDelayMs: number;
  /** Largest retry delay. */
  maxDelayMs: number;
}

export const DEFAULT_QUEUE_OPTIONS: WorkQueueOptions = { baseDelayMs: 50, maxDelayMs: 30_000 };

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: re-queued when `done` is called. */
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly failures = new Map<string, number>();
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly opts: WorkQueueOptions = DEFAULT_QUEUE_OPTIONS) {}

  /** Adds a key now; a no-op if it is already waiting. */
  add(key: string): void {
    if (this.closed) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.wake();
  }

  /** Adds a key after a delay; when the key is already due at some time, the sooner time wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.closed) return;
    if (delayMs <= 0) return this.add(key);
    const due = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending) {
      if (pending.due <= due) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { timer, due });
  }

  /** Re-adds a failed key with exponential backoff; returns the delay used. */
  addRateLimited(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (n - 1));
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the backoff of a key after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Waits for the next key; `undefined` once the queue is closed. */
  async get(): Promise<string | undefined> {
    while (!this.closed && this.queue.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    if (this.closed) return undefined;
    const key = this.queue.shift()!;
    this.queued.delete(key);
    this.processing.add(key);
    return key;
  }

  /** Marks a key processed; re-queues it if it changed meanwhile. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.wake(true);
  }

  private wake(all = false): void {
    const ws = all ? this.waiters.splice(0) : this.waiters.splice(0, 1);
    for (const w of ws) w();
  }
}
