// GameDay runs that must not lie or hang: a real `truststram server --allow-chaos` with its
// managed agents and real replicas, and `truststram chaos run` as a user runs it. A target the
// fleet lacks is refused before any load; an error mid-run stops the load, restores what the run
// failed and exits; a fault that hits nothing fails the run; a failback is measured, not assumed.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, killAll, spawnCli, tempDir } from './harness.js';
import { API, allReady, freePort, getPlacement, getWorkload, killTracked, listEvents, markedProcesses, newMark, smallCluster as cluster, startFleetServer, waitUntil, type FleetServer } from './fleet-harness.js';

const WINDOW = '2s';
const mark = newMark();
let dir: string;
let server: FleetServer;

// web-eu sits on eu-cheap; spare (US) carries nothing, so failing it affects no workload.
const FLEET = [cluster('eu-cheap', 'aws', 'eu-west-1', 0.01), cluster('eu-dear', 'gcp', 'europe-west3', 0.04), cluster('spare', 'azure', 'eastus', 0.02)];
const WORKLOAD = `apiVersion: truststram.io/v1alpha1
kind: Workload
metadata: { name: web-eu, namespace: shop }
spec:
  image: registry.example/echo:1.0
  command: ["node", "examples/apps/echo.mjs"]
  replicas: 2
  resources: { cpu: 250m, memory: 64Mi }
  ports: [{ name: http, port: 8080 }]
  healthCheck: { path: /healthz, interval: 1s }
  placement: { residency: eu }
  traffic: { host: web-eu.test }
`;

async function writeScenario(name: string, duration: string, timeline: string, expect = ''): Promise<string> {
  const file = join(dir, `${name}.gameday`);
  await writeFile(file, `apiVersion: truststram.io/v1alpha1\nkind: GameDay\nmetadata: { name: ${name} }\nspec:\n  load: { rate: 50, duration: ${duration}, connections: 8 }\n  waitReady: 30s\n  recoveryTimeout: 5s\n  timeline:\n${timeline}\n${expect}`);
  return file;
}
const faultsInForce = async () => ((await (await fetch(`${server.url}/api/v1alpha1/chaos`)).json()) as { faults: { name: string }[] }).faults;
const splitOf = async () => (await getPlacement(server.url, 'shop', 'web-eu')).spec.clusters.filter((e) => e.replicas > 0).map((e) => e.cluster);
const onCheapAndReady = async () => (await splitOf()).join() === 'eu-cheap' && allReady(await getWorkload(server.url, 'shop', 'web-eu'));

interface Report {
  faults: { name: string; unaffected: boolean; allowUnaffected: boolean; affectedWorkloads: string[]; capacityRestoredMs: number | null }[];
  failbacks: { workload: string; cluster: string; afterMs: number }[];
  expectations: { name: string; actual: string; ok: boolean }[];
  passed: boolean;
}
const reportOf = (r: { stdout: string; stderr: string }) => {
  expect(r.stdout, r.stderr).toMatch(/^\{/);
  return JSON.parse(r.stdout) as Report;
};

beforeAll(async () => {
  await ensureBuilt();
  dir = await tempDir('truststram-gameday-');
  server = await startFleetServer(join(dir, 'data'), await freePort(), mark, ['--allow-chaos', '--no-gateway', '--failback-after', WINDOW]);
  const file = join(dir, 'fleet.yaml');
  await writeFile(file, [...FLEET, WORKLOAD].join('---\n'));
  const r = await cli(['apply', '-f', file], { server: server.url });
  expect(r.code, r.stderr).toBe(0);
  await waitUntil(onCheapAndReady, 30_000, 'web-eu ready on eu-cheap');
}, 60_000);

afterAll(async () => {
  await killAll();
  await server?.stop();
  await killTracked();
  const left = await waitUntil(() => markedProcesses(mark).length === 0, 10_000, 'no process left').catch(() => false);
  expect(left ? [] : markedProcesses(mark)).toEqual([]);
});

describe('chaos run refuses what it cannot run, before any load or fault', () => {
  it('a target the fleet lacks: one error naming the file, the step and the field; exit 1, nothing failed', async () => {
    const file = await writeScenario('typo', '10s', '    - { at: 1s, fail: { cluster: eu-cheap } }\n    - { at: 2s, fail: { provider: aww } }');
    const r = await cli(['chaos', 'run', file], { server: server.url, timeoutMs: 20_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${file}: spec.timeline.1.fail.provider: no cluster matches provider "aww" (the fleet has providers aws, azure, gcp)`);
    expect(r.stderr).not.toMatch(/load:|failed cluster/);
    expect(await faultsInForce()).toEqual([]);
  });

  it('a scenario file that does not exist: its name and the OS reason, exit 1', async () => {
    const missing = join(dir, 'missing.gameday');
    const r = await cli(['chaos', 'run', missing], { server: server.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${missing}: cannot read the scenario file: no such file or directory (ENOENT)`);
  });
});

describe('chaos run judges what its faults did', () => {
  it('a fault that hits no workload fails the run, saying so — unless the step allows it', async () => {
    const timeline = (allow: string) => `    - { at: 1s, fail: { cluster: spare }${allow} }\n    - { at: 2s, restore: { cluster: spare } }`;
    const idle = await cli(['chaos', 'run', await writeScenario('idle', '3s', timeline(''), '  expect: { failedRequests: 0 }\n'), '-o', 'json'], { server: server.url, timeoutMs: 60_000 });
    expect(idle.code).toBe(1);
    const report = reportOf(idle);
    expect(report.faults[0]).toMatchObject({ name: 'spare', unaffected: true, affectedWorkloads: [], capacityRestoredMs: null });
    expect(report.expectations.find((e) => e.name === 'faultsAffectWorkloads')).toMatchObject({ ok: false, actual: 'cluster spare affected no workload (no replica on spare, no request routed there)' });
    expect(report.passed).toBe(false);
    const allowed = await cli(['chaos', 'run', await writeScenario('idle-ok', '3s', timeline(', allowUnaffected: true'), '  expect: { failedRequests: 0 }\n'), '-o', 'json'], { server: server.url, timeoutMs: 60_000 });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(reportOf(allowed)).toMatchObject({ passed: true, faults: [{ unaffected: true, allowUnaffected: true }] });
  }, 90_000);

  it('a failback onto the failed cluster during the run is measured from placements and fails `failbacks: 0`', async () => {
    // The server fails back after 2 s of stable Ready: inside this run, so the check must see it.
    const file = await writeScenario('failback', '16s', '    - { at: 1s, fail: { cluster: eu-cheap } }\n    - { at: 3s, restore: { cluster: eu-cheap } }', '  expect: { failbacks: 0 }\n');
    const r = await cli(['chaos', 'run', file, '-o', 'json'], { server: server.url, timeoutMs: 90_000 });
    const report = reportOf(r);
    expect(report.faults[0]!.affectedWorkloads).toEqual(['shop/web-eu']);
    expect(report.failbacks.map((b) => [b.workload, b.cluster])).toEqual([['shop/web-eu', 'eu-cheap']]);
    expect(report.expectations.find((e) => e.name === 'failbacks')).toMatchObject({ ok: false, actual: '1 (shop/web-eu → eu-cheap)' });
    expect(r.code).toBe(1);
    // What the controller says it did agrees with what the run measured.
    const reasons = (await listEvents(server.url, 'shop')).filter((e) => e.spec.involvedObject.name === 'web-eu').map((e) => e.spec.reason);
    expect(reasons).toContain('FailingBack');
  }, 120_000);
});

describe('chaos run never hangs on an error mid-run', () => {
  it('a step that fails under load stops the load, restores what the run failed and exits 1', async () => {
    await waitUntil(onCheapAndReady, 30_000, 'web-eu back on eu-cheap');
    const file = await writeScenario('midrun', '10s', '    - { at: 1s, fail: { cluster: eu-cheap } }\n    - { at: 5s, fail: { cluster: spare } }');
    const run = spawnCli(['chaos', 'run', file], { server: server.url });
    try {
      await waitUntil(() => /failed cluster eu-cheap/.test(run.output()), 40_000, 'the first fault injected');
      // The fleet changes under the run: its second target is gone when its step comes.
      const del = await fetch(`${server.url}${API}/clusters/spare`, { method: 'DELETE' });
      expect(del.status, await del.text()).toBeLessThan(300);
      const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('hung'), 30_000))]);
      expect(code, run.output()).toBe(1);
      expect(run.output()).toMatch(/no cluster matches cluster "spare"/);
      expect(run.output()).toMatch(/restored cluster eu-cheap \(still failed when the run ended\)/);
      expect(await faultsInForce()).toEqual([]);
    } finally {
      run.proc.kill('SIGKILL');
    }
  }, 90_000);
});
