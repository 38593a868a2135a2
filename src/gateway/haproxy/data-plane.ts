// The gateway with HAProxy as its data plane (`dataPlane: 'haproxy'`): this process keeps the
// control side — table source, layout, admin endpoints, access log, metrics — and HAProxy moves
// the bytes. Each new routing table becomes runtime-API commands on the running HAProxy, or a
// hitless reload when its structure changed. ADR 0014 says why and what differs.
import { accessSync, closeSync, constants, mkdtempSync, openSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccessLog } from '../access-log.js';
import { createAdmin } from '../admin.js';
import type { EndpointView, RunningGateway } from '../gateway.js';
import { awaitFirstTable, endpointStateCounts, listen } from '../lifecycle.js';
import { createGatewayMetrics } from '../metrics.js';
import { formatHostPort, type CompiledGatewayOptions } from '../options.js';
import { sendError } from '../proxy.js';
import { emptyTable, type RouteTable } from '../route-table.js';
import { createAccessIngest } from './access-ingest.js';
import { FRONTEND, renderConfig, renderHostsMap, renderPrefixMap, renderSlotMaps, type HaproxyPaths } from './config.js';
import { backendName, planLayout, runtimeCommands, type Layout } from './layout.js';
import { createLogTail, type LogTail } from './log-tail.js';
import { DEFAULT_CHRT, startHaproxy, type HaproxyProcess } from './process.js';
import { createPrivateDir, sweepStalePrivateDirs } from './private-dir.js';
import { parseShowStat, runtimeCommand, type ServerStat } from './runtime-api.js';

/** How often HAProxy's view of its servers (health, in flight, downs) is read back. */
const STAT_INTERVAL_MS = 250;
/** How long `flush()` waits instead when HAProxy's runtime API does not answer. */
const FLUSH_SETTLE_MS = 20;
/** How long `flush()` waits for requests still in progress to finish (and be logged). */
const FLUSH_MAX_MS = 5000;
/** RAM-backed file system for the access-log file, used when it has this much room. */
const SHM = '/dev/shm';
const SHM_MIN_FREE = 2 ** 30;

export async function startHaproxyGateway(o: CompiledGatewayOptions): Promise<RunningGateway> {
  const metrics = createGatewayMetrics();
  const accessLog = createAccessLog(o.accessLogSize);
  const loc = { region: o.region, jurisdiction: o.jurisdiction };
  let table: RouteTable = emptyTable();
  let layout: Layout = planLayout(table, undefined, loc);
  let stats = new Map<string, ServerStat>();

  const endpoints = (): EndpointView[] => {
    const out: EndpointView[] = [];
    for (const r of table.routes) {
      const b = layout.byName.get(backendName(r.key));
      for (const ep of r.endpoints) {
        const slot = b?.byEndpoint.get(ep.id);
        const st = b && slot ? stats.get(`${b.name}/${slot.server}`) : undefined;
        const healthy = slot !== undefined && (st === undefined || /^(UP|no check|DRAIN)/.test(st.status));
        out.push({ route: r.key, id: ep.id, cluster: ep.cluster, jurisdiction: ep.jurisdiction, ready: ep.ready, healthy, ejected: false, active: st?.current ?? 0, weight: ep.weight });
      }
    }
    return out;
  };
  metrics.setEndpointCollector(() => endpointStateCounts(endpoints()));

  // The admin endpoints: HAProxy forwards `adminPath` here; `adminListen` serves them at the root.
  const admin = createAdmin({ metrics, accessLog, table: () => table, endpoints });
  // The access log and metrics are read from HAProxy's log file every 20 ms; an admin request reads
  // it first, so a request answered before `/recent` or `/metrics` was asked for is in the answer.
  let readLogNow = (): void => undefined;
  const adminHandler: Parameters<typeof createServer>[1] = (req, res) => {
    readLogNow();
    let url = req.url ?? '/';
    if (url === o.adminPath || url.startsWith(`${o.adminPath}/`) || url.startsWith(`${o.adminPath}?`)) url = url.slice(o.adminPath.length) || '/';
    void admin(url, res).then((served) => served || sendError(res, 404, 'not_found', `no admin endpoint ${req.url}`));
  };
  const internalAdmin = createServer(adminHandler);
  await listen(internalAdmin, '127.0.0.1', 0);
  const publicAdmin = o.admin ? createServer(adminHandler) : undefined;
  const servers: Server[] = [internalAdmin];
  try {
    if (publicAdmin && o.admin) {
      await listen(publicAdmin, o.admin.host, o.admin.port);
      servers.push(publicAdmin);
    }
  } catch (e) {
    await closeAll(servers);
    throw e;
  }
  const adminUpstream = { host: '127.0.0.1', port: (internalAdmin.address() as AddressInfo).port };
  let listenAt: { host: string; port: number };
  try {
    listenAt = { host: o.host, port: o.port === 0 ? await freePort(o.host) : o.port };
  } catch (e) {
    await closeAll(servers);
    throw e;
  }

  // HAProxy's private directory: its configuration, map files and runtime-API socket.
  // A gateway killed before it could clean up left its directory: removed now, so they do not pile up.
  for (const d of sweepStalePrivateDirs()) o.log(`removed ${d}, left by a gateway that was killed`);
  const dir = createPrivateDir();
  const paths: HaproxyPaths = {
    dir,
    config: join(dir, 'haproxy.cfg'),
    hostsMap: join(dir, 'hosts.map'),
    prefixMap: join(dir, 'prefix.map'),
    clustersMap: join(dir, 'clusters.map'),
    replicasMap: join(dir, 'replicas.map'),
    adminSocket: join(dir, 'admin.sock'),
  };

  const write = (l: Layout) => {
    const put = (path: string, text: string) => {
      writeFileSync(`${path}.tmp`, text);
      renameSync(`${path}.tmp`, path);
    };
    put(paths.hostsMap, renderHostsMap(l));
    put(paths.prefixMap, renderPrefixMap(l));
    const slots = renderSlotMaps(l);
    put(paths.clustersMap, slots.clusters);
    put(paths.replicasMap, slots.replicas);
    put(paths.config, renderConfig({ layout: l, o, paths, listen: listenAt, adminUpstream }));
  };

  // Records read, and how many had been read when the running HAProxy worker started: its
  // frontend counts requests from zero, so the two together say what is still to come.
  const records = { count: 0 };
  let recordsAtStart = 0;
  const ingestDeps = {
    records,
    layout: () => layout,
    accessLog,
    metrics,
    onAccess: o.onAccess,
    // Server state changes (UP, DOWN, maintenance) show in /routes and the ejection metric; only
    // what looks like trouble is worth a log line.
    other: (line: string) => void (/alert|cannot|error|fail/i.test(line) && !/ is (UP|DOWN)|maintenance/.test(line) && o.log(`haproxy: ${line.trim()}`)),
    failed: (line: string, e: unknown) => o.log(`handling the access-log line ${JSON.stringify(line.slice(0, 120))} failed`, e),
  };
  // HAProxy writes its log lines to stdout, opened here O_APPEND: every worker, across reloads
  // and restarts, appends to the same file, and the tail reads it in batches. The file has no
  // name once open, so even a SIGKILLed gateway leaves no request log behind.
  let closing = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let logFd: number;
  let tail: LogTail;
  try {
    ({ fd: logFd, tail } = openAccessLog(createAccessIngest(ingestDeps), o.log));
  } catch (e) {
    await closeAll(servers);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  readLogNow = tail.readNow;
  const closeLog = async () => {
    // The lines HAProxy wrote before it stopped are read, not dropped: GameDay reports count them.
    await tail.close();
    closeSync(logFd);
  };

  let proc: HaproxyProcess | undefined;
  let warnedNoChrt = false;
  const launch = async () => {
    if (closing) return;
    write(layout);
    readLogNow();
    recordsAtStart = records.count;
    proc = await startHaproxy({ bin: o.haproxyPath, config: paths.config, stdout: logFd, batch: o.scheduling === 'batch', onStderrLine: (l) => !closing && /ALERT/.test(l) && o.log(`haproxy: ${l.trim()}`) });
    if (o.scheduling === 'batch' && !proc.batch && !warnedNoChrt) {
      warnedNoChrt = true;
      o.log(`scheduling batch asked for, but ${DEFAULT_CHRT} (util-linux) is missing: haproxy runs under the normal policy`);
    }
    const p = proc;
    void p.exited.then(({ code, signal }) => {
      if (closing || proc !== p) return;
      // A crashed HAProxy is restarted with the current layout; clients saw its connections cut.
      o.log(`haproxy exited (${signal ?? code}); restarting it`);
      restartTimer = setTimeout(() => void launch().catch((e: unknown) => o.log('could not restart haproxy', e)), 200);
      restartTimer.unref();
    });
  };

  // Tables are applied one at a time, the newest winning: a burst of changes costs one apply.
  let pending: RouteTable | undefined;
  let applying: Promise<void> | undefined;
  const apply = async (t: RouteTable) => {
    const next = planLayout(t, layout, loc);
    const known = new Set(layout.refused.map((r) => `${r.route}\0${r.reason}`));
    for (const r of next.refused) if (!known.has(`${r.route}\0${r.reason}`)) o.log(`route ${r.route} left out of HAProxy: ${r.reason}`);
    const cmds = runtimeCommands(layout, next, { clusters: paths.clustersMap, replicas: paths.replicasMap });
    const prev = layout;
    table = t;
    layout = next;
    metrics.setResidencyFiltered(t.residencyViolations);
    if (!proc) return;
    write(next);
    if (cmds !== undefined) {
      if (cmds.length === 0) return;
      try {
        const { errors } = await runtimeCommand(paths.adminSocket, cmds);
        if (errors.length === 0) return;
        o.log(`haproxy runtime API refused ${errors.length} command(s) (${errors[0]}); reloading instead`);
      } catch (e) {
        o.log('haproxy runtime API unreachable; reloading instead', e);
      }
    }
    if (cmds === undefined) o.log(`reloading haproxy (hitless): routes or slot pools changed`);
    try {
      recordsAtStart = records.count;
      await proc.reload();
    } catch (e) {
      // The old workers keep serving the previous layout.
      layout = prev;
      o.log('haproxy reload failed', e);
    }
  };
  const adopt = (t: RouteTable) => {
    pending = t;
    if (applying) return;
    applying = (async () => {
      while (pending) {
        const t2 = pending;
        pending = undefined;
        await apply(t2).catch((e: unknown) => o.log('applying the routing table to haproxy failed', e));
      }
      applying = undefined;
    })();
  };

  try {
    await awaitFirstTable(o, adopt);
    await applying;
    await launch();
  } catch (e) {
    await o.source.close();
    await closeAll(servers);
    await closeLog();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  // HAProxy's health checks and passive observation decide what is up; read that back.
  let polling = false;
  const poll = setInterval(() => {
    if (polling || !proc) return;
    polling = true;
    void runtimeCommand(paths.adminSocket, ['show stat'])
      .then(({ output }) => {
        const next = new Map(parseShowStat(output).map((s) => [`${s.backend}/${s.server}`, s]));
        for (const [k, s] of next) {
          const before = stats.get(k);
          if (before && s.downs > before.downs) {
            const b = layout.byName.get(s.backend);
            const ep = b?.byServer.get(s.server)?.endpoint;
            if (b && ep) metrics.ejection(b.route.key, ep.cluster);
          }
        }
        stats = next;
      })
      .catch(() => undefined)
      .finally(() => (polling = false));
  }, STAT_INTERVAL_MS);
  poll.unref();

  return {
    url: `http://${formatHostPort(listenAt.host, listenAt.port)}`,
    port: listenAt.port,
    adminUrl: publicAdmin && o.admin ? `http://${formatHostPort(o.admin.host, (publicAdmin.address() as AddressInfo).port)}` : undefined,
    table: () => table,
    metrics,
    accessLog,
    endpoints,
    get scheduling() {
      return proc?.batch ? 'batch' : 'normal';
    },
    async flush() {
      // HAProxy writes a request's log line when it ends the request, on whichever thread
      // served it. Its frontend counts every request it received (`req_tot`, shared by all
      // threads), so the file holds every request received so far once as many records have
      // been read since this worker started. Requests still in progress are waited for, up to
      // FLUSH_MAX_MS; a request a client gave up on ends (and is logged) when its timeout fires.
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const received = proc ? await runtimeCommand(paths.adminSocket, [`show stat -1 1 -1`]).then((r) => frontendRequests(r.output), () => undefined) : undefined;
      if (proc && received === undefined) await sleep(FLUSH_SETTLE_MS);
      for (const until = Date.now() + FLUSH_MAX_MS; ; await sleep(5)) {
        readLogNow();
        if (received === undefined || records.count - recordsAtStart >= received || Date.now() > until) break;
      }
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(poll);
      clearTimeout(restartTimer);
      await o.source.close();
      await applying;
      await proc?.stop();
      await closeAll(servers);
      await closeLog();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The access-log file, opened for HAProxy's stdout (`fd`) and for the tail, then unlinked with
 * its directory: it lives as long as a process holds it. Nothing is left behind if this throws.
 */
function openAccessLog(onText: (text: string) => void, log: CompiledGatewayOptions['log']): { fd: number; tail: LogTail } {
  const logDir = mkdtempSync(join(accessLogParent(), 'truststram-haproxy-log-'));
  const file = join(logDir, 'access.log');
  try {
    const fd = openSync(file, 'a', 0o600);
    try {
      return { fd, tail: createLogTail({ path: file, onText, log }) };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

/**
 * Where the access-log file goes: RAM (`/dev/shm`) when it is there, writable and has room, else
 * the temporary directory. HAProxy writes one line per request to it, and a write to tmpfs costs
 * it ≈ 0.7 µs less than one to a disk file system, which updates its journal (measured side by
 * side, ADR 0014). Its size stays bounded: the part read is handed back every 64 MiB.
 */
function accessLogParent(): string {
  try {
    accessSync(SHM, constants.W_OK);
    const fs = statfsSync(SHM);
    if (fs.bavail * fs.bsize >= SHM_MIN_FREE) return SHM;
  } catch {
    // No /dev/shm here (not Linux, or a sandbox without it): the temporary directory will do.
  }
  return tmpdir();
}

function closeAll(servers: Server[]): Promise<void> {
  return Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()).closeAllConnections()))).then(() => undefined);
}

/** A port free on `host` right now (HAProxy cannot tell which ephemeral port it got). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The gateway frontend's readable requests (received less errors) from `show stat` CSV; undefined when it is not there. */
function frontendRequests(csv: string): number | undefined {
  const lines = csv.split('\n');
  const header = lines[0]?.replace(/^# /, '').split(',');
  const row = lines.find((l) => l.startsWith(`${FRONTEND},FRONTEND,`))?.split(',');
  const at = (field: string) => {
    const i = header?.indexOf(field) ?? -1;
    return row && i >= 0 ? Number(row[i] || 0) : NaN;
  };
  // Requests HAProxy could not read (`ereq`: malformed, timed out before the headers) may
  // leave no record: they are not waited for.
  const n = at('req_tot') - at('ereq');
  return Number.isFinite(n) ? Math.max(0, n) : undefined;
}
