// Traffic as the gateway sees it: the dashboard polls the gateway's recent-requests ring
// (`GET /api/v1alpha1/traffic/recent?since=`, the gateway's `/_truststram/recent` served by the
// API server) and its route table with SLOs (`/api/v1alpha1/traffic/routes`), and keeps
// per-second buckets for the last minutes: requests/s, latency percentiles, errors, and the
// share of each cluster. One poller shared by every view, so history survives navigation.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson } from './api';

/** One finished request (the gateway's AccessLogEntry). */
export interface AccessEntry {
  time: number;
  route: string | undefined;
  cluster: string | undefined;
  jurisdiction: string | undefined;
  status: number;
  latencyMs: number;
  attempts: number;
  reason: string | undefined;
}

export interface RouteSlo {
  route: string;
  slo: number;
  total: number;
  failed: number;
  availability: number;
  errorBudgetRemaining: number;
}

export interface EndpointView {
  route: string;
  id: string;
  cluster: string;
  jurisdiction: string;
  ready: boolean;
  healthy: boolean;
  ejected: boolean;
  weight: number;
}

interface RoutesDoc {
  /** The gateway's address; null when the server runs no gateway (`server --no-gateway`). */
  url?: string | null;
  routes: { key: string; host?: string; residency?: string[] }[];
  endpoints: EndpointView[];
  metrics: { requests: number; retries: number; ejections: number; residencyViolations: number; routes: RouteSlo[] };
}

export interface Bucket {
  /** Epoch seconds. */
  t: number;
  count: number;
  errors: number;
  latencies: number[];
  byCluster: Map<string, { count: number; errors: number }>;
  byRoute: Map<string, { count: number; errors: number; latencies: number[] }>;
}

export interface TrafficState {
  buckets: Bucket[];
  slo: RouteSlo[];
  endpoints: EndpointView[];
  totals: RoutesDoc['metrics'] | undefined;
  clusters: string[];
  routes: string[];
}

export const WINDOW_S = 300;

/** Adds entries to per-second buckets, keeping the last `WINDOW_S` seconds. */
export function addEntries(buckets: Map<number, Bucket>, entries: AccessEntry[], nowS: number): void {
  for (const e of entries) {
    const t = Math.floor(e.time / 1000);
    let b = buckets.get(t);
    if (!b) buckets.set(t, (b = { t, count: 0, errors: 0, latencies: [], byCluster: new Map(), byRoute: new Map() }));
    const err = e.status >= 500 ? 1 : 0;
    b.count++;
    b.errors += err;
    b.latencies.push(e.latencyMs);
    const c = e.cluster ?? '(none)';
    const bc = b.byCluster.get(c) ?? { count: 0, errors: 0 };
    bc.count++;
    bc.errors += err;
    b.byCluster.set(c, bc);
    const r = e.route ?? '(no route)';
    const br = b.byRoute.get(r) ?? { count: 0, errors: 0, latencies: [] };
    br.count++;
    br.errors += err;
    br.latencies.push(e.latencyMs);
    b.byRoute.set(r, br);
  }
  for (const t of buckets.keys()) if (t < nowS - WINDOW_S) buckets.delete(t);
}

/** The `q` quantile (0..1) of `xs` by nearest rank; undefined for no samples. */
export function quantile(xs: number[], q: number): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

type Polled = { data: TrafficState | undefined; unavailable: boolean; error: Error | undefined };
const listeners = new Set<(s: Polled) => void>();
let current: Polled = { data: undefined, unavailable: false, error: undefined };
let started = false;

function start(): void {
  if (started) return;
  started = true;
  const buckets = new Map<number, Bucket>();
  let since = Date.now() - WINDOW_S * 1000;
  let routes: RoutesDoc | undefined;
  const seenClusters = new Set<string>();
  const seenRoutes = new Set<string>();
  let tick = 0;
  const publish = (p: Partial<Polled>) => {
    current = { ...current, ...p };
    for (const l of listeners) l(current);
  };
  const poll = async () => {
    try {
      const recent = await getJson<{ entries: AccessEntry[] }>(`/api/v1alpha1/traffic/recent?since=${since}`);
      const fresh = recent.entries.filter((e) => e.time >= since);
      if (fresh.length) since = Math.max(...fresh.map((e) => e.time)) + 1;
      addEntries(buckets, fresh, Math.floor(Date.now() / 1000));
      for (const e of fresh) {
        if (e.cluster) seenClusters.add(e.cluster);
        if (e.route) seenRoutes.add(e.route);
      }
      if (tick++ % 2 === 0 || !routes) routes = await getJson<RoutesDoc>('/api/v1alpha1/traffic/routes');
      if (routes.url === null) throw new ApiError(404, 'this server runs no gateway');
      const nowS = Math.floor(Date.now() / 1000);
      // A continuous axis: seconds without traffic are zero, not gaps. The current second is
      // still filling up and would always show as a dip, so the axis ends at the last full one.
      const series: Bucket[] = [];
      for (let t = nowS - WINDOW_S; t < nowS; t++) series.push(buckets.get(t) ?? { t, count: 0, errors: 0, latencies: [], byCluster: new Map(), byRoute: new Map() });
      for (const ep of routes.endpoints) seenClusters.add(ep.cluster);
      for (const r of routes.routes) seenRoutes.add(r.key);
      publish({
        data: { buckets: series, slo: routes.metrics.routes, endpoints: routes.endpoints, totals: routes.metrics, clusters: [...seenClusters].sort(), routes: [...seenRoutes].sort() },
        unavailable: false,
        error: undefined,
      });
    } catch (err) {
      const unavailable = err instanceof ApiError && err.status === 404;
      publish({ unavailable, error: err as Error });
      // An absent gateway is checked again now and then; it may be started later.
      setTimeout(() => void poll(), unavailable ? 10_000 : 2000);
      return;
    }
    setTimeout(() => void poll(), 1000);
  };
  void poll();
}

/** The live traffic state, shared by every view. */
export function useTraffic(): Polled {
  const [s, set] = useState(current);
  useEffect(() => {
    start();
    listeners.add(set);
    set(current);
    return () => void listeners.delete(set);
  }, []);
  return s;
}
