// The control plane assembled: store, policy engine, API server with admission, controller
// manager with every controller, and the agents of managed local clusters. `truststram server`
// and `truststram demo` run exactly this; tests start it on port 0.
import type { StdioOptions } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { ValidationError, objectKey, type Policy } from '../api/index.js';
import { complianceController, complianceViews } from '../compliance/index.js';
import { budgetAdmissionHook, budgetController, createWebhookNotifier } from '../controllers/budget/index.js';
import { createEventRecorder, createManager, healthController, placementController, residencyAdmissionHook, statusController, type Manager } from '../controllers/index.js';
import { FAILOVER_GATEWAY_OPTIONS, chaosViews, createChaos, storeChaosRecorder, type Chaos } from '../chaos/index.js';
import { costViews, defaultCatalog } from '../cost/index.js';
import type { FailbackOptions } from '../controllers/placement/failback.js';
import { startGateway, storeSource, trafficAdmissionHook, DEFAULT_GATEWAY_LISTEN, type AccessLogEntry, type GatewayOptions, type RunningGateway } from '../gateway/index.js';
import { createAdmissionHook, createPlacementHook, createPolicyEngine } from '../policy/index.js';
import { createInternalCredentials, createLeaseTable, startServer, uiViews, type AdmissionHook, type AdmissionRequest, type AdmissionResult, type LeaseTable, type RunningServer, type View } from '../server/index.js';
import { fencedStore, openStore } from '../store/index.js';
import type { CampaignOptions, LeaderElection, Store } from '../store/store.js';
import { createAgentManager, type AgentManager } from './agent-manager.js';
import { trafficViews } from './traffic-views.js';
import { LEADER_LEASE, advertiseLeadership, leadershipViews } from './leadership-view.js';
import { explainViews, type PolicyBuilder } from './views.js';

/** The in-process gateway: on by default; `false` runs none (`server --no-gateway`). */
export type ControlPlaneGatewayOptions =
  | false
  | {
      /** Default `127.0.0.1:7480` (a free port when that is taken), or port 0 when the API listens on port 0. */
      listen?: string;
      /** Everything else the gateway takes (region, health checks, outlier detection, retries...). */
      options?: Omit<GatewayOptions, 'source' | 'listen'>;
    };

export interface ControlPlaneOptions {
  /** Data directory of the embedded SQLite store (or `storeSpec`). */
  dataDir?: string;
  storeSpec?: string;
  /** Default `127.0.0.1:7400`; port 0 picks a free port. */
  listen?: string;
  tokenFile?: string;
  /**
   * Run the controllers (placement, health, status, budgets, compliance, agents). Default true.
   * `false` serves the API alone — admission and policies included — for API replicas whose
   * controllers run elsewhere, and for tests that must see only their own writes.
   */
  controllers?: boolean;
  /** Start agents for local clusters with `driver.managed` not false. Default true. */
  manageAgents?: boolean;
  agents?: { heartbeatMs?: number; simulated?: boolean; cwd?: string; logDir?: string; stdio?: StdioOptions };
  /** Runtime policy re-evaluation interval (default 30 s). */
  complianceIntervalMs?: number;
  /** Extra views (cost, compliance, gateway status). */
  views?: View[];
  /** The traffic gateway run in this process (default on). */
  gateway?: ControlPlaneGatewayOptions;
  /**
   * Demo mode (`truststram demo`, `server --allow-chaos`): anyone may inject chaos faults.
   * Otherwise only authenticated callers may, and only when a token file is configured.
   */
  demo?: boolean;
  /** Failback hysteresis and thresholds of the placement controller (see ADR 0012). */
  failback?: Partial<FailbackOptions>;
  /**
   * On a store several servers share (Postgres), the controllers run only on the elected leader;
   * the others serve the API and take over when it goes. Timing overrides, for tests.
   */
  leaderElection?: CampaignOptions;
  /**
   * Called when this server led and lost leadership (its Postgres session failed): its controllers
   * are already stopped, and another server may be leading. Default: log it and close this
   * control plane. `truststram server` exits with status 2, for its supervisor to restart it.
   */
  onLeadershipLost?: (err: Error) => void;
  log?: (line: string) => void;
}

export interface ControlPlane {
  url: string;
  server: RunningServer;
  store: Store;
  manager: Manager;
  leases: LeaseTable;
  agents: AgentManager | undefined;
  /** The in-process gateway, unless disabled. */
  gateway: RunningGateway | undefined;
  /** Chaos faults (needs the controllers and the agent manager). */
  chaos: Chaos | undefined;
  /** This server's campaign to run the controllers, on a shared store (Postgres); undefined otherwise. */
  leadership: LeaderElection | undefined;
  /** Subscribes to every request the in-process gateway finishes; returns the unsubscribe. */
  onAccess(fn: (e: AccessLogEntry) => void): () => void;
  close(): Promise<void>;
}

/**
 * Starts the whole control plane.
 * @example
 * const cp = await startControlPlane({ dataDir: './state', listen: '127.0.0.1:0' });
 * // ... apply examples/, watch workloads become ready ...
 * await cp.close(); // stops agents (and their replicas), controllers, server, store
 */
export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const store = await openStore(o.storeSpec ?? o.dataDir ?? './truststram-data');
  const catalog = defaultCatalog();
  const engine = createPolicyEngine();
  // Stored policies were valid when admitted; one that no longer compiles (an engine upgrade)
  // is skipped with a warning rather than keeping the control plane down.
  for (const p of (await store.list('Policy')).items as Policy[]) {
    try {
      engine.upsert(p);
    } catch (err) {
      log(`policy ${p.metadata.name} is not enforced: ${(err as Error).message}`);
    }
  }
  // Shared through the store when several servers can use it (Postgres): agents may renew through any.
  const leases = store.sharedLeases ?? createLeaseTable();
  // With auth on, managed agents authenticate with credentials issued here, in memory only: a
  // new control plane (a restart) issues new ones and accepts none of the old.
  const credentials = o.tokenFile ? createInternalCredentials() : undefined;
  const admission = createAdmissionHook(engine, {
    // Dry runs and plans write nothing, audit included (ADR 0003); real decisions are recorded.
    onDecision: (d, req) => {
      if (req.dryRun) return;
      void store
        .recordDecision({
          actor: req.actor,
          verb: d.allowed ? 'policy-verdict' : 'deny',
          ref: { kind: req.object!.kind, name: req.object!.metadata.name, ...(req.object!.metadata.namespace ? { namespace: req.object!.metadata.namespace } : {}) },
          details: { operation: req.operation, denials: d.denials, warnings: d.warnings, audits: d.audits },
        })
        .catch((err: unknown) => log(`audit of a policy decision failed: ${String(err)}`));
    },
  });
  const accessListeners = new Set<(e: AccessLogEntry) => void>();
  let gateway: RunningGateway | undefined;
  let chaos: Chaos | undefined;
  try {
    gateway = await startOwnGateway(o, store, (e) => accessListeners.forEach((f) => f(e)), log);
  } catch (err) {
    await store.close();
    throw err;
  }
  // Set once the controllers' campaign starts (shared stores); read by the controllers view.
  let leadership: LeaderElection | undefined = undefined;
  // Placement-stage policies, as the placement controller and the explain view both apply them.
  const placementPolicy: PolicyBuilder = (objects) => createPlacementHook(engine, objects);
  let server: RunningServer;
  try {
    server = await startServer({
      store,
      leases,
      listen: o.listen ?? '127.0.0.1:7400',
      admission: [locatedPolicyErrors(admission), budgetAdmissionHook(), residencyAdmissionHook(), trafficAdmissionHook()],
      views: [...explainViews(store, catalog, placementPolicy), ...costViews({ catalog }), ...complianceViews({ engine }), ...uiViews(),
        ...(gateway ? trafficViews(() => gateway) : []),
        ...chaosViews(() => chaos, { demo: o.demo === true, authEnabled: !!o.tokenFile }, () =>
          leadership && !leadership.isLeader ? `this server is a follower: chaos acts on the agents of the server running the controllers (${leases.get(LEADER_LEASE)?.holder ?? 'the elected leader'}); send it there` : undefined,
        ),
        ...leadershipViews({ serverUrl: () => server.url, leases, leadership: () => leadership, runsControllers: o.controllers !== false }),
        ...(o.views ?? []),
      ],
      ...(o.tokenFile ? { tokenFile: o.tokenFile, credentials } : {}),
    });
  } catch (err) {
    await gateway?.close();
    await store.close();
    throw err;
  }

  const manager = createManager(store, { onError: (c, k, e) => log(`controller ${c}: ${k}: ${e instanceof Error ? e.message : String(e)}`) });
  manager.informer('Policy').onChange((t, p, old) => {
    // A status write (the compliance controller's counts) does not change what is enforced.
    if (t === 'MODIFIED' && old && old.metadata.generation === p.metadata.generation) return;
    try {
      if (t === 'DELETED') engine.remove(p.metadata.name);
      else engine.upsert(p as Policy);
    } catch (err) {
      log(`policy ${p.metadata.name} is not enforced: ${(err as Error).message}`);
    }
  });
  const runControllers = o.controllers !== false;
  // On a shared store the controllers (and the events and chaos records they write) write with
  // the leader's fencing token: once a newer leader is elected, a write of this one is refused
  // even before it notices it lost (store.ts, `LeaderElection.fence`).
  const writer = runControllers && store.campaign ? fencedStore(store, () => leadership?.fence) : store;
  const events = createEventRecorder(writer, (err) => log(`event not recorded: ${String(err)}`));
  const notifier = createWebhookNotifier();
  if (runControllers) {
    manager.add(placementController({ store: writer, manager, events, catalog, policy: placementPolicy, ...(o.failback ? { failback: o.failback } : {}) }));
    manager.add(healthController({ store: writer, manager, leases, events }));
    manager.add(statusController({ store: writer, manager, events }));
    manager.add(budgetController(manager, { store: writer, catalog, notifier }));
    manager.add(complianceController({ store: writer, manager, engine, events, ...(o.complianceIntervalMs ? { intervalMs: o.complianceIntervalMs } : {}) }));
  }
  const agents =
    o.manageAgents === false || !runControllers
      ? undefined
      : createAgentManager({ manager, leases, serverUrl: () => server.url, log, ...(o.agents ?? {}), ...(credentials ? { credentials } : {}) });
  if (agents) {
    manager.add(agents.spec);
    chaos = createChaos({ store: writer, agents, recorder: storeChaosRecorder(writer, events) });
  }
  // On a shared store only the elected leader runs the controllers (informers run everywhere:
  // the Policy informer keeps every server's admission current).
  // A leader renews the lease naming it every second; one that stopped (hung, paused) while its
  // lock session stays open is taken over from (judged on this server's view of the leases).
  const leaderAlive = () => {
    const l = leases.get(LEADER_LEASE);
    if (!l) return false;
    const expiresAt = l.renewTime + l.durationMs;
    return Date.now() <= expiresAt || leases.viewAsOf() < expiresAt;
  };
  leadership = runControllers && store.campaign ? store.campaign('controllers', { log, leaderAlive, ...o.leaderElection }) : undefined;
  let closing: Promise<void> | undefined;
  let unadvertise: (() => Promise<void>) | undefined;
  if (!leadership) await manager.start();
  else {
    log('controllers: campaigning for leadership (servers sharing the Postgres store run them one at a time)');
    const election = leadership;
    void election.elected.then(async () => {
      if (closing) return;
      log('controllers: elected leader; starting the controllers');
      unadvertise = advertiseLeadership(leases, server.url, election.fence?.epoch, log);
      await manager.start().catch((err: unknown) => log(`controllers: start failed: ${String(err)}`));
    });
    void election.lost.then(async (err) => {
      if (closing) return;
      log(`controllers: lost leadership (${err.message}); stopping the controllers`);
      try {
        await unadvertise?.();
        await manager.stop();
        await agents?.stopAll();
      } catch (e) {
        log(`controllers: stopping after the lost leadership: ${String(e)}`);
      } finally {
        if (o.onLeadershipLost) o.onLeadershipLost(err);
        else await cp.close().catch((e: unknown) => log(`closing the control plane failed: ${String(e)}`));
      }
    });
  }

  const cp: ControlPlane = {
    url: server.url,
    server,
    store,
    manager,
    leases,
    agents,
    gateway,
    chaos,
    leadership,
    onAccess(fn) {
      accessListeners.add(fn);
      return () => void accessListeners.delete(fn);
    },
    close: () =>
      (closing ??= (async () => {
        // Agents report their final state to the server, so they stop while it still listens.
        await manager.stop();
        await notifier.close();
        await agents?.stopAll();
        // Given up only once its agents stopped: their last reports belong to this leader's term.
        await unadvertise?.();
        await leadership?.close();
        credentials?.revokeAll();
        await gateway?.close();
        await server.close();
        await store.close();
      })()),
  };
  return cp;
}

/**
 * Starts the in-process gateway over the store's watch. The default address falls back to a
 * free port when taken (several servers on one machine, tests); an explicit one must be free.
 */
async function startOwnGateway(o: ControlPlaneOptions, store: Store, onAccess: (e: AccessLogEntry) => void, log: (l: string) => void): Promise<RunningGateway | undefined> {
  if (o.gateway === false) return undefined;
  const g = o.gateway ?? {};
  const apiOnPort0 = /:0$/.test(o.listen ?? '');
  const listen = g.listen ?? (apiOnPort0 ? '127.0.0.1:0' : DEFAULT_GATEWAY_LISTEN);
  const start = async (addr: string) => {
    const source = storeSource(store);
    try {
      return await startGateway({ log: (m, e) => log(`gateway: ${m}${e ? `: ${e instanceof Error ? e.message : String(e)}` : ''}`), ...FAILOVER_GATEWAY_OPTIONS, ...g.options, listen: addr, source, onAccess });
    } catch (err) {
      // A gateway that failed to listen has started its source: stop it (its health checker's timer is unref'd and idle).
      await source.close();
      throw err;
    }
  };
  if (g.listen !== undefined) return start(listen);
  // The default address is a convenience: when taken (several servers on one machine), any port.
  const fallback = listen.replace(/:\d+$/, ':0');
  if (!(await portFree(listen))) {
    log(`gateway: ${listen} is in use; listening on a free port instead`);
    return start(fallback);
  }
  try {
    return await start(listen);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    log(`gateway: ${listen} was taken meanwhile; listening on a free port instead`);
    return start(fallback);
  }
}

function portFree(hostPort: string): Promise<boolean> {
  const m = /^(.*):(\d+)$/.exec(hostPort);
  if (!m || m[2] === '0') return Promise.resolve(true);
  return new Promise((done) => {
    const s = createNetServer();
    s.once('error', () => done(false));
    s.listen(Number(m[2]), m[1]!.replace(/^\[|\]$/g, ''), () => s.close(() => done(true)));
  });
}

/**
 * A Policy that does not compile is rejected by the policy hook with the rule's field and
 * position; this adds the file, document and object it came from, as schema errors have.
 */
function locatedPolicyErrors(hook: (req: AdmissionRequest) => Promise<AdmissionResult>): AdmissionHook {
  return async (req) => {
    try {
      return await hook(req);
    } catch (err) {
      if (!(err instanceof ValidationError) || !req.object) throw err;
      const object = objectKey(req.object);
      const where = [req.location?.file, req.location?.document !== undefined ? `document ${req.location.document}` : undefined, object].filter(Boolean).join(': ');
      // The policy engine may have named the object already: say it once.
      const message = err.message.startsWith(`${object}: `) ? err.message.slice(object.length + 2) : err.message;
      throw new ValidationError(`${where}: ${message}`, err.causes.map((c) => ({ ...req.location, ...c, object: c.object ?? object })));
    }
  };
}

