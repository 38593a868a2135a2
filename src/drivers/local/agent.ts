// The local cluster agent — the body of `truststram agent --cluster NAME --server URL`. It
// heartbeats by renewing its cluster's lease (in memory on the server, not audited), reports
// into its Cluster's status only when something changed (merge patches on /status), keeps caches
// of Placements and Workloads by list+watch, derives its own work and converges the local
// driver to it. Server outages are survived: replicas keep running, caches are kept, and on
// reconnect it re-lists and converges to the same replicas (no duplicates: it adopts what it
// runs). When the agent dies, its replicas die with it (see wrapper.ts and local-driver.ts).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ApiObject, Cluster, ClusterSpec, Placement, Workload } from '../../api/index.js';
import { ConflictError, NotFoundError, RetryableError } from '../../api/index.js';
import { workloadKeyString, type Resources } from '../contract.js';
import { API_BASE, createApiClient, MERGE_PATCH } from './agent-client.js';
import { abortableSleep, runInformer } from './agent-informer.js';
import { createReportPublisher, type PublishedWorkload } from './agent-report.js';
import type { BackoffOptions } from './backoff.js';
import { createLocalDriver, type LocalDriver } from './local-driver.js';
import { createMergePatch } from './merge-diff.js';
import { clusterAllocatable, deriveClusterWork } from './work.js';
import { deferred } from '../../util/deferred.js';

export interface AgentOptions {
  /** Name of the Cluster object this agent runs. */
  cluster: string;
  /** API server URL, e.g. `http://127.0.0.1:7400`. */
  server: string;
  /** Bearer token for the API server, when it has auth on. */
  token?: string;
  /** Heartbeat period. Default 500 ms (a health controller can then detect loss in ~1.5 s). */
  heartbeatMs?: number;
  /** How often per-replica usage numbers are refreshed in the status. Default 15 s. */
  usageReportMs?: number;
  /**
   * Longest time between two status writes when nothing changed (refreshes
   * `lastHeartbeatTime` for readers of the stored status). Liveness itself is the lease,
   * renewed every heartbeat. Default 15 s.
   */
  statusRefreshMs?: number;
  /** Longest wait between retries while the server is unreachable. Default 2 s. */
  retryMaxMs?: number;
  /** Force simulated replicas. Default: the Cluster's `spec.driver.simulated`. */
  simulated?: boolean;
  /** Create the Cluster with this spec when it does not exist. Default: wait until it is declared. */
  registerSpec?: ClusterSpec;
  /** Working directory of replica processes. Default: the agent's. */
  cwd?: string;
  /** Directory for replica logs. Default: none (the last output lines are kept in memory). */
  logDir?: string;
  /** SIGTERM-to-SIGKILL grace for replicas. Default 5 s. */
  stopGraceMs?: number;
  /** Replica restart backoff. Default 100 ms doubling to 10 s, reset after 10 s. */
  backoff?: Partial<BackoffOptions>;
  /**
   * Stop (killing every replica) after the server has been unreachable this long. Default:
   * never — a standalone agent keeps its replicas through any outage. Server-managed agents
   * set it so that a control plane that is gone for good leaves nothing running behind.
   */
  exitAfterDisconnectMs?: number;
  /** Called once the agent has stopped by itself (exitAfterDisconnectMs). */
  onExit?: (reason: string) => void;
  /** Install SIGTERM/SIGINT/uncaught-error handlers that stop replicas and exit (the CLI sets this). */
  handleSignals?: boolean;
  /** Where progress and errors go. Default: stderr lines prefixed `agent <cluster>:`. */
  log?: (line: string) => void;
}

type OptionalKeys = 'token' | 'simulated' | 'registerSpec' | 'logDir' | 'backoff' | 'onExit';
export type CompiledAgentOptions = Required<Omit<AgentOptions, OptionalKeys>> & Pick<AgentOptions, OptionalKeys>;

/** Fills in defaults once at the boundary. */
export function compileAgentOptions(o: AgentOptions): CompiledAgentOptions {
  if (!o.cluster) throw new TypeError('agent: --cluster is required');
  if (!/^https?:\/\//.test(o.server ?? '')) throw new TypeError(`agent: --server must be an http(s) URL, got "${o.server}"`);
  const positive = (name: string, v: number | undefined, d: number) => {
    const x = v ?? d;
    if (Number.isNaN(x) || x <= 0) throw new TypeError(`agent: ${name} must be a positive number of milliseconds`);
    return x;
  };
  const log = o.log ?? ((line: string) => process.stderr.write(`agent ${o.cluster}: ${line}\n`));
  return {
    ...o,
    heartbeatMs: positive('heartbeatMs', o.heartbeatMs, 500),
    usageReportMs: positive('usageReportMs', o.usageReportMs, 15_000),
    statusRefreshMs: positive('statusRefreshMs', o.statusRefreshMs, 15_000),
    retryMaxMs: positive('retryMaxMs', o.retryMaxMs, 2000),
    stopGraceMs: positive('stopGraceMs', o.stopGraceMs, 5000),
    exitAfterDisconnectMs: positive('exitAfterDisconnectMs', o.exitAfterDisconnectMs, Infinity),
    cwd: o.cwd ?? process.cwd(),
    handleSignals: o.handleSignals ?? false,
    log,
  };
}

export interface RunningAgent {
  cluster: string;
  driver: LocalDriver;
  /** True while the last heartbeat reached the server. */
  connected(): boolean;
  /** Resolves after the first successful heartbeat (the cluster is registered). */
  registered: Promise<void>;
  /** Stops replicas (gracefully), reports them gone (best effort) and ends all loops. */
  stop(): Promise<void>;
}

/** Shortest gap between two status reports triggered by replica changes. */
const MIN_REPORT_GAP_MS = 100;

/**
 * Starts an agent; it runs until `stop()` (or, with `handleSignals`, SIGTERM/SIGINT).
 * @example
 * const agent = runAgent({ cluster: 'aws-eu-1', server: 'http://127.0.0.1:7400', handleSignals: true });
 * await agent.registered;
 */
export function runAgent(options: AgentOptions): RunningAgent {
  const o = compileAgentOptions(options);
  const client = createApiClient(o.server, o.token);
  const driver = createLocalDriver({
    cluster: o.cluster,
    cwd: o.cwd,
    stopGraceMs: o.stopGraceMs,
    env: { TRUSTSTRAM_SERVER: o.server },
    ...(o.simulated !== undefined ? { simulated: o.simulated } : {}),
    ...(o.logDir ? { logDir: o.logDir } : {}),
    ...(o.backoff ? { backoff: o.backoff } : {}),
  });
  const abort = new AbortController();
  const startedAt = new Date().toISOString();
  const agentId = randomUUID();
  const publisher = createReportPublisher(o.usageReportMs);
  const statusPath = `${API_BASE}/clusters/${encodeURIComponent(o.cluster)}/status`;
  const leasePath = `/api/v1alpha1/leases/${encodeURIComponent(o.cluster)}`;
  let clusterSimulated = o.simulated ?? false;
  let connected = false;
  let owner = false;
  let placements: ReadonlyMap<string, ApiObject> | undefined;
  let workloads: ReadonlyMap<string, ApiObject> | undefined;
  const registered = deferred();

  // ---- converge: caches -> work -> driver -----------------------------------------------
  let convergeScheduled = false;
  const scheduleConverge = () => {
    if (convergeScheduled || abort.signal.aborted) return;
    convergeScheduled = true;
    setImmediate(() => {
      convergeScheduled = false;
      // Both caches must have been listed once (half a picture would remove running replicas),
      // and the cluster must be ours (another live agent for it would duplicate every replica).
      if (!placements || !workloads || !owner || abort.signal.aborted) return;
      const byKey = new Map<string, Workload>();
      for (const w of workloads.values()) byKey.set(workloadKeyString({ namespace: w.metadata.namespace ?? 'default', name: w.metadata.name }), w as Workload);
      const desired = deriveClusterWork(o.cluster, placements.values() as Iterable<Placement>, byKey, clusterSimulated);
      const keep = new Set(desired.map((w) => workloadKeyString(w.workload)));
      for (const w of desired) driver.apply(w).catch((err: unknown) => o.log(`apply ${workloadKeyString(w.workload)}: ${String(err)}`));
      for (const k of driver.workloads()) if (!keep.has(workloadKeyString(k))) driver.remove(k).catch((err: unknown) => o.log(`remove ${workloadKeyString(k)}: ${String(err)}`));
    });
  };

  // ---- heartbeat and report ----------------------------------------------------------------
  let wake: (() => void) | undefined;
  let changed = false;
  const unsubscribe = driver.onChange(() => {
    changed = true;
    wake?.();
  });
  /** What the server's status.workloads holds, as far as we know; undefined = re-read it. */
  let serverWorkloads: Record<string, PublishedWorkload> | undefined;

  const resync = async () => {
    let cluster: Cluster;
    try {
      cluster = await client.request<Cluster>('GET', `${API_BASE}/clusters/${encodeURIComponent(o.cluster)}`);
    } catch (err) {
      if (!(err instanceof NotFoundError) || !o.registerSpec) throw err;
      cluster = await client.request<Cluster>('POST', `${API_BASE}/clusters`, { apiVersion: 'truststram.io/v1alpha1', kind: 'Cluster', metadata: { name: o.cluster }, spec: o.registerSpec });
      o.log('registered the cluster');
    }
    driver.setAllocatable(clusterAllocatable(cluster));
    const sim = o.simulated ?? cluster.spec.driver?.simulated ?? false;
    if (sim !== clusterSimulated) {
      clusterSimulated = sim;
      scheduleConverge();
    }
    const status = (cluster.status ?? {}) as { workloads?: Record<string, PublishedWorkload> };
    serverWorkloads = status.workloads ?? {};
    lastWritten = undefined;
  };

  // The lease decides ownership: another agent renewing this cluster's lease keeps it, and this
  // one runs nothing until that lease expires (its agent died) — never two agents per cluster.
  let lastRenewal = 0;
  const renewLease = async () => {
    try {
      await client.request('PUT', leasePath, { holder: agentId, durationMs: 3 * o.heartbeatMs }, { timeoutMs: 2000 });
      lastRenewal = Date.now();
    } catch (err) {
      if (err instanceof ConflictError) {
        if (owner) o.log('lost the cluster lease to another agent: stopping replicas');
        if (owner) await Promise.all(driver.workloads().map((k) => driver.remove(k))).catch(() => undefined);
        owner = false;
        throw new RetryableError(`another agent is active for cluster ${o.cluster}: ${err.message}`);
      }
      throw err;
    }
    if (!owner) {
      owner = true;
      scheduleConverge();
    }
  };

  const agentInfo = () => ({ id: agentId, pid: process.pid, hostname: hostname(), startedAt, driver: 'local', simulated: clusterSimulated, heartbeatMs: o.heartbeatMs, node: process.version });

  // Status is state, written only when it changed (or every statusRefreshMs): the health
  // controller owns `phase` from the lease, except the NotReady this agent reports as it stops.
  let lastWritten: string | undefined;
  let lastWriteAt = 0;
  const report = async (final: boolean) => {
    if (serverWorkloads === undefined) await resync();
    const r = await driver.status();
    const pub = publisher.publish(r);
    const next = final ? {} : pub.workloads;
    const diff = createMergePatch(serverWorkloads, next);
    const zero: Resources = { cpu: 0, memory: 0, pods: 0 };
    const body = {
      allocatable: r.allocatable,
      allocated: final ? zero : pub.allocated,
      usage: final ? zero : pub.usage,
      agent: final ? null : agentInfo(),
    };
    const fingerprint = JSON.stringify(body);
    if (!final && diff === undefined && fingerprint === lastWritten && Date.now() - lastWriteAt < o.statusRefreshMs) return;
    const status = {
      ...body,
      ...(final ? { phase: 'NotReady' } : {}),
      lastHeartbeatTime: new Date().toISOString(),
      ...(diff !== undefined ? { workloads: diff } : {}),
    };
    await client.request('PATCH', statusPath, { status }, { contentType: MERGE_PATCH, timeoutMs: final ? 1000 : 5000 });
    serverWorkloads = next;
    lastWritten = fingerprint;
    lastWriteAt = Date.now();
  };

  const heartbeatLoop = async () => {
    let failures = 0;
    let disconnectedSince: number | undefined;
    let waitingForCluster = false;
    while (!abort.signal.aborted) {
      changed = false;
      try {
        await renewLease();
        await report(false);
        if (!connected) o.log(waitingForCluster ? `Cluster ${o.cluster} is declared: connected to the server` : failures > 0 ? 'reconnected to the server' : 'connected to the server');
        waitingForCluster = false;
        connected = true;
        failures = 0;
        disconnectedSince = undefined;
        registered.resolve();
      } catch (err) {
        serverWorkloads = undefined;
        if (err instanceof NotFoundError) {
          // The server answers, but the Cluster is not declared (yet): wait for it, saying so
          // once; this is not a lost server, so it never counts towards exitAfterDisconnectMs.
          if (connected || failures === 0 || !waitingForCluster) o.log(`the server has no Cluster ${o.cluster}: waiting until it is declared (truststram apply -f a manifest with kind: Cluster, name ${o.cluster})`);
          waitingForCluster = true;
          connected = false;
          failures++;
          disconnectedSince = undefined;
          await abortableSleep(Math.min(o.retryMaxMs, o.heartbeatMs * 2 ** Math.min(failures - 1, 10)), abort.signal);
          continue;
        }
        waitingForCluster = false;
        if (connected || failures === 0) o.log(`cannot report to ${o.server}: ${(err as Error).message}; retrying`);
        connected = false;
        failures++;
        disconnectedSince ??= Date.now();
        if (Date.now() - disconnectedSince >= o.exitAfterDisconnectMs) {
          o.log(`server unreachable for ${o.exitAfterDisconnectMs} ms: stopping`);
          void stop().finally(() => o.onExit?.('disconnected'));
          return;
        }
      }
      if (abort.signal.aborted) break;
      if (failures > 0) {
        await abortableSleep(Math.min(o.retryMaxMs, o.heartbeatMs * 2 ** Math.min(failures - 1, 10)), abort.signal);
        continue;
      }
      await abortableSleep(MIN_REPORT_GAP_MS, abort.signal);
      if (!changed) await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.max(0, o.heartbeatMs - MIN_REPORT_GAP_MS));
        function done() {
          clearTimeout(t);
          wake = undefined;
          abort.signal.removeEventListener('abort', done);
          resolve();
        }
        wake = done;
        abort.signal.addEventListener('abort', done, { once: true });
      });
    }
  };

  const informer = (plural: string, set: (c: ReadonlyMap<string, ApiObject>) => void) =>
    runInformer({
      client,
      plural,
      signal: abort.signal,
      retryMaxMs: o.retryMaxMs,
      onChange: (cache) => {
        set(cache);
        scheduleConverge();
      },
      onError: () => undefined, // the heartbeat loop reports connectivity
    });

  // Liveness must not wait behind a slow status report (a large PATCH to a busy server): while
  // this agent owns the cluster, the lease is also renewed on its own clock.
  const leaseKeeper = async () => {
    while (!abort.signal.aborted) {
      await abortableSleep(o.heartbeatMs, abort.signal);
      if (owner && connected && !abort.signal.aborted && Date.now() - lastRenewal >= o.heartbeatMs) await renewLease().catch(() => undefined);
    }
  };

  // Workload templates are fetched on demand, only for workloads placed here, and again when a
  // Placement carries a newer generation (every spec change re-issues the Placement). Watching
  // every Workload would send each agent every status write of the whole fleet: at 1,000
  // workloads and 20 clusters that fan-out, not the work, was what saturated the API server.
  const templates = new Map<string, ApiObject>();
  let refreshing: Promise<void> = Promise.resolve();
  const refreshTemplates = (): Promise<void> =>
    (refreshing = refreshing.then(async () => {
      if (!placements || abort.signal.aborted) return;
      const wanted = new Map<string, number>();
      for (const p of placements.values() as Iterable<Placement>) {
        if (!(p.spec.clusters ?? []).some((c) => c.cluster === o.cluster && c.replicas > 0) || !p.spec.workload) continue;
        wanted.set(workloadKeyString({ namespace: p.metadata.namespace ?? 'default', name: p.spec.workload }), p.spec.generation ?? 0);
      }
      for (const k of [...templates.keys()]) if (!wanted.has(k)) templates.delete(k);
      for (const [k, generation] of wanted) {
        const have = templates.get(k);
        if (have && (have.metadata.generation ?? 0) >= generation) continue;
        const [ns, name] = k.split('/') as [string, string];
        try {
          templates.set(k, await client.request<ApiObject>('GET', `${API_BASE}/namespaces/${encodeURIComponent(ns)}/workloads/${encodeURIComponent(name)}`));
        } catch (err) {
          if (err instanceof NotFoundError) templates.delete(k);
          else throw err; // retried on the next placement change or resync
        }
      }
      workloads = templates;
      scheduleConverge();
    }).catch((err: unknown) => o.log(`fetching workload templates: ${String(err)}`)));
  // A template fetch that failed (server away) is retried while nothing else changes.
  const templateRetry = async () => {
    while (!abort.signal.aborted) {
      await abortableSleep(Math.max(1000, o.heartbeatMs * 4), abort.signal);
      if (placements && connected) await refreshTemplates();
    }
  };

  const loops = Promise.all([
    heartbeatLoop(),
    leaseKeeper(),
    templateRetry(),
    informer('placements', (c) => {
      placements = c;
      void refreshTemplates();
    }),
  ]);

  // ---- lifecycle -----------------------------------------------------------------------------
  let stopping: Promise<void> | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    o.log(`${sig}: stopping replicas`);
    void stop().finally(() => process.exit(0));
  };
  const onFatal = (err: unknown) => {
    o.log(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    driver.killAllNow();
    process.exit(1);
  };
  if (o.handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    process.on('uncaughtException', onFatal);
    process.on('unhandledRejection', onFatal);
  }

  const stop = () =>
    (stopping ??= (async () => {
      abort.abort();
      unsubscribe();
      await loops.catch(() => undefined);
      await driver.close();
      // Tell the control plane at once that nothing runs here any more (best effort).
      if (connected) {
        await report(true).catch(() => undefined);
        await client.request('DELETE', `${leasePath}?holder=${agentId}`, undefined, { timeoutMs: 1000 }).catch(() => undefined);
      }
      if (o.handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        process.off('uncaughtException', onFatal);
        process.off('unhandledRejection', onFatal);
      }
    })());

  return { cluster: o.cluster, driver, connected: () => connected, registered: registered.promise, stop };
}
