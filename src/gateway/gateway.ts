// startGateway: the listening side (node:http), the admin endpoints, and the wiring of table
// source -> balancer/health checker/pools. Each new table is swapped in whole, so a request
// sees either the old or the new table, never a mix.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAccessLog, type AccessLog } from './access-log.js';
import { createAdmin } from './admin.js';
import { createBalancer } from './balancer.js';
import { startHealthChecker } from './health-checker.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { compileGatewayOptions, formatHostPort, type CompiledGatewayOptions, type GatewayOptions, type Scheduling } from './options.js';
import { Reason, proxyRequest, sendError, type ProxyDeps } from './proxy.js';
import { REASON_HEADER } from './headers.js';
import { requestTarget, withHost } from './request-target.js';
import { createRouteMatcher, emptyTable, type RouteTable } from './route-table.js';
import { createUpstreams } from './upstream.js';
import { startGatewayWorkers } from './workers.js';
import { startHaproxyGateway } from './haproxy/data-plane.js';
import { awaitFirstTable, endpointStateCounts, listen } from './lifecycle.js';

export interface RunningGateway {
  /** `http://host:port` of the proxy listener. */
  url: string;
  port: number;
  /** `http://host:port` of the admin listener, when `adminListen` was given. */
  adminUrl: string | undefined;
  /** The routing table in use right now. */
  table(): RouteTable;
  metrics: GatewayMetrics;
  /** The recent-requests ring (route, cluster, jurisdiction, status, latency). */
  accessLog: AccessLog;
  /** Endpoint states for `/routes` and tests: health, ejection, in-flight. */
  endpoints(): EndpointView[];
  /**
   * Resolves once every request answered before the call is in the access log (and was passed to
   * `onAccess`). The Node data plane records a request as it answers it; the others lag a little:
   * worker processes send their records in batches, HAProxy's lines are read from a file.
   */
  flush(): Promise<void>;
  /** The CPU scheduling policy the data plane runs under (`scheduling` option; `normal` for node). */
  readonly scheduling: Scheduling;
  close(): Promise<void>;
}

export interface EndpointView {
  route: string;
  id: string;
  cluster: string;
  jurisdiction: string;
  ready: boolean;
  healthy: boolean;
  ejected: boolean;
  active: number;
  weight: number;
}

/**
 * Starts the gateway and resolves once it listens and holds its first table.
 * @example
 * const gw = await startGateway({ source: storeSource(store), listen: '127.0.0.1:7480', region: 'eu-west-1' });
 * // curl -H 'Host: shop.example' http://127.0.0.1:7480/  -> x-truststram-cluster: aws-eu-1
 * await gw.close();
 */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const o = compileGatewayOptions(opts);
  if (o.dataPlane === 'haproxy') return startHaproxyGateway(o);
  if (o.workers > 1) return startGatewayWorkers(o);
  const metrics = createGatewayMetrics();
  const accessLog = createAccessLog(o.accessLogSize);
  const balancer = createBalancer(o);
  const upstreams = createUpstreams(o);
  let current = emptyTable();
  let match = createRouteMatcher(current);
  const health = startHealthChecker(o, balancer, upstreams);
  const deps: ProxyDeps = { o, balancer, upstreams, metrics, log: accessLog, inflight: { requests: 0, retries: 0 }, random: Math.random };

  const endpoints = (): EndpointView[] => {
    const now = Date.now();
    const out: EndpointView[] = [];
    for (const r of current.routes)
      for (const ep of r.endpoints) {
        const s = balancer.get(ep.id);
        out.push({ route: r.key, id: ep.id, cluster: ep.cluster, jurisdiction: ep.jurisdiction, ready: ep.ready, healthy: s?.healthy ?? false, ejected: (s?.ejectedUntil ?? 0) > now, active: s?.active ?? 0, weight: ep.weight });
      }
    return out;
  };
  metrics.setEndpointCollector(() => endpointStateCounts(endpoints()));

  const adopt = (t: RouteTable) => {
    balancer.sync(t);
    health.setTable(t);
    const addresses = new Set<string>();
    for (const r of t.routes) for (const ep of r.endpoints) addresses.add(ep.address);
    upstreams.retain(addresses);
    metrics.setResidencyFiltered(t.residencyViolations);
    match = createRouteMatcher(t);
    current = t;
  };

  const admin = createAdmin({ metrics, accessLog, table: () => current, endpoints });

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const start = performance.now();
    const url = req.url ?? '/';
    if (url.startsWith(o.adminPath) && (url.length === o.adminPath.length || url[o.adminPath.length] === '/')) {
      void admin(url.slice(o.adminPath.length) || '/', res).then((served) => served || sendError(res, 404, 'not_found', `no admin endpoint ${url}`));
      return;
    }
    // Read from the raw list: req.headers would build a header object.
    const target = requestTarget(url, req.rawHeaders);
    if ('error' in target) {
      sendError(res, 400, Reason.BadRequest, target.error);
      return;
    }
    const { host, path } = target;
    if (target.rewritten) {
      // Absolute-form: the endpoint gets the origin form, and the Host the target named.
      req.url = path;
      withHost(req.rawHeaders, host!);
    }
    const route = match(host, path);
    if (!route) {
      sendError(res, 404, Reason.NoRoute, `no route for host ${JSON.stringify(host ?? '')} and path ${path.split('?')[0]}`);
      return;
    }
    proxyRequest(deps, route, req, res, start, host!);
  };

  const server = createGatewayServer(o, onRequest);
  const adminServer = o.admin
    ? createServer((req, res) => void admin(req.url ?? '/', res).then((served) => served || sendError(res, 404, 'not_found', `no admin endpoint ${req.url}`)))
    : undefined;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await awaitFirstTable(o, adopt);
  await listen(server, o.host, o.port);
  if (adminServer && o.admin) await listen(adminServer, o.admin.host, o.admin.port);
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  return {
    url: `http://${formatHostPort(o.host, port)}`,
    port,
    adminUrl: adminServer && o.admin ? `http://${formatHostPort(o.admin.host, (adminServer.address() as AddressInfo).port)}` : undefined,
    table: () => current,
    metrics,
    accessLog,
    endpoints,
    flush: () => Promise.resolve(),
    scheduling: 'normal',
    async close() {
      if (closed) return;
      closed = true;
      health.stop();
      await o.source.close();
      const done = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then connections are cut so close() never hangs.
      const cut = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 1000);
      await done;
      clearTimeout(cut);
      if (adminServer) await new Promise<void>((r) => adminServer.close(() => r()).closeAllConnections());
      await upstreams.close();
    },
  };
}

/**
 * The proxy listener. Request bodies may stream for as long as they keep moving (no overall
 * request timeout), but a client gets `timeouts.requestHeadersMs` to send its headers: Node's
 * default ties that limit to the request timeout, so without this a silent or slow client would
 * hold its connection for ever. Connections are checked every second instead of every 30.
 */
function createGatewayServer(o: CompiledGatewayOptions, onRequest: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createServer(
    { keepAliveTimeout: 5000, requestTimeout: 0, headersTimeout: o.timeouts.requestHeadersMs, connectionsCheckingInterval: Math.min(1000, o.timeouts.requestHeadersMs) },
    onRequest,
  );
  // CONNECT (authority-form) tunnels nothing here: a clean answer instead of a dropped socket.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    const body = `405 ${Reason.BadRequest}: CONNECT is not supported: this gateway is a reverse proxy\n`;
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${REASON_HEADER}: ${Reason.BadRequest}\r\nconnection: close\r\n\r\n${body}`);
  });
  return server;
}
