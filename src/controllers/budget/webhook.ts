// Budget alert webhooks: delivered in the background with a timeout per attempt and retries
// with backoff, so a slow or failing endpoint never blocks a reconcile or the control plane.

export interface WebhookOptions {
  /** Per-attempt timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Attempts after the first (default 3). */
  retries?: number;
  /** Delay before the first retry, doubled each time (default 500 ms). */
  backoffMs?: number;
  /** Called once per delivery with its outcome (for logs and tests). */
  onResult?: (r: WebhookResult) => void;
}

export interface WebhookResult {
  url: string;
  ok: boolean;
  attempts: number;
  /** HTTP status of the last attempt, when one answered. */
  status?: number;
  error?: string;
}

export interface WebhookNotifier {
  /** Starts a delivery and returns at once; never throws. */
  notify(url: string, payload: unknown): void;
  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  /** Aborts deliveries in flight and waits for them to end. */
  close(): Promise<void>;
}

/**
 * Creates a notifier. 2xx is success; 5xx, 408, 429, timeouts and connection errors are retried;
 * other 4xx are final (retrying a bad request cannot help).
 * @example const n = createWebhookNotifier({ retries: 3 }); n.notify(url, { budget: 'team-a', threshold: 80 })
 */
export function createWebhookNotifier(opts: WebhookOptions = {}): WebhookNotifier {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const retries = opts.retries ?? 3;
  const backoffMs = opts.backoffMs ?? 500;
  const closing = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      closing.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });

  const deliver = async (url: string, body: string): Promise<WebhookResult> => {
    let last: WebhookResult = { url, ok: false, attempts: 0 };
    for (let attempt = 1; attempt <= retries + 1 && !closing.signal.aborted; attempt++) {
      if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
      if (closing.signal.aborted) break;
      const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
        await res.arrayBuffer().catch(() => undefined);
        last = { url, ok: res.ok, attempts: attempt, status: res.status };
        if (res.ok || (res.status < 500 && res.status !== 408 && res.status !== 429)) return last;
      } catch (err) {
        last = { url, ok: false, attempts: attempt, error: (err as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (err as Error).message };
      }
    }
    return last;
  };

  return {
    notify(url, payload) {
      if (closing.signal.aborted) return;
      const p = deliver(url, JSON.stringify(payload))
        .then((r) => opts.onResult?.(r))
        .catch(() => undefined)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async close() {
      closing.abort();
      await this.idle();
    },
  };
}
