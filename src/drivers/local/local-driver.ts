// The local driver: runs each workload's replicas on this machine, as OS processes or as
// simulated in-process responders, and converges them to the desired ClusterWork. Each
// workload converges independently: a rollout plan (rollout.ts) is computed from the
// replicas' observed state and applied; any replica change triggers the next step.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ReplicaPhase,
  workloadKeyString,
  type ClusterReport,
  type ClusterWork,
  type Driver,
  type DriverHealth,
  type Endpoint,
  type Resources,
  type WorkloadKey,
  type WorkloadReport,
} from '../contract.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { createProcessRuntime } from './process-runtime.js';
import { startReplica, type Replica } from './replica.js';
import { planRollout } from './rollout.js';
import { createSimulatedRuntime } from './simulated-runtime.js';
import { replicaName, templateHash } from './template.js';
import { createUsageSampler } from './usage.js';

export interface LocalDriverOptions {
  /** Cluster name, exported to replicas as `$TRUSTSTRAM_CLUSTER`. */
  cluster: string;
  /** Simulated capacity of the cluster. Default: 0 cpu, 0 memory, 110 pods (unknown). */
  allocatable?: Resources;
  /** Run every replica simulated, whatever the work says (Cluster `spec.driver.simulated`). */
  simulated?: boolean;
  /** Restart backoff. Default 100 ms doubling to 10 s, reset after 10 s of running. */
  backoff?: Partial<BackoffOptions>;
  /** SIGTERM-to-SIGKILL grace when stopping a replica. Default 5 s. */
  stopGraceMs?: number;
  /** Working directory of replica processes. Default: the agent's. */
  cwd?: string;
  /** When set, each replica's output is appended to `<logDir>/<namespace>_<replica>.log`. */
  logDir?: string;
  /** Extra environment for every replica (e.g. `TRUSTSTRAM_SERVER`). */
  env?: Record<string, string>;
}

type CompiledOptions = Required<Omit<LocalDriverOptions, 'logDir' | 'backoff'>> & { backoff: BackoffOptions; logDir?: string };

/** Fills in defaults once, so the driver only sees complete values. */
export function compileLocalDriverOptions(o: LocalDriverOptions): CompiledOptions {
  if (!o.cluster) throw new TypeError('local driver: cluster name is required');
  return {
    cluster: o.cluster,
    allocatable: o.allocatable ?? { cpu: 0, memory: 0, pods: 110 },
    simulated: o.simulated ?? false,
    backoff: { ...DEFAULT_BACKOFF, ...o.backoff },
    stopGraceMs: o.stopGraceMs ?? 5000,
    cwd: o.cwd ?? process.cwd(),
    env: o.env ?? {},
    ...(o.logDir ? { logDir: o.logDir } : {}),
  };
}

/** The local driver adds failure injection (chaos) to the Driver contract. */
export interface LocalDriver extends Driver {
  /** Makes one replica die as if it crashed; false when no such running replica. */
  crashReplica(workload: WorkloadKey, replica: string): boolean;
  /** Kills every replica synchronously (process exit path); prefer `close()`. */
  killAllNow(): void;
  /** Updates the simulated capacity (the agent learns it from the Cluster spec). */
  setAllocatable(r: Resources): void;
}

interface Entry {
  work: ClusterWork;
  hash: string;
  replicas: Map<string, Replica>;
  terminating: Map<string, Replica>;
  scheduled: boolean;
}

const live = new Set<LocalDriver>();
let exitHookInstalled = false;
// Last line of defence when the agent's process exits without close(): kill every group
// synchronously. (SIGKILL of the agent is covered by the wrappers' watchdog instead.)
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const d of live) d.killAllNow();
  });
}

/**
 * Creates a local driver for one cluster.
 * @example
 * const driver = createLocalDriver({ cluster: 'aws-eu-1', simulated: false });
 * await driver.apply({ workload: { namespace: 'default', name: 'echo' }, replicas: 2, command: ['node', 'echo.mjs'], ... });
 */
export function createLocalDriver(options: LocalDriverOptions): LocalDriver {
  const o = compileLocalDriverOptions(options);
  const processes = createProcessRuntime();
  const simulated = createSimulatedRuntime();
  const entries = new Map<string, Entry>();
  const listeners = new Set<() => void>();
  const usage = createUsageSampler();
  let closed = false;
  let notifyScheduled = false;
  if (o.logDir) mkdirSync(o.logDir, { recursive: true });

  const notify = () => {
    if (notifyScheduled) return;
    notifyScheduled = true;
    setImmediate(() => {
      notifyScheduled = false;
      for (const l of listeners) l();
    });
  };

  const scheduleConverge = (key: string) => {
    const e = entries.get(key);
    if (!e || e.scheduled) return;
    e.scheduled = true;
    setImmediate(() => {
      e.scheduled = false;
      if (entries.get(key) === e) converge(key, e);
    });
  };

  const converge = (key: string, e: Entry) => {
    const observed = [...e.replicas.values()].map((r) => ({ name: r.name, ordinal: r.ordinal, templateHash: r.templateHash, phase: r.phase(), ready: r.ready() }));
    const plan = planRollout(e.work.replicas, e.hash, observed);
    for (const name of plan.stop) {
      const r = e.replicas.get(name);
      if (!r) continue;
      e.replicas.delete(name);
      e.terminating.set(name, r);
      r.stop(o.stopGraceMs)
        .catch(() => undefined)
        .finally(() => {
          e.terminating.delete(name);
          notify();
        });
    }
    for (const ordinal of plan.start) {
      const r = createReplica(key, e, ordinal);
      e.replicas.set(r.name, r);
    }
    if (plan.stop.length || plan.start.length) notify();
  };

  const createReplica = (key: string, e: Entry, ordinal: number): Replica => {
    const w = e.work;
    const name = replicaName(w.workload.name, e.hash, ordinal);
    const sim = w.simulated || o.simulated;
    return startReplica({
      runtime: sim ? simulated : processes,
      spec: {
        cluster: o.cluster,
        workload: w.workload,
        replica: name,
        command: w.command,
        env: { ...o.env, ...w.env, TRUSTSTRAM_CLUSTER: o.cluster, TRUSTSTRAM_REPLICA: name, TRUSTSTRAM_WORKLOAD: key, TRUSTSTRAM_NAMESPACE: w.workload.namespace },
        cwd: o.cwd,
        ...(o.logDir ? { logFile: join(o.logDir, `${w.workload.namespace}_${name}.log`) } : {}),
        ...(w.healthCheck ? { healthPath: w.healthCheck.path } : {}),
        resources: w.resources,
      },
      ordinal,
      templateHash: e.hash,
      simulated: sim,
      ...(w.healthCheck ? { healthCheck: w.healthCheck } : {}),
      hasPorts: w.ports.length > 0,
      backoff: o.backoff,
      onChange: () => {
        scheduleConverge(key);
        notify();
      },
    });
  };

  const stopEntry = async (e: Entry) => {
    const all = [...e.replicas.values(), ...e.terminating.values()];
    e.replicas.clear();
    await Promise.all(all.map((r) => r.stop(o.stopGraceMs).catch(() => undefined)));
  };

  const workloadReport = (e: Entry, samples: ReturnType<typeof usage.sample>): WorkloadReport => {
    const reps = [...e.replicas.values(), ...e.terminating.values()].sort((a, b) => a.ordinal - b.ordinal || (a.name < b.name ? -1 : 1));
    const replicaStatus = reps.map((r) => {
      const rep = r.report();
      const u = samples.get(r);
      if (u) rep.usage = u;
      return rep;
    });
    const active = replicaStatus.filter((r) => r.phase !== ReplicaPhase.Terminating);
    const updated = active.filter((r) => r.templateHash === e.hash);
    const readyUpdated = updated.filter((r) => r.ready).length;
    return {
      workload: e.work.workload,
      generation: e.work.generation,
      templateHash: e.hash,
      desiredReplicas: e.work.replicas,
      replicas: active.length,
      readyReplicas: active.filter((r) => r.ready).length,
      updatedReplicas: updated.length,
      converged: readyUpdated === e.work.replicas && active.length === e.work.replicas && e.terminating.size === 0,
      replicaStatus,
    };
  };

  const driver: LocalDriver = {
    async apply(work) {
      if (closed) throw new Error(`local driver ${o.cluster} is closed`);
      const key = workloadKeyString(work.workload);
      const hash = templateHash(work);
      const e = entries.get(key);
      if (e) {
        if (e.hash === hash && e.work.replicas === work.replicas && e.work.generation === work.generation) return;
        e.work = work;
        e.hash = hash;
        scheduleConverge(key);
        notify();
        return;
      }
      const fresh: Entry = { work, hash, replicas: new Map(), terminating: new Map(), scheduled: false };
      entries.set(key, fresh);
      converge(key, fresh);
      notify();
    },
    async remove(workload) {
      const key = workloadKeyString(workload);
      const e = entries.get(key);
      if (!e) return;
      entries.delete(key);
      notify();
      await stopEntry(e);
      notify();
    },
    workloads: () => [...entries.values()].map((e) => e.work.workload),
    async status(): Promise<ClusterReport> {
      const all = [...entries.values()].flatMap((e) => [...e.replicas.values(), ...e.terminating.values()]);
      const samples = usage.sample(all);
      const workloads = [...entries.values()].map((e) => workloadReport(e, samples));
      const allocated: Resources = { cpu: 0, memory: 0, pods: 0 };
      for (const e of entries.values()) {
        allocated.cpu += e.work.resources.cpu * e.work.replicas;
        allocated.memory += e.work.resources.memory * e.work.replicas;
        allocated.pods += e.work.replicas;
      }
      const used: Resources = { cpu: 0, memory: 0, pods: 0 };
      for (const u of samples.values()) {
        used.cpu += u.cpu;
        used.memory += u.memory;
        used.pods++;
      }
      return { cluster: o.cluster, time: new Date().toISOString(), allocatable: o.allocatable, allocated, usage: used, workloads };
    },
    async endpoints(): Promise<Endpoint[]> {
      const out: Endpoint[] = [];
      for (const e of entries.values())
        for (const r of e.replicas.values()) {
          const rep = r.report();
          if (rep.endpoint) out.push({ workload: e.work.workload, cluster: o.cluster, replica: rep.name, address: rep.endpoint, ready: rep.ready });
        }
      return out;
    },
    async health(): Promise<DriverHealth> {
      return closed ? { ok: false, message: 'driver closed' } : { ok: true, message: `${entries.size} workloads` };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    crashReplica(workload, replica) {
      return entries.get(workloadKeyString(workload))?.replicas.get(replica)?.crash() ?? false;
    },
    setAllocatable(r) {
      o.allocatable = r;
    },
    killAllNow() {
      for (const e of entries.values()) for (const r of [...e.replicas.values(), ...e.terminating.values()]) r.killNow();
    },
    async close() {
      if (closed) return;
      closed = true;
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map(stopEntry));
      live.delete(driver);
      listeners.clear();
    },
  };
  live.add(driver);
  installExitHook();
  return driver;
}
