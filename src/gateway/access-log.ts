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
  /**
   * The request path's write: the same fields as an entry, stored into preallocated columns, so
   * logging a request allocates nothing (entries are built only when read).
   */
  record(
    time: number,
    method: string,
    host: string,
    path: string,
    route: string | undefined,
    cluster: string | undefined,
    replica: string | undefined,
    jurisdiction: string | undefined,
    residency: readonly string[] | undefined,
    status: number,
    latencyMs: number,
    attempts: number,
    tried: string[] | undefined,
    reason: string | undefined,
  ): void;
  /** Entries oldest first; `since` keeps only those with `time >= since`. */
  recent(opts?: { since?: number; limit?: number }): AccessLogEntry[];
  /** Entries whose serving jurisdiction is outside the route's residency (should be none). */
  residencyViolations(): number;
  readonly total: number;
}

/** A ring of `size` entries, stored column-wise (strings by reference, numbers in typed arrays). */
export function createAccessLog(size: number): AccessLog {
  const n = Math.max(1, size);
  const time = new Float64Array(n);
  const status = new Uint16Array(n);
  const latency = new Float64Array(n);
  const attempts = new Uint16Array(n);
  const method: string[] = new Array<string>(n).fill('');
  const host: string[] = new Array<string>(n).fill('');
  const path: string[] = new Array<string>(n).fill('');
  const route: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const cluster: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const replica: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const jurisdiction: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const residency: (readonly string[] | undefined)[] = new Array<readonly string[] | undefined>(n).fill(undefined);
  const tried: (string[] | undefined)[] = new Array<string[] | undefined>(n).fill(undefined);
  const reason: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  let next = 0;
  let total = 0;
  let violations = 0;
  const log: AccessLog = {
    push(e) {
      log.record(e.time, e.method, e.host, e.path, e.route, e.cluster, e.replica, e.jurisdiction, e.residency, e.status, e.latencyMs, e.attempts, e.tried, e.reason);
    },
    record(t, m, h, p, r, c, rep, j, res, st, lat, att, tr, why) {
      const i = next;
      time[i] = t;
      method[i] = m;
      host[i] = h;
      path[i] = p;
      route[i] = r;
      cluster[i] = c;
      replica[i] = rep;
      jurisdiction[i] = j;
      residency[i] = res;
      status[i] = st;
      latency[i] = lat;
      attempts[i] = att;
      tried[i] = tr;
      reason[i] = why;
      next = i + 1 === n ? 0 : i + 1;
      total++;
      if (res && j && !res.includes(j)) violations++;
    },
    recent(opts = {}) {
      const out: AccessLogEntry[] = [];
      const filled = Math.min(total, n);
      for (let k = n - filled; k < n; k++) {
        const i = (next + k) % n;
        if (opts.since !== undefined && time[i]! < opts.since) continue;
        out.push({
          time: time[i]!,
          method: method[i]!,
          host: host[i]!,
          path: path[i]!,
          route: route[i],
          cluster: cluster[i],
          replica: replica[i],
          jurisdiction: jurisdiction[i],
          residency: residency[i],
          status: status[i]!,
          latencyMs: latency[i]!,
          attempts: attempts[i]!,
          tried: tried[i],
          reason: reason[i],
        });
      }
      return opts.limit !== undefined && out.length > opts.limit ? out.slice(out.length - opts.limit) : out;
    },
    residencyViolations: () => violations,
    get total() {
      return total;
    },
  };
  return log;
}
