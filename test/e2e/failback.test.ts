// Failback end to end: a real `truststram server --failback-after 3s --allow-chaos` with its
// managed agents and real replica processes. A workload placed on the cheapest cluster of its
// residency fails over when that cluster is failed, and fails back only after the cluster has
// been Ready for the (shortened) window; a cluster that flaps inside the window gets nothing back.
// The two scenarios run side by side, on two residencies of one fleet, to keep the file short.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, tempDir } from './harness.js';
import { allReady, echoWorkload, freePort, getCluster, getPlacement, getWorkload, killTracked, listEvents, markedProcesses, newMark, smallCluster as cluster, startFleetServer, waitUntil, type FleetServer } from './fleet-harness.js';

const WINDOW_MS = 3000;
const NS = 'shop';
const mark = newMark();
let dir: string;
let server: FleetServer;

// The US clusters are the cheapest of all: the EU workload must still never go there.
const FLEET = [
  cluster('eu-cheap', 'aws', 'eu-west-1', 0.01),
  cluster('eu-dear', 'gcp', 'europe-west3', 0.04),
  cluster('us-cheap', 'aws', 'us-east-1', 0.005),
  cluster('us-dear', 'azure', 'eastus', 0.03),
];
const RESIDENCY: Record<string, Set<string>> = { 'web-eu': new Set(['eu-cheap', 'eu-dear']), 'web-us': new Set(['us-cheap', 'us-dear']) };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const splitOf = async (name: string) => (await getPlacement(server.url, NS, name)).spec.clusters.filter((e) => e.replicas > 0).map((e) => e.cluster).sort();
const phaseOf = async (name: string) => (await getCluster(server.url, name)).status?.phase;
const readyOn = async (name: string, clusters: string[]) => JSON.stringify(await splitOf(name)) === JSON.stringify(clusters) && allReady(await getWorkload(server.url, NS, name));
const reasonsFor = async (name: string) => (await listEvents(server.url, NS)).filter((e) => e.spec.involvedObject.name === name).map((e) => e.spec.reason);

async function chaos(action: 'fail' | 'restore', name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/v1alpha1/chaos/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'cluster', name }) });
  expect(res.status, await res.clone().text()).toBe(200);
  await res.body?.cancel();
}

/** Samples a workload's placement every 100 ms: every split it had, with the time it was seen. */
function sample(name: string): { seen: { at: number; clusters: string[] }[]; stop: () => Promise<void> } {
  const seen: { at: number; clusters: string[] }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      seen.push({ at: Date.now(), clusters: await splitOf(name).catch(() => []) });
      await sleep(100);
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir('truststram-failback-');
  server = await startFleetServer(join(dir, 'data'), await freePort(), mark, ['--allow-chaos', '--no-gateway', '--failback-after', `${WINDOW_MS / 1000}s`]);
  const file = join(dir, 'fleet.yaml');
  await writeFile(file, [...FLEET, echoWorkload(NS, 'web-eu', 2, 'eu'), echoWorkload(NS, 'web-us', 2, 'us')].join('---\n'));
  const r = await cli(['apply', '-f', file], { server: server.url });
  expect(r.code, r.stderr).toBe(0);
  await waitUntil(async () => (await readyOn('web-eu', ['eu-cheap'])) && (await readyOn('web-us', ['us-cheap'])), 30_000, 'both workloads ready on the cheapest cluster of their residency');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await killTracked();
  const left = await waitUntil(() => markedProcesses(mark).length === 0, 10_000, 'no process left').catch(() => false);
  expect(left ? [] : markedProcesses(mark)).toEqual([]);
});

describe('server --failback-after', () => {
  it('refuses a window that is not a positive duration', async () => {
    const r = await cli(['server', '--failback-after', '0s', '--data-dir', join(dir, 'never')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: invalid --failback-after "0s": expected a positive duration such as 5s, 30s or 2m\n');
  });
});

describe.concurrent('failback on a real fleet', () => {
  it('fails over inside residency, then back to the cheaper cluster once it has been Ready for the window', async () => {
    const s = sample('web-eu');
    try {
      await chaos('fail', 'eu-cheap');
      await waitUntil(() => readyOn('web-eu', ['eu-dear']), 20_000, 'web-eu failed over to eu-dear and ready');
      await chaos('restore', 'eu-cheap');
      await waitUntil(async () => (await phaseOf('eu-cheap')) === 'Ready', 15_000, 'eu-cheap Ready again');
      const readyAt = Date.now();
      await waitUntil(() => readyOn('web-eu', ['eu-cheap']), 20_000, 'web-eu failed back to eu-cheap and ready');
      await s.stop();
      // Hysteresis: nothing moved back before the cluster had been Ready for the window
      // (sampling and the Ready report each lag by a fraction of a second).
      const failedOver = s.seen.findIndex((x) => x.clusters.join() === 'eu-dear');
      const firstBack = s.seen.slice(failedOver).find((x) => x.clusters.includes('eu-cheap'));
      expect(firstBack!.at - readyAt).toBeGreaterThanOrEqual(WINDOW_MS - 500);
      expect(s.seen.filter((x) => x.clusters.some((c) => !RESIDENCY['web-eu']!.has(c)))).toEqual([]);
      const reasons = await reasonsFor('web-eu');
      for (const r of ['FailedOver', 'FailingBack', 'FailedBack']) expect(reasons).toContain(r);
    } finally {
      await s.stop();
    }
  }, 60_000);

  it('a cluster that fails again inside the window, and so flaps, gets no replicas back', async () => {
    const s = sample('web-us');
    try {
      await chaos('fail', 'us-cheap');
      await waitUntil(() => readyOn('web-us', ['us-dear']), 20_000, 'web-us failed over to us-dear and ready');
      await chaos('restore', 'us-cheap');
      await waitUntil(async () => (await phaseOf('us-cheap')) === 'Ready', 15_000, 'us-cheap Ready again');
      // Down again well inside the window, then back: four phase changes, a flapping cluster.
      await chaos('fail', 'us-cheap');
      await waitUntil(async () => (await phaseOf('us-cheap')) === 'NotReady', 15_000, 'us-cheap NotReady again');
      await chaos('restore', 'us-cheap');
      await waitUntil(async () => (await phaseOf('us-cheap')) === 'Ready', 15_000, 'us-cheap Ready once more');
      // Longer than the window plus a surge: a stable cluster would have its replicas back by now.
      await sleep(WINDOW_MS + 3000);
      await s.stop();
      expect(await splitOf('web-us')).toEqual(['us-dear']);
      expect(s.seen.slice(-1)[0]!.clusters).toEqual(['us-dear']);
      const afterFailover = s.seen.slice(s.seen.findIndex((x) => x.clusters.join() === 'us-dear'));
      expect(afterFailover.filter((x) => x.clusters.includes('us-cheap'))).toEqual([]);
      expect(s.seen.filter((x) => x.clusters.some((c) => !RESIDENCY['web-us']!.has(c)))).toEqual([]);
      const reasons = await reasonsFor('web-us');
      expect(reasons).toContain('FailedOver');
      expect(reasons.filter((r) => r === 'FailingBack' || r === 'FailedBack')).toEqual([]);
    } finally {
      await s.stop();
    }
  }, 60_000);
});
