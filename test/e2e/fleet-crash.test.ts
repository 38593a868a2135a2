// The embedded fleet across control-plane crashes (issue 4, "Must hold"): the server runs its
// own agents (managed local clusters). A managed agent killed with SIGKILL is restarted by the
// server; `kill -9` of the server leaves agents and replicas running, and a server restarted on
// the same data directory and port recovers its state and re-attaches the same agents with the
// same replica processes — no duplicates. A graceful stop then leaves no process behind.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, tempDir } from './harness.js';
import {
  alive,
  allReady,
  askReplica,
  fleetProcesses,
  freePort,
  getCluster,
  getPlacement,
  getWorkload,
  killTracked,
  listClusters,
  listEvents,
  markedProcesses,
  reapMarked,
  echoWorkload,
  newMark,
  replicasOf,
  startFleetServer,
  waitUntil,
  type FleetServer,
} from './fleet-harness.js';

const mark = newMark();
let dir: string;
let dataDir: string;
let port: number;
let server: FleetServer;

const cluster = (name: string, provider: string, region: string) => `apiVersion: truststram.io/v1alpha1
kind: Cluster
metadata:
  name: ${name}
spec:
  provider: ${provider}
  region: ${region}
  capacity: { cpu: "2", memory: 4Gi, pods: 8 }
  pricing: { cpuHour: 0.03, memoryGiBHour: 0.004 }
  driver: { type: local }
`;


const CLUSTERS = ['eu-a', 'eu-b', 'us-a'];
const echoes = () => fleetProcesses(mark).filter((p) => p.cmdline.startsWith('node examples/apps/echo.mjs'));
const agentProcs = () => fleetProcesses(mark).filter((p) => p.cmdline.includes('agent-main'));

async function fleetReady(url: string): Promise<boolean> {
  const cs = await listClusters(url);
  if (cs.length !== CLUSTERS.length || !cs.every((c) => c.status?.phase === 'Ready')) return false;
  return allReady(await getWorkload(url, 'shop', 'web')) && allReady(await getWorkload(url, 'shop', 'api'));
}

/** Replica pids per workload, as the agents report them. */
async function replicaPids(url: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of ['web', 'api']) for (const r of await replicasOf(url, 'shop', name)) out.push(`${name}/${r.cluster}/${r.name}/${r.pid}`);
  return out.sort();
}

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir('truststram-fleet-crash-');
  dataDir = join(dir, 'data');
  port = await freePort();
  server = await startFleetServer(dataDir, port, mark);
  const file = join(dir, 'fleet.yaml');
  await writeFile(file, [cluster('eu-a', 'aws', 'eu-west-1'), cluster('eu-b', 'gcp', 'europe-west3'), cluster('us-a', 'aws', 'us-east-1'), echoWorkload('shop', 'web', 3, 'eu', ', spread: { minProviders: 2 }'), echoWorkload('shop', 'api', 2, 'us')].join('---\n'));
  const t0 = Date.now();
  const r = await cli(['apply', '-f', file], { server: server.url });
  expect(r.code, r.stderr).toBe(0);
  await waitUntil(() => fleetReady(server.url), 30_000, 'the fleet ready');
  console.log(`apply → 5/5 replicas ready on 3 managed clusters in ${Date.now() - t0} ms`);
});

afterAll(async () => {
  await server?.stop();
  await killTracked();
  expect(reapMarked(mark)).toEqual([]);
});

describe('embedded fleet across crashes', () => {
  it('a managed agent killed with SIGKILL: cluster NotReady, workload Degraded inside its residency, then the server restarts the agent and it heals', async () => {
    const before = await getCluster(server.url, 'us-a');
    const oldPid = before.status!.agent!.pid;
    const reps = await replicasOf(server.url, 'shop', 'api');
    const t0 = Date.now();
    process.kill(oldPid, 'SIGKILL');
    await waitUntil(async () => (await getCluster(server.url, 'us-a')).status?.phase === 'NotReady', 10_000, 'us-a NotReady');
    console.log(`managed agent SIGKILL → us-a NotReady in ${Date.now() - t0} ms (default 500 ms heartbeat)`);
    await waitUntil(() => reps.every((r) => !alive(r.pid)), 5000, 'the dead agent\'s replicas gone');
    // The only US cluster is gone: the US workload is Degraded, never moved to the EU.
    const p = await getPlacement(server.url, 'shop', 'api');
    for (const e of p.spec.clusters) expect(e.cluster).toBe('us-a');
    const back = await waitUntil(async () => {
      const c = await getCluster(server.url, 'us-a');
      return c.status?.phase === 'Ready' && c.status.agent?.pid !== oldPid && alive(c.status.agent?.pid) ? c : undefined;
    }, 20_000, 'us-a back with a new agent');
    expect(back.status!.agent!.pid).not.toBe(oldPid);
    await waitUntil(async () => allReady(await getWorkload(server.url, 'shop', 'api')), 20_000, 'api ready again');
    for (const r of await replicasOf(server.url, 'shop', 'api')) expect(await askReplica(r.endpoint!)).toMatchObject({ cluster: 'us-a', replica: r.name });
    const reasons = (await listEvents(server.url, 'truststram-system')).filter((e) => e.spec.involvedObject.name === 'us-a').map((e) => e.spec.reason);
    expect(reasons).toEqual(expect.arrayContaining(['ClusterNotReady', 'ClusterReady']));
    expect(agentProcs()).toHaveLength(3);
  });

  it('kill -9 of the server and a restart on the same data dir and port: state recovered, agents re-attach, no duplicate replicas', async () => {
    const agentPids = Object.fromEntries((await listClusters(server.url)).map((c) => [c.metadata.name, c.status!.agent!.pid]));
    const pids = await replicaPids(server.url);
    expect(pids).toHaveLength(5);
    const processesBefore = echoes().map((p) => p.pid).sort();
    expect(processesBefore).toHaveLength(5);
    const webBefore = await getWorkload(server.url, 'shop', 'web');

    await server.kill();
    // Agents are detached from the server: they and their replicas keep serving.
    for (const pid of Object.values(agentPids)) expect(alive(pid)).toBe(true);
    for (const r of await Promise.all(pids.map((x) => x.split('/')))) expect(alive(Number(r[3]))).toBe(true);

    server = await startFleetServer(dataDir, port, mark);
    await waitUntil(() => fleetReady(server.url), 20_000, 'the recovered fleet ready');
    const webAfter = await getWorkload(server.url, 'shop', 'web');
    expect(webAfter.metadata.generation).toBe(webBefore.metadata.generation);
    expect(webAfter.spec).toEqual(webBefore.spec);

    // Past the control plane's adoption grace (3 s) it would have started duplicates by now.
    await new Promise((r) => setTimeout(r, 4000));
    expect(Object.fromEntries((await listClusters(server.url)).map((c) => [c.metadata.name, c.status!.agent!.pid]))).toEqual(agentPids);
    expect(agentProcs().map((p) => p.pid).sort()).toEqual(Object.values(agentPids).sort());
    expect(await replicaPids(server.url)).toEqual(pids);
    expect(echoes().map((p) => p.pid).sort()).toEqual(processesBefore);
    for (const name of ['web', 'api']) for (const r of await replicasOf(server.url, 'shop', name)) expect(await askReplica(r.endpoint!)).toMatchObject({ cluster: r.cluster, replica: r.name });
    expect(await fleetReady(server.url)).toBe(true);
  });

  it('a graceful stop of the restarted server stops the adopted agents and every replica: no orphan', async () => {
    expect(fleetProcesses(mark).length).toBeGreaterThan(0);
    expect(await server.stop()).toBe(0);
    await waitUntil(() => markedProcesses(mark).length === 0, 15_000, 'every agent and replica to exit').catch(() => undefined);
    expect(markedProcesses(mark)).toEqual([]);
  });
});
