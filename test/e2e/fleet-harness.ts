// Helpers for the embedded-fleet end-to-end tests: a `truststram server` (and user-run
// `truststram agent`s) as child processes on a fixed port (a restarted server must come back
// where its surviving agents look for it), every process tagged with a marker variable that
// its descendants inherit, so the tests can find every agent and replica they caused on /proc,
// and small API readers for what a user would look at.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { BIN, ROOT, removeTempDirs } from './harness.js';

export const API = '/apis/truststram.io/v1alpha1';
/** Environment variable that tags every process a test starts (inherited by agents and replicas). */
export const MARK_VAR = 'TRUSTSTRAM_E2E_MARK';

const children = new Set<ChildProcess>();

/** A fresh marker for one test file's processes. */
export const newMark = (): string => `fleet-${randomUUID()}`;

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => done(p));
    });
    s.on('error', fail);
  });
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** Runs `truststram ARGS` as a tracked long-running child with the marker in its environment. */
export function runBin(args: string[], mark: string, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env, NO_COLOR: '1', [MARK_VAR]: mark }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.on('exit', (code, signal) => {
      children.delete(proc);
      r({ code, signal });
    }),
  );
  const gone = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    proc,
    pid: proc.pid!,
    output: () => out,
    exited,
    async stop(graceMs = 15_000) {
      if (!gone()) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
      return proc.exitCode;
    },
    async kill() {
      if (!gone()) proc.kill('SIGKILL');
      await exited;
    },
  };
}

export interface FleetServer extends Child {
  url: string;
}

/** Starts `truststram server --data-dir D --listen 127.0.0.1:PORT [...extra]` and waits until it listens. */
export async function startFleetServer(dataDir: string, port: number, mark: string, extra: string[] = []): Promise<FleetServer> {
  const c = runBin(['server', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, ...extra], mark);
  const url = `http://127.0.0.1:${port}`;
  const ok = await Promise.race([
    waitUntil(() => /listening on http/.test(c.output()), 20_000, 'server listening').then(() => true),
    c.exited.then(() => false),
  ]);
  if (!ok) throw new Error(`server exited before listening:\n${c.output()}`);
  return { ...c, url };
}

/** Kills every tracked child still running (afterAll). */
export async function killTracked(): Promise<void> {
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((r) => {
          if (c.exitCode !== null || c.signalCode !== null) return r();
          c.once('exit', () => r());
          c.kill('SIGKILL');
        }),
    ),
  );
  children.clear();
  await removeTempDirs();
}

/** True while `pid` is a live (not zombie) process. */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/PID/stat is the state; the comm field before it may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export interface MarkedProcess {
  pid: number;
  cmdline: string;
}

/** Every live process whose environment carries `mark` (the server, agents, replicas and their wrappers). */
export function markedProcesses(mark: string): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  const needle = `${MARK_VAR}=${mark}`;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    try {
      if (!readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(needle) || !alive(pid)) continue;
      found.push({ pid, cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      /* exited while we looked, or not ours to read */
    }
  }
  return found;
}

/** Marked agent and replica processes (`agent-main`, the agent CLI, `echo.mjs`). */
export function fleetProcesses(mark: string): MarkedProcess[] {
  return markedProcesses(mark).filter((p) => /agent-main|echo\.mjs| agent --cluster /.test(p.cmdline));
}

/** Polls `cond` every 50 ms until it returns a truthy value; throws naming `what` after `ms`. */
export async function waitUntil<T>(cond: () => T | Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await cond();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- what a user reads from the API ------------------------------------------------------------

export interface ReplicaView {
  name: string;
  phase: string;
  ready: boolean;
  restartCount: number;
  endpoint?: string;
  pid?: number;
  pgid?: number;
}
export interface ClusterView {
  metadata: { name: string };
  status?: {
    phase?: string;
    agent?: { pid: number; id: string } | null;
    workloads?: Record<string, { readyReplicas: number; replicas: number; generation: number; replicaStatus: ReplicaView[] }>;
  };
}
export interface WorkloadView {
  metadata: { name: string; namespace: string; generation: number };
  spec: { replicas: number };
  status?: {
    observedGeneration?: number;
    desiredReplicas?: number;
    readyReplicas?: number;
    replicas?: number;
    clusters?: { cluster: string; replicas: number; readyReplicas: number }[];
    conditions?: { type: string; status: string; reason: string; message: string }[];
  };
}
export interface PlacementView {
  spec: { clusters: { cluster: string; replicas: number }[]; unschedulable?: { reason: string } };
}
export interface EventView {
  spec: { reason: string; message: string; count: number; involvedObject: { kind: string; name: string } };
}

export async function getJson<T>(url: string, path: string): Promise<T> {
  const res = await fetch(url + path, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const getCluster = (url: string, name: string) => getJson<ClusterView>(url, `${API}/clusters/${name}`);
export const listClusters = async (url: string) => (await getJson<{ items: ClusterView[] }>(url, `${API}/clusters`)).items;
export const getWorkload = (url: string, ns: string, name: string) => getJson<WorkloadView>(url, `${API}/namespaces/${ns}/workloads/${name}`);
export const getPlacement = (url: string, ns: string, name: string) => getJson<PlacementView>(url, `${API}/namespaces/${ns}/placements/${name}`);
export const listEvents = async (url: string, ns: string) => (await getJson<{ items: EventView[] }>(url, `${API}/namespaces/${ns}/events`)).items;

/** Every replica of `ns/name` that the agents report, with the cluster reporting it. */
export async function replicasOf(url: string, ns: string, name: string): Promise<(ReplicaView & { cluster: string })[]> {
  const out: (ReplicaView & { cluster: string })[] = [];
  for (const c of await listClusters(url)) {
    if (c.status?.phase !== 'Ready') continue;
    for (const r of c.status.workloads?.[`${ns}/${name}`]?.replicaStatus ?? []) out.push({ ...r, cluster: c.metadata.name });
  }
  return out;
}

/** True when the workload's status says every desired replica is ready at its current generation. */
export function allReady(w: WorkloadView, replicas = w.spec.replicas): boolean {
  const s = w.status;
  return !!s && s.observedGeneration === w.metadata.generation && s.desiredReplicas === replicas && s.readyReplicas === replicas;
}

/** GETs a replica's endpoint; echo.mjs answers with its cluster and replica identity. */
export async function askReplica(endpoint: string): Promise<{ cluster: string; replica: string }> {
  const res = await fetch(`http://${endpoint}/`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`${endpoint}: HTTP ${res.status}`);
  return (await res.json()) as { cluster: string; replica: string };
}

/**
 * Kills (SIGKILL) every process still carrying the mark and returns what it found: anything
 * returned is an orphan the test must fail on, already cleaned up so a failure cannot leak.
 */
export function reapMarked(mark: string): MarkedProcess[] {
  const left = markedProcesses(mark);
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return left;
}

/** A small local Cluster (10 pods; 2 cores and 4Gi unless `capacity` says) at `cpuHour` USD per core-hour, as a YAML manifest. */
export const smallCluster = (name: string, provider: string, region: string, cpuHour: number, capacity: { cpu?: string; memory?: string } = {}): string => `apiVersion: truststram.io/v1alpha1
kind: Cluster
metadata: { name: ${name} }
spec:
  provider: ${provider}
  region: ${region}
  capacity: { cpu: "${capacity.cpu ?? '2'}", memory: ${capacity.memory ?? '4Gi'}, pods: 10 }
  pricing: { cpuHour: ${cpuHour}, memoryGiBHour: 0.001 }
  driver: { type: local }
`;

/** A Workload manifest whose replicas run `examples/apps/echo.mjs`; `placement` adds to the placement map. */
export function echoWorkload(ns: string, name: string, replicas: number, residency: string, placement = ''): string {
  return `apiVersion: truststram.io/v1alpha1
kind: Workload
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  image: registry.example/echo:1.0
  command: ["node", "examples/apps/echo.mjs"]
  replicas: ${replicas}
  resources: { cpu: 250m, memory: 128Mi }
  ports: [{ name: http, port: 8080 }]
  healthCheck: { path: /healthz, interval: 1s }
  placement: { residency: ${residency}${placement} }
`;
}
