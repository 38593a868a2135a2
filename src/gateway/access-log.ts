// The recent-requests ring: a fixed-size structured access log that chaos reports count
// failed requests and residency violations from, without unbounded memory.

/** One finished request as the gateway saw it. */
export interface AccessLogEntry {
  /** Epoch milliseconds when the request arrived. */
  time: number;
  method: string;
  host: string;
  path: string;
  /** Workload key (`namespace/name`) or undefined when no route matched. */
  route: string | undefined;
  /** Cluster, replica and jurisdiction of the endpoint that produced the final answer. */
  cluster: string | undefined;
  replica: string | undefined;
  jurisdiction: string | undefined;
  /** The workload's allowed jurisdictions at the time (undefined = unrestricted). */
  residency: readonly string[] | undefined;
  status: number;
  latencyMs: number;
  /** Tries made (1 = no retry). */
  attempts: number;
  /** Clusters of every try in order, when there was more than one (a retry left `tried[0]`). */
  tried: string[] | undefined;
  /** Gateway reason code when the gateway produced or cut the answer (`upstream_timeout`...). */
  reason: string | undefined;
}

export interface AccessLog {
  push(e: AccessLogEntry): void;
  /** Entries oldest first; `since` keeps only those with `time >= since`. */
  recent(opts?: { since?: number; limit?: number }): AccessLogEntry[];
  /** Entries whose serving jurisdiction is outside the route's residency (should be none). */
  residencyViolations(): number;
  readonly total: number;
}

/** A ring of `size` entries. */
export function createAccessLog(size: number): AccessLog {
  const ring: (AccessLogEntry | undefined)[] = new Array(Math.max(1, size));
  let next = 0;
  let total = 0;
  let violations = 0;
  return {
    push(e) {
      ring[next] = e;
      next = (next + 1) % ring.length;
      total++;
      if (e.residency && e.jurisdiction && !e.residency.includes(e.jurisdiction)) violations++;
    },
    recent(opts = {}) {
      const out: AccessLogEntry[] = [];
      for (let i = 0; i < ring.length; i++) {
        const e = ring[(next + i) % ring.length];
        if (e && (opts.since === undefined || e.time >= opts.since)) out.push(e);
      }
      return opts.limit !== undefined && out.length > opts.limit ? out.slice(out.length - opts.limit) : out;
    },
    residencyViolations: () => violations,
    get total() {
      return total;
    },
  };
}
