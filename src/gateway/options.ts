// Gateway options with their documented defaults, compiled once at the boundary so the proxy,
// the balancer and the health checker only ever see complete, validated numbers.
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { ValidationError, findRegion } from '../api/index.js';
import type { TableSource } from './sources.js';
import type { AccessLogEntry } from './access-log.js';

export interface GatewayOptions {
  /** `host:port` to listen on. Default `127.0.0.1:7480` (loopback: exposing it is a choice). */
  listen?: string;
  /** Where the routing table comes from (storeSource, apiSource, staticSource, manualSource). */
  source: TableSource;
  /** The gateway's own region, for locality routing (`eu-west-1`). Default: none. */
  region?: string;
  /** The gateway's jurisdiction; derived from `region` via the region catalog when omitted. */
  jurisdiction?: string;
  /** Path prefix reserved on the proxy listener for `/metrics`, `/routes`, `/recent`, `/healthz`. Default `/_truststram`. */
  adminPath?: string;
  /** Optional separate admin listener (`127.0.0.1:0`) serving the same paths at the root. */
  adminListen?: string;
  /** Active health checks of every endpoint in the table. */
  healthCheck?: Partial<HealthCheckOptions>;
  /** Passive outlier detection (Envoy-style consecutive errors). */
  outlier?: Partial<OutlierOptions>;
  retry?: Partial<RetryOptions>;
  timeouts?: Partial<TimeoutOptions>;
  /** Per-endpoint circuit breaker. */
  circuitBreaker?: Partial<CircuitBreakerOptions>;
  /** Entries kept in the recent-requests ring. Default 10,000. */
  accessLogSize?: number;
  /** Called for every finished request (after the response ended or failed). */
  onAccess?: (e: AccessLogEntry) => void;
  /** Upstream keep-alive connections per endpoint are capped by `circuitBreaker.maxConcurrent`. */
  keepAliveTimeoutMs?: number;
  /** How long startGateway waits for the first table before listening with an empty one. Default 10,000 ms. */
  syncTimeoutMs?: number;
  log?: (msg: string, err?: unknown) => void;
  /**
   * How many cores move the bytes (`defaultWorkers()` when not given).
   * Node data plane (default 1): proxy processes (node:cluster) sharing the listener; with N > 1 each worker
   * runs its own table source, health checks, pools and breakers, and this process only
   * aggregates their metrics, access log and endpoint states. The source must be one a worker can
   * open itself (`apiSource`, `staticSource`). See ADR 0008 for when it pays.
   * HAProxy data plane (default: one per CPU this process may use, HAProxy's own default, at
   * most 64): HAProxy's threads (`nbthread`), in its one worker process.
   */
  workers?: number;
  /**
   * HAProxy data plane: the CPUs its threads run on (`cpu-map`), as a Linux CPU list such as
   * `1`, `2-3` or `0,2`. With as many CPUs as `workers`, each thread gets its own. Default: not
   * pinned. (A Node gateway is pinned from outside: `taskset -c 1 truststram gateway ...`.)
   */
  cpus?: string;
  /**
   * HAProxy data plane: the Linux CPU scheduling policy of its process. `batch` (default):
   * SCHED_BATCH, so a wake-up of HAProxy does not preempt the task running on a busy core (it
   * runs when that task blocks or at the next tick) and handles more events per wake-up, with
   * fewer context switches. When the gateway has idle cores, it wakes on one of them at once,
   * as with `normal`. `normal`: SCHED_OTHER, every wake-up may preempt at once. Set through
   * util-linux's `chrt`; without it, `normal` with a warning. ADR 0014 has the measurements.
   */
  scheduling?: Scheduling;
  /**
   * What moves the bytes. `node` (default): this process, with every option below. `haproxy`:
   * an HAProxy process this gateway configures and reloads from the routing table (hitless), for
   * native throughput; see ADR 0014 for the options it maps differently.
   */
  dataPlane?: DataPlane;
  /** HAProxy binary for `dataPlane: 'haproxy'`. Default `/usr/sbin/haproxy`. */
  haproxyPath?: string;
}

export type DataPlane = 'node' | 'haproxy';
export type Scheduling = 'batch' | 'normal';
export const SCHEDULING_POLICIES: readonly Scheduling[] = ['batch', 'normal'];
export const DATA_PLANES: readonly DataPlane[] = ['node', 'haproxy'];

export interface HealthCheckOptions {
  /** Probe path when the workload declares no `spec.healthCheck.path`. Default `/healthz`. */
  path: string;
  /** Default 200 ms: with fall 2 a dead or hung endpoint leaves rotation in ≤ ~550 ms. */
  intervalMs: number;
  /** Default 150 ms. */
  timeoutMs: number;
  /** Consecutive failed probes that take an endpoint out. Default 2. */
  unhealthyThreshold: number;
  /** Consecutive good probes that bring it back. Default 2. */
  healthyThreshold: number;
  /** Set false to rely on passive detection and the agents' readiness only. Default true. */
  enabled: boolean;
}

export interface OutlierOptions {
  /** Consecutive connect errors, resets or timeouts that eject. Default 2. */
  consecutiveGatewayErrors: number;
  /** Consecutive 5xx answers that eject. Default 5 (Envoy's value). */
  consecutive5xx: number;
  /** Ejection lasts base × (number of ejections), capped at `maxEjectionTimeMs`. Default 1,000 ms. */
  baseEjectionTimeMs: number;
  /** Default 30,000 ms. */
  maxEjectionTimeMs: number;
  /** Never eject more than this percent of a route's endpoints (one is always allowed). Default 50. */
  maxEjectionPercent: number;
}

export interface RetryOptions {
  /** Attempts after the first. Default 2 (3 tries, each to a different endpoint when one exists). */
  maxRetries: number;
  /** Retries in flight may be at most this fraction of requests in flight... Default 0.2. */
  budgetRatio: number;
  /** ...but this many concurrent retries are always allowed. Default 10. */
  minRetryConcurrency: number;
  /** Full-jitter backoff: random(0, min(max, base × 2^n)). Defaults 2 ms and 25 ms. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface TimeoutOptions {
  /** TCP connect timeout per try. Default 500 ms. */
  connectMs: number;
  /** Until response headers, per try. Default 5,000 ms. */
  perTryMs: number;
  /** Until response headers, over all tries. Default 15,000 ms (Envoy's route timeout). */
  totalMs: number;
  /** Idle time allowed between body chunks either way once streaming. Default 60,000 ms. */
  idleMs: number;
  /**
   * Until a client has sent a request's complete headers (from the connection's start, or
   * the first byte of a next request): a slow or silent client then gets 408 and is closed.
   * Default 10,000 ms, HAProxy's `timeout http-request`.
   */
  requestHeadersMs: number;
}

export interface CircuitBreakerOptions {
  /** In-flight requests per endpoint. Default 1,024. */
  maxConcurrent: number;
  /** Requests allowed to wait for a slot on a full endpoint before it overflows. Default 1,024. */
  maxPending: number;
}

export interface CompiledGatewayOptions {
  host: string;
  port: number;
  source: TableSource;
  region: string | undefined;
  jurisdiction: string | undefined;
  adminPath: string;
  admin: { host: string; port: number } | undefined;
  healthCheck: HealthCheckOptions;
  outlier: OutlierOptions;
  retry: RetryOptions;
  timeouts: TimeoutOptions;
  circuitBreaker: CircuitBreakerOptions;
  accessLogSize: number;
  onAccess: ((e: AccessLogEntry) => void) | undefined;
  keepAliveTimeoutMs: number;
  syncTimeoutMs: number;
  log: (msg: string, err?: unknown) => void;
  workers: number;
  /** The CPU ids of `cpus`, ascending; undefined when not pinned. */
  cpus: number[] | undefined;
  /** Scheduling policy of the HAProxy process (`normal` for a node gateway, which this process runs). */
  scheduling: Scheduling;
  dataPlane: DataPlane;
  haproxyPath: string;
}

export const DEFAULT_GATEWAY_LISTEN = '127.0.0.1:7480';
/** Where Debian's (and Ubuntu's) haproxy package puts the binary. */
export const DEFAULT_HAPROXY = '/usr/sbin/haproxy';

export const DEFAULT_HEALTH_CHECK: HealthCheckOptions = { path: '/healthz', intervalMs: 200, timeoutMs: 150, unhealthyThreshold: 2, healthyThreshold: 2, enabled: true };
export const DEFAULT_OUTLIER: OutlierOptions = { consecutiveGatewayErrors: 2, consecutive5xx: 5, baseEjectionTimeMs: 1000, maxEjectionTimeMs: 30_000, maxEjectionPercent: 50 };
export const DEFAULT_RETRY: RetryOptions = { maxRetries: 2, budgetRatio: 0.2, minRetryConcurrency: 10, backoffBaseMs: 2, backoffMaxMs: 25 };
export const DEFAULT_TIMEOUTS: TimeoutOptions = { connectMs: 500, perTryMs: 5000, totalMs: 15_000, idleMs: 60_000, requestHeadersMs: 10_000 };
export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerOptions = { maxConcurrent: 1024, maxPending: 1024 };

/**
 * Cores a data plane uses unless told: one Node process (more pays only in some cases, ADR 0008);
 * HAProxy threads on every CPU this process may use, as HAProxy itself does when not told.
 */
export function defaultWorkers(dataPlane: DataPlane): number {
  return dataPlane === 'haproxy' ? Math.min(64, availableParallelism()) : 1;
}

/** Fills defaults and validates; throws a ValidationError naming the bad field. */
export function compileGatewayOptions(o: GatewayOptions): CompiledGatewayOptions {
  const { host, port } = parseHostPort(o.listen ?? DEFAULT_GATEWAY_LISTEN, 'listen');
  const adminPath = (o.adminPath ?? '/_truststram').replace(/\/+$/, '');
  if (!adminPath.startsWith('/') || adminPath.length < 2) fail('adminPath', 'must be a path such as /_truststram');
  const healthCheck = { ...DEFAULT_HEALTH_CHECK, ...o.healthCheck };
  const outlier = { ...DEFAULT_OUTLIER, ...o.outlier };
  const retry = { ...DEFAULT_RETRY, ...o.retry };
  const timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  const circuitBreaker = { ...DEFAULT_CIRCUIT_BREAKER, ...o.circuitBreaker };
  const positive: [string, number][] = [
    ['healthCheck.intervalMs', healthCheck.intervalMs],
    ['healthCheck.timeoutMs', healthCheck.timeoutMs],
    ['healthCheck.unhealthyThreshold', healthCheck.unhealthyThreshold],
    ['healthCheck.healthyThreshold', healthCheck.healthyThreshold],
    ['outlier.consecutiveGatewayErrors', outlier.consecutiveGatewayErrors],
    ['outlier.consecutive5xx', outlier.consecutive5xx],
    ['outlier.baseEjectionTimeMs', outlier.baseEjectionTimeMs],
    ['outlier.maxEjectionTimeMs', outlier.maxEjectionTimeMs],
    ['timeouts.connectMs', timeouts.connectMs],
    ['timeouts.perTryMs', timeouts.perTryMs],
    ['timeouts.totalMs', timeouts.totalMs],
    ['timeouts.idleMs', timeouts.idleMs],
    ['timeouts.requestHeadersMs', timeouts.requestHeadersMs],
    ['circuitBreaker.maxConcurrent', circuitBreaker.maxConcurrent],
  ];
  for (const [f, v] of positive) if (!(Number.isFinite(v) && v > 0)) fail(f, 'must be a positive number');
  const nonNegative: [string, number][] = [
    ['retry.maxRetries', retry.maxRetries],
    ['retry.budgetRatio', retry.budgetRatio],
    ['retry.minRetryConcurrency', retry.minRetryConcurrency],
    ['retry.backoffBaseMs', retry.backoffBaseMs],
    ['retry.backoffMaxMs', retry.backoffMaxMs],
    ['circuitBreaker.maxPending', circuitBreaker.maxPending],
  ];
  for (const [f, v] of nonNegative) if (!(Number.isFinite(v) && v >= 0)) fail(f, 'must be zero or a positive number');
  if (outlier.maxEjectionPercent < 0 || outlier.maxEjectionPercent > 100) fail('outlier.maxEjectionPercent', 'must be between 0 and 100');
  if (!healthCheck.path.startsWith('/')) fail('healthCheck.path', 'must start with /');
  const dataPlane = o.dataPlane ?? 'node';
  if (!DATA_PLANES.includes(dataPlane)) fail('dataPlane', `must be one of ${DATA_PLANES.join(', ')}, not "${String(dataPlane)}"`);
  const workers = o.workers ?? defaultWorkers(dataPlane);
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) fail('workers', 'must be an integer from 1 to 64');
  if (dataPlane === 'node' && workers > 1 && !o.source.workerSpec) fail('workers', 'needs a source a worker process can open itself (apiSource or staticSource), not an in-process store or a manual source');
  const haproxyPath = o.haproxyPath ?? DEFAULT_HAPROXY;
  if (dataPlane === 'haproxy' && !existsSync(haproxyPath)) fail('haproxyPath', `${haproxyPath} does not exist: install HAProxy 2.4 or later (Debian/Ubuntu: apt-get install -y haproxy) or name its path`);
  const cpuList = o.cpus === undefined ? undefined : parseCpuList(o.cpus, cpus().length);
  if (cpuList && dataPlane !== 'haproxy') fail('cpus', 'pins the haproxy data plane; pin a node gateway from outside (taskset -c LIST truststram gateway ...)');
  if (o.scheduling !== undefined && !SCHEDULING_POLICIES.includes(o.scheduling)) fail('scheduling', `must be one of ${SCHEDULING_POLICIES.join(', ')}, not "${String(o.scheduling)}"`);
  if (o.scheduling !== undefined && dataPlane !== 'haproxy') fail('scheduling', 'sets the haproxy data plane\'s policy; run a node gateway under a policy from outside (chrt --batch 0 truststram gateway ...)');
  const scheduling = dataPlane === 'haproxy' ? (o.scheduling ?? 'batch') : 'normal';
  const region = o.region;
  const jurisdiction = o.jurisdiction ?? (region ? findRegion(region)?.jurisdiction : undefined);
  return {
    host,
    port,
    source: o.source,
    region,
    jurisdiction,
    adminPath,
    admin: o.adminListen ? parseHostPort(o.adminListen, 'adminListen') : undefined,
    healthCheck,
    outlier,
    retry,
    timeouts,
    circuitBreaker,
    accessLogSize: o.accessLogSize ?? 10_000,
    onAccess: o.onAccess,
    keepAliveTimeoutMs: o.keepAliveTimeoutMs ?? 4000,
    syncTimeoutMs: o.syncTimeoutMs ?? 10_000,
    workers,
    cpus: cpuList,
    scheduling,
    dataPlane,
    haproxyPath,
    log: o.log ?? ((msg, err) => process.stderr.write(`gateway: ${msg}${err ? `: ${err instanceof Error ? err.message : String(err)}` : ''}\n`)),
  };
}

/** `host:port`, with an IPv6 host in brackets: the inverse of parseHostPort. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Parses `host:port` (`[::1]:0` too). */
export function parseHostPort(s: string, field: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s.trim());
  if (!m) fail(field, `"${s}" is not host:port`);
  const port = Number(m[2]);
  if (port > 65535) fail(field, `port ${port} is out of range`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** A Linux CPU list (`1`, `2-3`, `0,2-3`) as ascending CPU ids, each below `online`. */
export function parseCpuList(list: string, online: number): number[] {
  const ids = new Set<number>();
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    if (!m) fail('cpus', `"${list}" is not a CPU list such as 1, 2-3 or 0,2`);
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    if (to < from) fail('cpus', `range ${part.trim()} runs backwards`);
    if (to >= online) fail('cpus', `CPU ${to} does not exist: this machine has CPUs 0-${online - 1}`);
    for (let c = from; c <= to; c++) ids.add(c);
  }
  return [...ids].sort((a, b) => a - b);
}

function fail(field: string, message: string): never {
  throw new ValidationError(`gateway: ${field} ${message}`, [{ field, message }]);
}
