// Per-route gateway metrics (Prometheus text on /metrics, and a JSON snapshot): requests by
// route/cluster/status class, latency, retries, ejections, and availability against each
// workload's SLO with the error budget left. One registry per gateway, never the global one.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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

export interface GatewayMetrics {
  readonly registry: Registry;
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

/** Creates the metrics of one gateway. */
export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  const requests = new Counter({ name: 'truststram_gateway_requests_total', help: 'Requests by route, serving cluster and status class', labelNames: ['route', 'cluster', 'code'], registers: [registry] });
  const latency = new Histogram({ name: 'truststram_gateway_request_duration_seconds', help: 'Time from request to the end of the response', labelNames: ['route'], buckets: BUCKETS, registers: [registry] });
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
  const slos = new Map<string, { slo: number; total: number; failed: number }>();
  const totals = { requests: 0, retries: 0, ejections: 0, outside: 0, filtered: 0 };
  const sloRows = (): RouteSlo[] =>
    [...slos].map(([route, s]) => {
      const budget = (1 - s.slo) * s.total;
      return {
        route,
        slo: s.slo,
        total: s.total,
        failed: s.failed,
        availability: s.total === 0 ? 1 : 1 - s.failed / s.total,
        errorBudgetRemaining: s.total === 0 ? 1 : budget === 0 ? (s.failed === 0 ? 1 : -Infinity) : 1 - s.failed / budget,
      };
    });
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
    request(route, cluster, status, seconds, slo) {
      totals.requests++;
      requests.inc({ route, cluster: cluster ?? '', code: `${Math.floor(status / 100)}xx` });
      latency.observe({ route }, seconds);
      if (slo === undefined) return;
      let s = slos.get(route);
      if (!s) slos.set(route, (s = { slo, total: 0, failed: 0 }));
      s.slo = slo;
      s.total++;
      if (status >= 500) s.failed++;
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
