// Per-route gateway metrics (Prometheus text on /metrics, and a JSON snapshot): requests by
// route/cluster/status class, latency, retries, ejections, and availability against each
// workload's SLO with the error budget left. One registry per gateway, never the global one.
// The request path only bumps plain numbers (a typed array per route); prom-client metric
// objects read them at scrape time, so a request costs no label hashing and no allocation.
import { Counter, Gauge, Registry } from 'prom-client';

export interface RouteSlo {
  route: string;
  slo: number;
  total: number;
  /** 5xx answers (upstream or gateway-made), and requests cut mid-stream. */
  failed: number;
  /** 1 when no request was seen yet. */
  availability: number;
  /** Fraction of the error budget `(1 - slo) × total` not spent yet; negative when overspent. */
  errorBudgetRemaining: number;
}

export interface MetricsSnapshot {
  requests: number;
  retries: number;
  ejections: number;
  /** Requests answered by an endpoint outside the route's residency (must stay 0). */
  residencyViolations: number;
  /** Endpoints the table builder filtered out for residency (input problems, not routing). */
  residencyFilteredEndpoints: number;
  routes: RouteSlo[];
}

/**
 * Counters of one route, bumped on the request path without allocating. Obtain with
 * `GatewayMetrics.route(key)` once per request (or cache it) and call `observe`.
 */
export interface RouteStats {
  observe(cluster: string | undefined, status: number, seconds: number, slo: number | undefined): void;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** The hot-path counters of a route (created on first use). */
  route(route: string): RouteStats;
  request(route: string, cluster: string | undefined, status: number, seconds: number, slo: number | undefined): void;
  retry(route: string, reason: string): void;
  ejection(route: string, cluster: string): void;
  routedOutsideResidency(route: string): void;
  setResidencyFiltered(n: number): void;
  /** Set by the gateway: endpoint counts by state, computed at scrape time. */
  setEndpointCollector(fn: () => { route: string; state: string; count: number }[]): void;
  snapshot(): MetricsSnapshot;
  /** Prometheus text format. */
  text(): Promise<string>;
}

/** Latency buckets in seconds: fine below 10 ms where proxy overhead lives. */
const BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** Plain-number state of one route: requests by cluster × status class, latency buckets, SLO. */
class RouteCounters implements RouteStats {
  /** Per serving cluster ('' = none): counts by status class 1xx..5xx (index class-1). */
  readonly byCluster = new Map<string, Float64Array>();
  /** Non-cumulative bucket counts; the last slot is +Inf. */
  readonly buckets = new Float64Array(BUCKETS.length + 1);
  sum = 0;
  count = 0;
  slo: number | undefined;
  total = 0;
  failed = 0;
  private lastCluster: string | undefined = '\0';
  private lastRow: Float64Array | undefined;

  constructor(
    readonly key: string,
    private readonly totals: { requests: number },
  ) {}

  observe(cluster: string | undefined, status: number, seconds: number, slo: number | undefined): void {
    this.totals.requests++;
    // Almost every request of a route is served by the same few clusters: remember the last row.
    let row = this.lastCluster === cluster ? this.lastRow : undefined;
    if (!row) {
      const c = cluster ?? '';
      row = this.byCluster.get(c);
      if (!row) this.byCluster.set(c, (row = new Float64Array(5)));
      this.lastCluster = cluster;
      this.lastRow = row;
    }
    const cls = (status / 100) | 0;
    if (cls >= 1 && cls <= 5) row[cls - 1]!++;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    this.buckets[i]!++;
    this.sum += seconds;
    this.count++;
    if (slo === undefined) return;
    this.slo = slo;
    this.total++;
    if (status >= 500) this.failed++;
  }
}

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * A prom-client-compatible metric whose values are computed at scrape time (registries only
 * call `get()`), so the request path never touches prom-client.
 */
function scrapeTimeMetric(registry: Registry, name: string, help: string, type: 'counter' | 'histogram', values: () => MetricValue[]): void {
  const metric = { name, help, type, aggregator: 'sum' as const, get: () => Promise.resolve({ name, help, type, values: values(), aggregator: 'sum' as const }) };
  registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** Creates the metrics of one gateway. */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const totals = { requests: 0, retries: 0, ejections: 0, outside: 0, filtered: 0 };
  const routes = new Map<string, RouteCounters>();
  const routeStats = (key: string): RouteCounters => {
    let r = routes.get(key);
    if (!r) routes.set(key, (r = new RouteCounters(key, totals)));
    return r;
  };
  scrapeTimeMetric(registry, 'truststram_gateway_requests_total', 'Requests by route, serving cluster and status class', 'counter', () => {
    const out: MetricValue[] = [];
    for (const r of routes.values())
      for (const [cluster, row] of r.byCluster)
        for (let i = 0; i < 5; i++) if (row[i]! > 0) out.push({ labels: { route: r.key, cluster, code: CLASSES[i]! }, value: row[i]! });
    return out;
  });
  scrapeTimeMetric(registry, 'truststram_gateway_request_duration_seconds', 'Time from request to the end of the response', 'histogram', () => {
    const out: MetricValue[] = [];
    const name = 'truststram_gateway_request_duration_seconds';
    for (const r of routes.values()) {
      if (r.count === 0) continue;
      let acc = 0;
      for (let i = 0; i < BUCKETS.length; i++) {
        acc += r.buckets[i]!;
        out.push({ labels: { le: BUCKETS[i]!, route: r.key }, value: acc, metricName: `${name}_bucket` });
      }
      out.push({ labels: { le: '+Inf', route: r.key }, value: r.count, metricName: `${name}_bucket` });
      out.push({ labels: { route: r.key }, value: r.sum, metricName: `${name}_sum` });
      out.push({ labels: { route: r.key }, value: r.count, metricName: `${name}_count` });
    }
    return out;
  });
  const retries = new Counter({ name: 'truststram_gateway_retries_total', help: 'Retries by route and cause', labelNames: ['route', 'reason'], registers: [registry] });
  const ejections = new Counter({ name: 'truststram_gateway_ejections_total', help: 'Outlier ejections by route and cluster', labelNames: ['route', 'cluster'], registers: [registry] });
  const outside = new Counter({ name: 'truststram_gateway_residency_violations_total', help: 'Requests answered outside the workload residency (must be 0)', labelNames: ['route'], registers: [registry] });
  const filtered = new Gauge({ name: 'truststram_gateway_residency_filtered_endpoints', help: 'Endpoints in the input that the table refused for residency', registers: [registry] });
  let endpointCollector: () => { route: string; state: string; count: number }[] = () => [];
  new Gauge({
    name: 'truststram_gateway_endpoints',
    help: 'Endpoints by route and state (ready, unhealthy, ejected, not_ready)',
    labelNames: ['route', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const e of endpointCollector()) this.set({ route: e.route, state: e.state }, e.count);
    },
  });
  const sloRows = (): RouteSlo[] => {
    const rows: RouteSlo[] = [];
    for (const r of routes.values()) {
      if (r.slo === undefined) continue;
      const budget = (1 - r.slo) * r.total;
      rows.push({
        route: r.key,
        slo: r.slo,
        total: r.total,
        failed: r.failed,
        availability: r.total === 0 ? 1 : 1 - r.failed / r.total,
        errorBudgetRemaining: r.total === 0 ? 1 : budget === 0 ? (r.failed === 0 ? 1 : -Infinity) : 1 - r.failed / budget,
      });
    }
    return rows;
  };

  new Gauge({
    name: 'truststram_gateway_slo_availability',
    help: 'Availability since start (1 - 5xx/requests) per workload route',
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of sloRows()) this.set({ route: r.route }, r.availability);
    },
  });
  new Gauge({
    name: 'truststram_gateway_slo_target',
    help: 'Availability objective per workload route',
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of sloRows()) this.set({ route: r.route }, r.slo);
    },
  });
  new Gauge({
    name: 'truststram_gateway_error_budget_remaining',
    help: 'Fraction of the error budget left per workload route (negative = overspent)',
    labelNames: ['route'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of sloRows()) this.set({ route: r.route }, Number.isFinite(r.errorBudgetRemaining) ? r.errorBudgetRemaining : -1e9);
    },
  });

  return {
    registry,
    route: routeStats,
    request(route, cluster, status, seconds, slo) {
      routeStats(route).observe(cluster, status, seconds, slo);
    },
    retry(route, reason) {
      totals.retries++;
      retries.inc({ route, reason });
    },
    ejection(route, cluster) {
      totals.ejections++;
      ejections.inc({ route, cluster });
    },
    routedOutsideResidency(route) {
      totals.outside++;
      outside.inc({ route });
    },
    setResidencyFiltered(n) {
      totals.filtered = n;
      filtered.set(n);
    },
    setEndpointCollector(fn) {
      endpointCollector = fn;
    },
    snapshot: () => ({
      requests: totals.requests,
      retries: totals.retries,
      ejections: totals.ejections,
      residencyViolations: totals.outside,
      residencyFilteredEndpoints: totals.filtered,
      routes: sloRows(),
    }),
    text: () => registry.metrics(),
  };
}
