// The primary of a multi-process gateway (`workers > 1`): forks worker processes with
// node:cluster (they share the listening socket; the primary hands out connections, the
// workers proxy), restarts a worker that dies, and aggregates what the workers report — access
// log, metrics, endpoint states — behind the same RunningGateway shape as a single process.
import cluster, { type Worker } from 'node:cluster';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAccessLog, type AccessLogEntry } from './access-log.js';
import { createAdmin } from './admin.js';
import type { EndpointView, RunningGateway } from './gateway.js';
import { awaitFirstTable, endpointStateCounts, listen } from './lifecycle.js';
import { createGatewayMetrics } from './metrics.js';
import { formatHostPort, type CompiledGatewayOptions, type GatewayOptions } from './options.js';
import { sendError } from './proxy.js';
import { emptyTable, type RouteTable } from './route-table.js';
import type { WorkerSourceSpec } from './sources.js';

/** A counter the access log does not carry. */
export type MetricEvent = ['retry', string, string] | ['ejection', string, string] | ['outside', string];
export type FromPrimary = { t: 'init'; options: Omit<GatewayOptions, 'source'>; source: WorkerSourceSpec } | { t: 'flush'; id: number } | { t: 'close' };
export type ToPrimary =
  | { t: 'hello' }
  | { t: 'ready'; port: number }
  | { t: 'batch'; rows: AccessLogEntry[]; events: MetricEvent[] }
  | { t: 'endpoints'; list: EndpointView[] }
  | { t: 'log'; msg: string; err: string | undefined }
  | { t: 'flushed'; id: number };

/** Starts `o.workers` gateway processes on `o.host:o.port` and resolves once all listen. */
export async function startGatewayWorkers(o: CompiledGatewayOptions): Promise<RunningGateway> {
  const spec = o.source.workerSpec!;
  // A cluster worker cannot fork workers of its own.
  if (!cluster.isPrimary) throw new Error('gateway: workers > 1 must be started from a primary process');
  const metrics = createGatewayMetrics();
  const accessLog = createAccessLog(o.accessLogSize);
  let current: RouteTable = emptyTable();
  let slo = new Map<string, number>();
  const views = new Map<Worker, EndpointView[]>();
  const workers = new Set<Worker>();
  let closing = false;

  // The primary follows the table too (for table() and /routes); workers run their own copy.
  const adopt = (t: RouteTable) => {
    current = t;
    slo = new Map(t.routes.map((r) => [r.key, r.slo]));
    metrics.setResidencyFiltered(t.residencyViolations);
  };
  await awaitFirstTable(o, adopt);

  const endpoints = (): EndpointView[] => {
    // An endpoint is healthy only if every worker's probes say so, ejected if any worker ejected it.
    const merged = new Map<string, EndpointView>();
    for (const list of views.values())
      for (const v of list) {
        const k = `${v.route}\0${v.id}`;
        const m = merged.get(k);
        if (!m) merged.set(k, { ...v });
        else {
          m.healthy &&= v.healthy;
          m.ejected ||= v.ejected;
          m.active += v.active;
        }
      }
    return [...merged.values()];
  };
  metrics.setEndpointCollector(() => endpointStateCounts(endpoints()));

  const onBatch = (rows: AccessLogEntry[], events: MetricEvent[]) => {
    for (const e of rows) {
      accessLog.push(e);
      if (e.route !== undefined) metrics.route(e.route).observe(e.cluster, e.status, e.latencyMs / 1000, slo.get(e.route) ?? 0.999);
      o.onAccess?.(e);
    }
    for (const ev of events) {
      if (ev[0] === 'retry') metrics.retry(ev[1], ev[2]);
      else if (ev[0] === 'ejection') metrics.ejection(ev[1], ev[2]);
      else metrics.routedOutsideResidency(ev[1]);
    }
  };

  const { host, port } = o;
  const workerOptions: Omit<GatewayOptions, 'source'> = {
    listen: formatHostPort(host, port),
    adminPath: o.adminPath,
    ...(o.region ? { region: o.region } : {}),
    ...(o.jurisdiction ? { jurisdiction: o.jurisdiction } : {}),
    healthCheck: o.healthCheck,
    outlier: o.outlier,
    retry: o.retry,
    timeouts: o.timeouts,
    circuitBreaker: o.circuitBreaker,
    // The primary keeps the full ring; a worker's own ring only serves its local /recent.
    accessLogSize: Math.min(o.accessLogSize, 1000),
    keepAliveTimeoutMs: o.keepAliveTimeoutMs,
    syncTimeoutMs: o.syncTimeoutMs,
  };
  const js = fileURLToPath(new URL('./worker-main.js', import.meta.url));
  const fromSource = !existsSync(js);
  const loader = fromSource && !process.execArgv.some((a) => a.includes('tsx')) ? ['--import', 'tsx'] : [];
  cluster.setupPrimary({ exec: fromSource ? fileURLToPath(new URL('./worker-main.ts', import.meta.url)) : js, execArgv: [...process.execArgv, ...loader], serialization: 'advanced' });

  /** Forks one worker; resolves with its port once it listens. */
  const fork = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const w = cluster.fork();
      workers.add(w);
      let ready = false;
      w.on('message', (m: ToPrimary) => {
        if (m.t === 'batch') onBatch(m.rows, m.events);
        else if (m.t === 'flushed') flushes.get(m.id)?.();
        else if (m.t === 'hello') w.send({ t: 'init', options: workerOptions, source: spec } satisfies FromPrimary);
        else if (m.t === 'endpoints') views.set(w, m.list);
        else if (m.t === 'log') o.log(`worker ${w.process.pid}: ${m.msg}`, m.err);
        else if (m.t === 'ready') {
          ready = true;
          resolve(m.port);
        }
      });
      w.once('exit', (code, signal) => {
        workers.delete(w);
        views.delete(w);
        if (!ready) return reject(new Error(`gateway worker exited before listening (${signal ?? code})`));
        if (closing) return;
        // A crashed worker is replaced; its connections were cut, which clients see as resets.
        o.log(`worker ${w.process.pid} exited (${signal ?? code}); starting another`);
        setTimeout(() => void fork().catch((err: unknown) => o.log('could not restart a worker', err)), 200).unref();
      });
    });

  const stopWorkers = () =>
    Promise.all(
      [...workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            const kill = setTimeout(() => w.process.kill('SIGKILL'), 3000);
            w.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            w.send({ t: 'close' } satisfies FromPrimary);
          }),
      ),
    );

  // flush(): each worker sends what it holds, then answers; IPC keeps the order per worker.
  const flushes = new Map<number, () => void>();
  let flushIds = 0;
  const flushWorker = (w: Worker) =>
    new Promise<void>((resolve) => {
      if (w.isDead() || !w.isConnected()) return resolve();
      const id = ++flushIds;
      const done = () => {
        flushes.delete(id);
        clearTimeout(timer);
        w.off('exit', done);
        resolve();
      };
      const timer = setTimeout(done, 1000);
      flushes.set(id, done);
      w.once('exit', done);
      w.send({ t: 'flush', id } satisfies FromPrimary);
    });

  let ports: number[];
  try {
    ports = await Promise.all(Array.from({ length: o.workers }, fork));
  } catch (err) {
    closing = true;
    await stopWorkers();
    await o.source.close();
    throw err;
  }

  const admin = createAdmin({ metrics, accessLog, table: () => current, endpoints });
  const adminServer = o.admin
    ? createServer((req, res) => void admin(req.url ?? '/', res).then((served) => served || sendError(res, 404, 'not_found', `no admin endpoint ${req.url}`)))
    : undefined;
  if (adminServer && o.admin) {
    const a = o.admin;
    await listen(adminServer, a.host, a.port);
  }
  return {
    url: `http://${formatHostPort(host, ports[0]!)}`,
    port: ports[0]!,
    adminUrl: adminServer && o.admin ? `http://${formatHostPort(o.admin.host, (adminServer.address() as AddressInfo).port)}` : undefined,
    table: () => current,
    metrics,
    accessLog,
    endpoints,
    flush: () => Promise.all([...workers].map(flushWorker)).then(() => undefined),
    scheduling: 'normal',
    async close() {
      if (closing) return;
      closing = true;
      await stopWorkers();
      await o.source.close();
      if (adminServer) await new Promise<void>((r) => adminServer.close(() => r()).closeAllConnections());
    },
  };
}
