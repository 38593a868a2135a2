// The agent against the real API server (src/server, SQLite in a temp dir): registration and
// heartbeats, work derived from Placements, convergence, server restart without duplicate
// replicas, and agent death (SIGTERM and SIGKILL) taking every replica with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.js';
import { processAlive } from '../driver.conformance.js';
import { runAgent, type RunningAgent } from './agent.js';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import type { PublishedWorkload } from './agent-report.js';
import { ECHO_APP } from './testing/echo-app-path.js';

const API = '/apis/truststram.io/v1alpha1';
let dataDir: string;
let server: RunningServer | undefined;
const agents: RunningAgent[] = [];
const children: AgentProcess[] = [];
const pidsSeen = new Set<number>();

async function api<T = any>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(server!.url + path, { method, headers: { 'content-type': contentType }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

const clusterObj = (name: string) => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name },
  spec: { provider: 'aws', region: 'eu-west-1', capacity: { cpu: '8', memory: '16Gi', pods: 50 }, driver: { type: 'local', managed: false } },
});

const workloadObj = (name: string) => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Workload',
  metadata: { name, namespace: 'team-a' },
  spec: {
    image: 'echo',
    command: [process.execPath, ECHO_APP],
    replicas: 2,
    resources: { cpu: '100m', memory: '64Mi' },
    ports: [{ port: 8080 }],
    healthCheck: { path: '/healthz', interval: '200ms' },
  },
});

const placementObj = (name: string, clusters: { cluster: string; replicas: number }[]) => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Placement',
  metadata: { name, namespace: 'team-a' },
  spec: { workload: name, generation: 1, clusters, costPerHour: 0 },
});

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const clusterStatus = async (name: string) => (await api<{ status?: any }>('GET', `${API}/clusters/${name}`)).status ?? {};
const published = async (cluster: string, key: string): Promise<PublishedWorkload | undefined> => (await clusterStatus(cluster)).workloads?.[key];
const readyWith = (cluster: string, key: string, n: number) => async () => {
  const w = await published(cluster, key);
  if (!w || !w.converged || w.readyReplicas !== n) return undefined;
  for (const r of w.replicaStatus) if (r.pid) pidsSeen.add(r.pid);
  return w;
};

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'truststram-agent-'));
  server = await startServer({ dataDir, listen: '127.0.0.1:0', log: () => undefined, processMetrics: false });
});

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  for (const c of children.splice(0)) c.child.kill('SIGKILL');
  await server?.close();
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && [...pidsSeen].some(processAlive)) await new Promise((r) => setTimeout(r, 50));
  expect([...pidsSeen].filter(processAlive)).toEqual([]);
  pidsSeen.clear();
});

describe('agent', () => {
  it('registers, heartbeats, runs its share of each placement and follows changes', async () => {
    await api('POST', `${API}/clusters`, clusterObj('local-a'));
    const agent = runAgent({ cluster: 'local-a', server: server!.url, heartbeatMs: 200, stopGraceMs: 1000, log: () => undefined });
    agents.push(agent);
    await agent.registered;
    const s1 = await clusterStatus('local-a');
    expect(s1.agent.pid).toBe(process.pid);
    expect(s1.allocatable).toEqual({ cpu: 8, memory: 16 * 2 ** 30, pods: 50 });
    // Liveness is the lease, renewed every heartbeat; an idle agent does not rewrite its status.
    const lease1 = server!.leases.get('local-a')!;
    expect(lease1.holder).toBe(s1.agent.id);
    await until('a renewed lease', async () => (server!.leases.get('local-a')!.renewTime > lease1.renewTime ? true : undefined));
    const rv = (await api('GET', `${API}/clusters/local-a`)).metadata.resourceVersion;
    await new Promise((r) => setTimeout(r, 800));
    expect((await api('GET', `${API}/clusters/local-a`)).metadata.resourceVersion).toBe(rv);

    await api('POST', `${API}/namespaces/team-a/workloads`, workloadObj('echo'));
    await api('POST', `${API}/namespaces/team-a/placements`, placementObj('echo', [{ cluster: 'local-a', replicas: 2 }, { cluster: 'elsewhere', replicas: 5 }]));
    const w = await until('2 ready replicas reported', readyWith('local-a', 'team-a/echo', 2));
    expect(w.replicaStatus).toHaveLength(2);
    for (const r of w.replicaStatus) {
      const body = (await (await fetch(`http://${r.endpoint}/`)).json()) as { cluster: string; replica: string };
      expect(body).toMatchObject({ cluster: 'local-a', replica: r.name });
    }
    expect((await clusterStatus('local-a')).allocated).toEqual({ cpu: 0.2, memory: 128 * 2 ** 20, pods: 2 });

    await api('PATCH', `${API}/namespaces/team-a/placements/echo`, { spec: { clusters: [{ cluster: 'local-a', replicas: 1 }] } }, 'application/merge-patch+json');
    const one = await until('scaled to 1', readyWith('local-a', 'team-a/echo', 1));
    expect(one.replicaStatus.map((r) => r.name)).toEqual([w.replicaStatus[0]!.name]);

    await api('DELETE', `${API}/namespaces/team-a/placements/echo`);
    await until('workload gone from the status', async () => ((await published('local-a', 'team-a/echo')) === undefined ? true : undefined));
    await until('replica processes gone', async () => (w.replicaStatus.every((r) => !processAlive(r.pid!)) ? true : undefined));

    await agent.stop();
    const final = await clusterStatus('local-a');
    expect(final.phase).toBe('NotReady');
    expect(final.workloads).toEqual({});
    expect(server!.leases.get('local-a')).toBeUndefined();
  });

  it('keeps replicas running while the server is down and re-attaches without duplicates', async () => {
    await api('POST', `${API}/clusters`, clusterObj('local-b'));
    await api('POST', `${API}/namespaces/team-a/workloads`, workloadObj('steady'));
    await api('POST', `${API}/namespaces/team-a/placements`, placementObj('steady', [{ cluster: 'local-b', replicas: 2 }]));
    const agent = runAgent({ cluster: 'local-b', server: server!.url, heartbeatMs: 200, retryMaxMs: 300, stopGraceMs: 1000, log: () => undefined });
    agents.push(agent);
    const before = await until('2 ready', readyWith('local-b', 'team-a/steady', 2));
    const pids = before.replicaStatus.map((r) => r.pid!).sort();

    const port = server!.port;
    await server!.close();
    server = undefined;
    await until('agent notices the outage', async () => (agent.connected() ? undefined : true));
    expect(pids.every(processAlive)).toBe(true);

    server = await startServer({ dataDir, listen: `127.0.0.1:${port}`, log: () => undefined, processMetrics: false });
    await until('agent re-attached', async () => (agent.connected() ? true : undefined));
    const after = await until('still 2 ready', readyWith('local-b', 'team-a/steady', 2));
    expect(after.replicaStatus.map((r) => r.pid!).sort()).toEqual(pids);
    expect(after.replicaStatus.every((r) => r.restartCount === 0)).toBe(true);

    // Changes made while it was away are picked up after the re-list.
    await api('DELETE', `${API}/namespaces/team-a/placements/steady`);
    await until('removed after restart', async () => ((await published('local-b', 'team-a/steady')) === undefined ? true : undefined));
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`takes every replica down when the agent process gets ${signal}`, async () => {
      await api('POST', `${API}/clusters`, clusterObj('local-c'));
      await api('POST', `${API}/namespaces/team-a/workloads`, workloadObj('doomed'));
      await api('POST', `${API}/namespaces/team-a/placements`, placementObj('doomed', [{ cluster: 'local-c', replicas: 3 }]));
      const agent = startAgentProcess({ cluster: 'local-c', server: server!.url, heartbeatMs: 200, stopGraceMs: 1000 }, { stdio: 'ignore' });
      children.push(agent);
      const w = await until('3 ready', readyWith('local-c', 'team-a/doomed', 3));
      const pids = w.replicaStatus.map((r) => r.pid!);
      expect(w.replicaStatus.every((r) => r.pgid && processAlive(r.pgid))).toBe(true);
      expect((await clusterStatus('local-c')).agent.pid).toBe(agent.pid);
      agent.child.kill(signal);
      await agent.exited;
      await until('every replica gone', async () => (pids.some(processAlive) ? undefined : true), 10_000);
      if (signal === 'SIGTERM') expect((await clusterStatus('local-c')).phase).toBe('NotReady');
    });
  }

  it('never runs a cluster twice: a second agent waits until the first one is gone', async () => {
    await api('POST', `${API}/clusters`, clusterObj('local-d'));
    await api('POST', `${API}/namespaces/team-a/workloads`, workloadObj('single'));
    await api('POST', `${API}/namespaces/team-a/placements`, placementObj('single', [{ cluster: 'local-d', replicas: 2 }]));
    const first = runAgent({ cluster: 'local-d', server: server!.url, heartbeatMs: 200, stopGraceMs: 1000, log: () => undefined });
    agents.push(first);
    await until('first agent runs 2', readyWith('local-d', 'team-a/single', 2));
    const second = runAgent({ cluster: 'local-d', server: server!.url, heartbeatMs: 200, retryMaxMs: 200, stopGraceMs: 1000, log: () => undefined });
    agents.push(second);
    await new Promise((r) => setTimeout(r, 1000));
    expect(second.connected()).toBe(false);
    expect(second.driver.workloads()).toEqual([]);
    await first.stop();
    await until('second agent took over', async () => (second.connected() ? true : undefined));
    const w = await until('second agent runs 2', readyWith('local-d', 'team-a/single', 2));
    expect(w.replicaStatus).toHaveLength(2);
  });

  it('waits for an undeclared Cluster, saying so once, without taking the reachable server for gone', async () => {
    const lines: string[] = [];
    let exitReason: string | undefined;
    const agent = runAgent({ cluster: 'local-later', server: server!.url, heartbeatMs: 100, retryMaxMs: 100, exitAfterDisconnectMs: 300, onExit: (r) => (exitReason = r), log: (l) => lines.push(l) });
    agents.push(agent);
    await new Promise((r) => setTimeout(r, 1200));
    expect(exitReason).toBeUndefined();
    expect(lines.filter((l) => l.includes('the server has no Cluster local-later: waiting until it is declared'))).toHaveLength(1);
    expect(lines.some((l) => /cannot report|unreachable/.test(l))).toBe(false);
    await api('POST', `${API}/clusters`, clusterObj('local-later'));
    await until('connected', async () => (lines.includes('Cluster local-later is declared: connected to the server') ? true : undefined)).catch((e: unknown) => { throw new Error(`${String(e)}; log: ${JSON.stringify(lines)}`); });
  });

  it('stops its replicas when the server stays away longer than exitAfterDisconnectMs', async () => {
    await api('POST', `${API}/clusters`, clusterObj('local-e'));
    await api('POST', `${API}/namespaces/team-a/workloads`, workloadObj('lonely'));
    await api('POST', `${API}/namespaces/team-a/placements`, placementObj('lonely', [{ cluster: 'local-e', replicas: 1 }]));
    let exitReason: string | undefined;
    const agent = runAgent({
      cluster: 'local-e',
      server: server!.url,
      heartbeatMs: 200,
      retryMaxMs: 200,
      stopGraceMs: 1000,
      exitAfterDisconnectMs: 600,
      onExit: (r) => (exitReason = r),
      log: () => undefined,
    });
    agents.push(agent);
    const w = await until('1 ready', readyWith('local-e', 'team-a/lonely', 1));
    await server!.close();
    server = undefined;
    await until('agent gave up', async () => exitReason);
    expect(exitReason).toBe('disconnected');
    expect(processAlive(w.replicaStatus[0]!.pid!)).toBe(false);
  });
});
