// The GameDay load: an open-loop generator (requests leave on schedule whatever the answers
// do, so an outage cannot slow the load down and hide failures) sending GETs with the
// workloads' Host headers through the gateway over a keep-alive undici Pool.
import { Pool } from 'undici';

/** One request as the client saw it. */
export interface ClientResult {
  /** Unique within the run; also in the path (`?gameday=RUN-SEQ`) to find it in the access log. */
  seq: number;
  host: string;
  /** Epoch ms sent and finished. */
  sentAt: number;
  doneAt: number;
  /** HTTP status, 0 when no answer came (timeout, reset, refused). */
  status: number;
  /** The serving cluster (`x-truststram-cluster`), the gateway reason (`x-truststram-reason`) or the client error code. */
  cluster: string | undefined;
  error: string | undefined;
}

export interface LoadOptions {
  url: string;
  hosts: string[];
  /** Requests per second. */
  rate: number;
  path: string;
  connections: number;
  timeoutMs: number;
  runId: string;
}

export interface RunningLoad {
  /** Resolves once the connections are open and the schedule runs (the warm-up is not counted). */
  started: Promise<void>;
  results: ClientResult[];
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<ClientResult[]>;
}

/** True for an answer a client would call a failure (no answer, or a 5xx; 4xx is the client's doing except 404 no_route). */
export const isFailure = (r: Pick<ClientResult, 'status'>): boolean => r.status === 0 || r.status >= 500 || r.status === 404;

/**
 * Starts sending at `rate` requests/s, spread over `hosts` round-robin.
 * @example const load = startLoad({ url: gw.url, hosts: ['shop.example'], rate: 1000, ... }); ...; const results = await load.stop();
 */
export function startLoad(o: LoadOptions): RunningLoad {
  const pool = new Pool(o.url, { connections: o.connections, pipelining: 1, keepAliveTimeout: 10_000, connect: { timeout: o.timeoutMs } });
  const results: ClientResult[] = [];
  const inflight = new Set<Promise<void>>();
  let started = 0;
  let sent = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const one = (seq: number) => {
    const host = o.hosts[seq % o.hosts.length]!;
    const sentAt = Date.now();
    const p = pool
      .request({ method: 'GET', path: `${o.path}${o.path.includes('?') ? '&' : '?'}gameday=${o.runId}-${seq}`, headers: { host }, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs })
      .then(async (res) => {
        await res.body.dump();
        const cluster = res.headers['x-truststram-cluster'];
        const reason = res.headers['x-truststram-reason'];
        results.push({ seq, host, sentAt, doneAt: Date.now(), status: res.statusCode, cluster: typeof cluster === 'string' ? cluster : undefined, error: typeof reason === 'string' ? reason : undefined });
      })
      .catch((err: unknown) => {
        results.push({ seq, host, sentAt, doneAt: Date.now(), status: 0, cluster: undefined, error: (err as { code?: string }).code ?? (err as Error).message });
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  // Open every connection first (uncounted): a burst of connects at the start of the schedule
  // is the load generator's cost, not the system's, and showed up as client timeouts.
  const warm = Promise.allSettled(
    Array.from({ length: o.connections }, (_, i) =>
      pool.request({ method: 'GET', path: o.path, headers: { host: o.hosts[i % o.hosts.length]! }, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs }).then((r) => r.body.dump()),
    ),
  ).then(() => {
    if (stopped) return;
    started = performance.now();
    // A 5 ms tick sends whatever the schedule owes: the rate holds even when timers run late.
    timer = setInterval(() => {
      if (stopped) return;
      const due = Math.floor(((performance.now() - started) / 1000) * o.rate);
      while (sent < due) one(sent++);
    }, 5);
  });

  return {
    started: warm,
    results,
    async stop() {
      stopped = true;
      await warm;
      clearInterval(timer);
      while (inflight.size) await Promise.allSettled([...inflight]);
      await pool.close();
      return results;
    },
  };
}
