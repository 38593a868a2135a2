// The L7 traffic gateway: routing table from placements and endpoints (residency-filtered),
// health checks, outlier ejection, retries, circuit breaking, per-route metrics and SLOs.
export { startGateway, type RunningGateway, type EndpointView } from './gateway.js';
export { trafficAdmissionHook } from './admission.js';
export { DATA_PLANES, DEFAULT_HAPROXY, defaultWorkers, type DataPlane, type Scheduling, SCHEDULING_POLICIES } from './options.js';
export { buildRoutes, matchRoute, emptyTable, normalizeHost, type Route, type RouteEndpoint, type RouteTable, type TableProblem } from './route-table.js';
export { storeSource, apiSource, staticSource, manualSource, feedSource, type TableSource, type RouteInputs, type KindFeed, type WorkerSourceSpec } from './sources.js';
export {
  compileGatewayOptions,
  DEFAULT_GATEWAY_LISTEN,
  DEFAULT_HEALTH_CHECK,
  DEFAULT_OUTLIER,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUTS,
  DEFAULT_CIRCUIT_BREAKER,
  type GatewayOptions,
  type CompiledGatewayOptions,
} from './options.js';
export { Reason as GatewayReason } from './proxy.js';
export { CLUSTER_HEADER, REPLICA_HEADER, REASON_HEADER } from './headers.js';
export type { AccessLogEntry, AccessLog } from './access-log.js';
export type { GatewayMetrics, MetricsSnapshot, RouteSlo } from './metrics.js';
