// The embedded fleet end to end (issue 4, "Must hold"): a real `truststram server` and four
// user-run `truststram agent`s (two EU clusters, two US) whose replicas are real
// `node examples/apps/echo.mjs` processes. Everything is judged the way a user sees it — the
// API's Workload, Placement, Cluster and Event objects, the replicas' own HTTP answers and the
// process table — and every process the file starts is gone at the end.
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
  listEvents,
  markedProcesses,
  echoWorkload,
  newMark,
  replicasOf,
  runBin,
  startFleetServer,
  waitUntil,
  type Child,
  type FleetServer,
} from './fleet-harness.js';

const HEARTBEAT_MS = 200;
const mark = newMark();
let dir: string;
let server: FleetServer;
const agents = new Map<string, Child>();

function clusterDoc(name: string, provider: string, region: string, cpuHour: number): string {
  return `apiVersion: truststram.io/v1alpha1
kind: Cluster
metadata:
  name: ${name}
spec:
  provider: ${provider}
  region: ${region}
  capacity: { cpu: "2", memory: 4Gi, pods: 8 }
  pricing: { cpuHour: ${cpuHour}, memoryGiBHour: 0.004 }
  driver: { type: local, managed: false }
`;
}


const CLUSTERS = [clusterDoc('eu-a', 'aws', 'eu-west-1', 0.03), clusterDoc('eu-b', 'gcp', 'europe-west3', 0.04), clusterDoc('us-a', 'aws', 'us-east-1', 0.01), clusterDoc('us-b', 'azure', 'eastus', 0.02)];
const EU = new Set(['eu-a', 'eu-b']);

async function apply(...documents: string[]): Promise<void> {
  const file = join(dir, `apply-${Date.now()}.yaml`);
  await writeFile(file, documents.join('---\n'));
  const r = await cli(['apply', '-f', file], { server: server.url });
  expect(r.code, r.stderr).toBe(0);
}

function startAgent(cluster: string): Child {
  const a = runBin(['agent', '--cluster', cluster, '--server', server.url, '--heartbeat', String(HEARTBEAT_MS)], mark);
  agents.set(cluster, a);
  return a;
}

/** Waits until `ns/name` has `replicas` ready replicas, all answering HTTP with their own identity. */
async function expectServing(ns: string, name: string, replicas: number, ms = 20_000) {
  await waitUntil(async () => allReady(await getWorkload(server.url, ns, name), replicas), ms, `${ns}/${name} ${replicas}/${replicas} ready`);
  const placement = await getPlacement(server.url, ns, name);
  const reps = (await replicasOf(server.url, ns, name)).filter((r) => r.ready);
  expect(reps).toHaveLength(replicas);
  // Every replica runs where the Placement put it, and the agents run nothing more.
  const perCluster = new Map<string, number>();
  for (const r of reps) perCluster.set(r.cluster, (perCluster.get(r.cluster) ?? 0) + 1);
  expect(Object.fromEntries(perCluster)).toEqual(Object.fromEntries(placement.spec.clusters.filter((e) => e.replicas > 0).map((e) => [e.cluster, e.replicas])));
  for (const r of reps) {
    expect(r.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await askReplica(r.endpoint!)).toMatchObject({ cluster: r.cluster, replica: r.name });
    expect(alive(r.pid)).toBe(true);
  }
  return { placement, replicas: reps };
}

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir('truststram-fleet-');
  server = await startFleetServer(join(dir, 'data'), await freePort(), mark);
  await apply(...CLUSTERS);
  for (const c of ['eu-a', 'eu-b', 'us-a', 'us-b']) startAgent(c);
  await waitUntil(async () => (await Promise.all([...agents.keys()].map((c) => getCluster(server.url, c)))).every((c) => c.status?.phase === 'Ready'), 20_000, 'four Ready clusters');
});

afterAll(async () => {
  // Graceful stops first (agents stop their replicas), then whatever is left is killed.
  await Promise.all([...agents.values()].map((a) => a.stop()));
  await server?.stop();
  await killTracked();
  const left = await waitUntil(() => markedProcesses(mark).length === 0, 10_000, 'no process left').catch(() => false);
  expect(left ? [] : markedProcesses(mark)).toEqual([]);
});

describe('embedded fleet: real replicas converge and heal', () => {
  it('apply → every replica ready on its placed cluster, answering with its cluster and replica identity', async () => {
    await apply(echoWorkload('shop', 'web', 2, 'eu'), echoWorkload('shop', 'api', 2, 'us'));
    const web = await expectServing('shop', 'web', 2);
    const api = await expectServing('shop', 'api', 2);
    for (const e of web.placement.spec.clusters) expect(EU.has(e.cluster)).toBe(true);
    for (const e of api.placement.spec.clusters) expect(EU.has(e.cluster)).toBe(false);
    const w = await getWorkload(server.url, 'shop', 'web');
    expect(w.status?.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
    const get = await cli(['get', 'workloads', '-n', 'shop'], { server: server.url });
    expect(get.stdout).toMatch(/^web\s+2\s+2\s+eu/m);
  });

  it('scale up and down → converges in status and in real processes', async () => {
    const before = await replicasOf(server.url, 'shop', 'web');
    await apply(echoWorkload('shop', 'web', 5, 'eu'));
    const up = await expectServing('shop', 'web', 5);
    // Scaling up keeps the replicas that ran.
    for (const r of before) expect(up.replicas.some((x) => x.pid === r.pid)).toBe(true);
    expect(fleetProcesses(mark).filter((p) => p.cmdline.startsWith('node examples/apps/echo.mjs')).length).toBe(7);

    await apply(echoWorkload('shop', 'web', 1, 'eu'));
    const down = await expectServing('shop', 'web', 1);
    const gone = up.replicas.filter((r) => r.pid !== down.replicas[0]!.pid);
    await waitUntil(() => gone.every((r) => !alive(r.pid) && !alive(r.pgid)), 10_000, 'scaled-down replica processes to exit');
    expect(fleetProcesses(mark).filter((p) => p.cmdline.startsWith('node examples/apps/echo.mjs')).length).toBe(3);

    await apply(echoWorkload('shop', 'web', 2, 'eu'));
    await expectServing('shop', 'web', 2);
  });

  it('a replica killed with SIGKILL is restarted (restartCount up) and a ReplicaRestarted/BackOff Event is recorded', async () => {
    const [victim] = await replicasOf(server.url, 'shop', 'api');
    process.kill(victim!.pid!, 'SIGKILL');
    const again = await waitUntil(
      async () => (await replicasOf(server.url, 'shop', 'api')).find((r) => r.name === victim!.name && r.restartCount > victim!.restartCount && r.ready && r.pid !== victim!.pid),
      15_000,
      `replica ${victim!.name} restarted`,
    );
    expect(await askReplica(again.endpoint!)).toMatchObject({ cluster: victim!.cluster, replica: victim!.name });
    const ev = await waitUntil(async () => (await listEvents(server.url, 'shop')).find((e) => ['ReplicaRestarted', 'BackOff'].includes(e.spec.reason) && e.spec.message.includes(victim!.name)), 10_000, 'a restart Event');
    expect(ev.spec.involvedObject).toMatchObject({ kind: 'Workload', name: 'api' });
    await expectServing('shop', 'api', 2);
    const described = await cli(['describe', 'workload', 'api', '-n', 'shop'], { server: server.url });
    expect(described.stdout).toMatch(/ReplicaRestarted|BackOff/);
  });

  it('a replica that cannot start: the restart Event quotes the error line of its output', async () => {
    await apply(echoWorkload('shop', 'broken', 1, 'us').replace('examples/apps/echo.mjs', 'examples/apps/no-such-app.mjs'));
    const ev = await waitUntil(async () => (await listEvents(server.url, 'shop')).find((e) => e.spec.involvedObject.name === 'broken' && ['ReplicaRestarted', 'BackOff'].includes(e.spec.reason)), 15_000, 'a restart Event for the broken workload');
    // Not the last line (Node's version footer) but the one that says why.
    expect(ev.spec.message).toMatch(/exited code 1 \(Error\): Error: Cannot find module '.*no-such-app\.mjs'/);
    const deleted = await cli(['delete', 'workload', 'broken', '-n', 'shop'], { server: server.url });
    expect(deleted.code).toBe(0);
  });

  it('an agent killed with SIGKILL → its cluster goes NotReady, its replicas move inside the residency; EU capacity gone → Degraded, never placed in the US', async () => {
    // Watch every placement the EU workload ever gets while clusters die.
    const seen = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const p = await getPlacement(server.url, 'shop', 'web').catch(() => undefined);
        for (const e of p?.spec.clusters ?? []) if (e.replicas > 0) seen.add(e.cluster);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      const web = await replicasOf(server.url, 'shop', 'web');
      const first = web[0]!.cluster;
      const other = first === 'eu-a' ? 'eu-b' : 'eu-a';
      const agentPid = (await getCluster(server.url, first)).status!.agent!.pid;
      expect(agentPid).toBe(agents.get(first)!.pid);
      const t0 = Date.now();
      process.kill(agentPid, 'SIGKILL');
      await waitUntil(async () => (await getCluster(server.url, first)).status?.phase === 'NotReady', 10_000, `${first} NotReady`);
      const detectMs = Date.now() - t0;
      console.log(`agent SIGKILL → ${first} NotReady in ${detectMs} ms (heartbeat ${HEARTBEAT_MS} ms)`);
      // The agent's replicas died with it: no orphan.
      await waitUntil(() => web.filter((r) => r.cluster === first).every((r) => !alive(r.pid)), 5000, `replicas of ${first} gone`);

      const moved = await expectServing('shop', 'web', 2);
      expect(moved.placement.spec.clusters.filter((e) => e.replicas > 0).map((e) => e.cluster)).toEqual([other]);
      expect((await listEvents(server.url, 'shop')).some((e) => e.spec.reason === 'FailedOver' && e.spec.message.includes(first))).toBe(true);

      // The last EU cluster dies too: nowhere inside the EU is left, and the US is not an option.
      process.kill((await getCluster(server.url, other)).status!.agent!.pid, 'SIGKILL');
      const degraded = await waitUntil(
        async () => {
          const w = await getWorkload(server.url, 'shop', 'web');
          return w.status?.conditions?.find((c) => c.type === 'Degraded' && c.status === 'True') && (w.status.readyReplicas ?? 0) === 0 ? w : undefined;
        },
        15_000,
        'web Degraded with no ready replica',
      );
      expect(degraded.status!.conditions!.find((c) => c.type === 'Available')!.status).toBe('False');
      await waitUntil(async () => (await listEvents(server.url, 'shop')).some((e) => ['Degraded', 'FailedScheduling'].includes(e.spec.reason) && e.spec.involvedObject.name === 'web'), 10_000, 'a Degraded event');
      // Give the controllers time to (wrongly) move it across the boundary.
      await new Promise((r) => setTimeout(r, 1500));
      expect((await replicasOf(server.url, 'shop', 'web')).length).toBe(0);
      // The US workload never noticed.
      await expectServing('shop', 'api', 2);

      // Capacity comes back inside the EU: the workload heals there.
      startAgent(first);
      await expectServing('shop', 'web', 2, 25_000);
      const healed = await getWorkload(server.url, 'shop', 'web');
      expect(healed.status!.conditions!.find((c) => c.type === 'Degraded')!.status).toBe('False');
    } finally {
      watching = false;
      await watcher;
    }
    expect([...seen].filter((c) => !EU.has(c))).toEqual([]);
  });

  it('delete → the workload\'s replica processes are gone', async () => {
    const reps = await replicasOf(server.url, 'shop', 'api');
    expect(reps.length).toBe(2);
    const r = await cli(['delete', 'workload', 'api', '-n', 'shop'], { server: server.url });
    expect(r.code, r.stderr).toBe(0);
    await waitUntil(() => reps.every((x) => !alive(x.pid) && !alive(x.pgid)), 10_000, 'deleted replicas to exit');
    await waitUntil(async () => (await replicasOf(server.url, 'shop', 'api')).length === 0, 10_000, 'agents to report nothing for shop/api');
    expect(fleetProcesses(mark).filter((p) => p.cmdline.startsWith('node examples/apps/echo.mjs')).length).toBe(2);
  });
});
