// The agent manager — the local driver's "dispatch": for every Cluster declared with
// `driver.type: local` (and `driver.managed` not false) it keeps one agent process running,
// restarting it with backoff when it dies, adopting agents that survived a control-plane
// restart (their lease or their live pid says so) instead of starting duplicates, and stopping
// them all — replicas included — when the control plane stops. With auth on, each agent process
// gets its own in-memory credential (`system:agent:<cluster>`) through its environment.
import { readFileSync } from 'node:fs';
import type { StdioOptions } from 'node:child_process';
import type { Cluster } from '../api/index.js';
import type { ControllerSpec, Manager } from '../controllers/index.js';
import { startAgentProcess, type AgentProcess } from '../drivers/index.js';
import { agentIdentity, type InternalCredentials, type LeaseTable } from '../server/index.js';

export const AGENT_MANAGER = 'agents';
/** SIGTERM-to-SIGKILL grace for a survivor that cannot authenticate (its replicas stop first). */
const RETIRE_GRACE_MS = 10_000;

export interface AgentManagerOptions {
  manager: Manager;
  leases: LeaseTable;
  /** The API server the agents talk to. */
  serverUrl: () => string;
  heartbeatMs?: number;
  /** Force simulated replicas on every managed agent (scale tests). */
  simulated?: boolean;
  /** Working directory of replica processes (where `examples/apps/...` commands resolve). */
  cwd?: string;
  logDir?: string;
  stdio?: StdioOptions;
  /** Wait this long after start for surviving agents to re-attach before starting new ones. Default 3 s. */
  adoptGraceMs?: number;
  /**
   * With auth on: the server's internal credentials. Every agent process started gets a fresh
   * credential for `system:agent:<cluster>` (revoked when it exits), and agents left over from
   * an earlier control plane are replaced instead of adopted — their credential died with it.
   */
  credentials?: InternalCredentials;
  log?: (line: string) => void;
}

export interface AgentManager {
  spec: ControllerSpec;
  /** Clusters whose agent this manager runs or has adopted. */
  running(): string[];
  /** Keeps a cluster's agent down (chaos) until `allow` is called. */
  hold(cluster: string): void;
  allow(cluster: string): void;
  /** Kills a cluster's agent at once with SIGKILL (chaos: the cluster dies with its replicas). */
  kill(cluster: string): Promise<void>;
  /** Stops every agent gracefully (they stop their replicas first). */
  stopAll(): Promise<void>;
}

const isManaged = (c: Cluster | undefined) => !!c && (c.spec.driver?.type ?? 'local') === 'local' && c.spec.driver?.managed !== false;

/** True when `pid` is a live TrustStram agent process (checked on /proc, so a reused pid does not count). */
export function isAgentProcess(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('agent-main');
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

export function createAgentManager(o: AgentManagerOptions): AgentManager {
  const procs = new Map<string, AgentProcess>();
  const restarts = new Map<string, number>();
  const held = new Set<string>();
  /** Agents that survived an earlier control plane and that this one let run, with their pid then. */
  const adopted = new Map<string, number>();
  // From the first reconcile: a server elected leader long after it started gives surviving
  // agents the same grace to re-attach as a fresh start.
  let startedAt: number | undefined;
  const adoptGraceMs = o.adoptGraceMs ?? 3000;
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let stopping = false;

  const agentPidOf = (c: Cluster | undefined) => (c?.status as { agent?: { pid?: number } | null } | undefined)?.agent?.pid;

  const start = (name: string) => {
    const token = o.credentials?.issue(agentIdentity(name));
    const p = startAgentProcess(
      {
        cluster: name,
        server: o.serverUrl(),
        ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
        ...(o.simulated !== undefined ? { simulated: o.simulated } : {}),
        ...(o.cwd ? { cwd: o.cwd } : {}),
        ...(o.logDir ? { logDir: o.logDir } : {}),
        // A control plane gone for good must not leave replicas running behind it.
        exitAfterDisconnectMs: 60_000,
      },
      { stdio: o.stdio ?? 'inherit', detached: true, ...(token ? { token } : {}) },
    );
    procs.set(name, p);
    void p.exited.then(({ code, signal }) => {
      if (procs.get(name) !== p) return;
      procs.delete(name);
      o.credentials?.revoke(agentIdentity(name));
      if (stopping) return;
      if (!held.has(name)) log(`agent for cluster ${name} exited (${signal ?? `code ${code}`}); restarting`);
      o.manager.enqueue(AGENT_MANAGER, name);
    });
  };

  // Survivors being stopped: when each got SIGTERM (SIGKILL follows after RETIRE_GRACE_MS).
  const retiring = new Map<number, number>();
  const retire = (name: string, pid: number, why: string) => {
    const since = retiring.get(pid);
    if (since === undefined) {
      log(`agent ${pid} for cluster ${name} outlived an earlier control plane and ${why}: stopping it`);
      retiring.set(pid, Date.now());
      signal(pid, 'SIGTERM');
    } else if (Date.now() - since > RETIRE_GRACE_MS) signal(pid, 'SIGKILL');
  };

  const spec: ControllerSpec = {
    watches: [{ kind: 'Cluster', keys: (_t, c) => [c.metadata.name] }],
    reconciler: {
      name: AGENT_MANAGER,
      async reconcile(name) {
        if (stopping) return;
        startedAt ??= Date.now();
        const c = o.manager.informer('Cluster').get(`Cluster/${name}`) as Cluster | undefined;
        const want = isManaged(c) && !held.has(name);
        const proc = procs.get(name);
        if (!want) {
          if (proc) await proc.stop();
          return;
        }
        if (proc) return;
        // Someone runs this cluster already: an agent that survived a control-plane restart.
        if (o.leases.isLive(name)) {
          const pid = agentPidOf(c);
          if (isAgentProcess(pid)) adopted.set(name, pid!);
          return { requeueAfterMs: 2000 };
        }
        const survivor = agentPidOf(c);
        if (o.credentials && isAgentProcess(survivor)) {
          // With auth on, a survivor's credential died with the control plane that started it:
          // it can never report again, so it is stopped (its replicas with it), then replaced.
          retire(name, survivor!, 'cannot authenticate');
          return { requeueAfterMs: 200 };
        }
        if (Date.now() - startedAt < adoptGraceMs && isAgentProcess(survivor)) return { requeueAfterMs: adoptGraceMs };
        if (isAgentProcess(survivor)) {
          // The grace is over and it has not renewed here: it reports to a server that is gone
          // (a leader that died, on a store several servers share). Replaced, not left behind.
          retire(name, survivor!, 'did not re-attach within the grace');
          return { requeueAfterMs: 200 };
        }
        const n = restarts.get(name) ?? 0;
        restarts.set(name, n + 1);
        start(name);
        // Reset the backoff once an agent has stayed up for a while.
        setTimeout(() => procs.has(name) && restarts.set(name, 0), 10_000).unref();
        return undefined;
      },
    },
    queue: { baseDelayMs: 200, maxDelayMs: 10_000 },
  };

  return {
    spec,
    running: () => [...procs.keys()].sort(),
    hold: (name) => void held.add(name),
    allow(name) {
      held.delete(name);
      o.manager.enqueue(AGENT_MANAGER, name);
    },
    async kill(name) {
      const p = procs.get(name);
      const c = o.manager.informer('Cluster').get(`Cluster/${name}`) as Cluster | undefined;
      if (p) {
        p.child.kill('SIGKILL');
        await p.exited;
      } else {
        const pid = agentPidOf(c);
        if (isAgentProcess(pid)) process.kill(pid!, 'SIGKILL');
      }
    },
    async stopAll() {
      stopping = true;
      await Promise.all([...procs.values()].map((p) => p.stop(10_000)));
      // Adopted agents are not our children: stop them through the pid they had when adopted.
      // Only those: the pid a Cluster's status names now may be another server's agent (a
      // deposed leader stopping must never take the new leader's agents down with it).
      for (const c of o.manager.informer('Cluster').list() as Cluster[]) {
        const pid = agentPidOf(c);
        // Agents of unmanaged clusters are someone else's (`truststram agent` run by hand).
        if (!isManaged(c) || procs.has(c.metadata.name) || !isAgentProcess(pid) || adopted.get(c.metadata.name) !== pid) continue;
        try {
          process.kill(pid!, 'SIGTERM');
        } catch {
          /* already gone */
        }
        for (let i = 0; i < 100 && isAgentProcess(pid); i++) await new Promise((r) => setTimeout(r, 100));
        try {
          if (isAgentProcess(pid)) process.kill(pid!, 'SIGKILL');
        } catch {
          /* exited meanwhile */
        }
      }
    },
  };
}
