// `truststram server --store postgres://…` as a user runs it: two real server processes on one
// real PostgreSQL database (two API replicas), apply through one, get and watch through the other, stop
// both cleanly; a malformed or unreachable database is a clear error with the CLI's exit code.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePgBinDir, startPgCluster, type PgCluster } from '../../src/store/postgres/testing/pg-harness.js';
import { isPidAlive } from '../../src/util/proc.js';
import { EXAMPLES, cli, ensureBuilt, killAll, liveChildren, spawnCli, waitFor } from './harness.js';

const bindir = requirePgBinDir();
let cluster: PgCluster | undefined;
let url = '';

/** Starts a server that wins the election, then a second one on the same database. */
async function leaderAndFollower(db: string, flags: string[]) {
  const first = spawnCli(['server', '--store', db, '--listen', '127.0.0.1:0', ...flags]);
  expect(await waitFor(() => /elected leader/.test(first.output()), 30_000), first.output()).toBe(true);
  const second = spawnCli(['server', '--store', db, '--listen', '127.0.0.1:0', ...flags]);
  expect(await waitFor(() => /campaigning for leadership/.test(second.output()), 30_000), second.output()).toBe(true);
  return { first, second, secondUrl: () => /listening on (http:\/\/\S+)/.exec(second.output())?.[1] };
}

/** Starts `truststram server --store URL` on a free port (API only) and returns its URL and stop(). */
async function startPgServer(storeArgs: string[], env: Record<string, string> = {}) {
  const s = spawnCli(['server', ...storeArgs, '--listen', '127.0.0.1:0', '--no-controllers', '--no-gateway'], { env });
  const up = await waitFor(() => /listening on http/.test(s.output()) || s.proc.exitCode !== null, 30_000);
  const m = /listening on (http:\/\/\S+)/.exec(s.output());
  if (!up || !m) throw new Error(`server did not start:\n${s.output()}`);
  return {
    url: m[1]!,
    output: s.output,
    async stop() {
      s.proc.kill('SIGTERM');
      return s.exited;
    },
  };
}

describe.skipIf(!bindir)('truststram server --store postgres://', () => {
  beforeAll(async () => {
    await ensureBuilt();
    cluster = await startPgCluster(bindir!);
    url = await cluster.createDatabase('truststram');
  });
  afterAll(async () => {
    await killAll();
    await cluster?.stop();
    expect(liveChildren()).toBe(0);
  });

  it('serves the API from Postgres: apply through one replica, get through another, stop cleanly', async () => {
    const a = await startPgServer(['--store', url]);
    const b = await startPgServer([], { TRUSTSTRAM_STORE_URL: url });
    try {
      expect(a.output()).toContain(`(state in Postgres at ${url})`);
      // A watch on replica B streams what is applied through replica A.
      const watch = spawnCli(['get', 'clusters', '--watch'], { server: b.url });
      expect(await waitFor(() => /^NAME\s+PROVIDER/m.test(watch.output()))).toBe(true);
      const applied = await cli(['apply', '-f', join(EXAMPLES, 'fleet.yaml')], { server: a.url });
      expect(applied.stderr).toBe('');
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain('cluster.truststram.io/aws-eu-west-1 created');
      expect(await waitFor(() => /^ADDED\s+gcp-us-central1\s/m.test(watch.output())), watch.output()).toBe(true);
      watch.proc.kill('SIGINT');
      expect(await watch.exited).toBe(0);
      const got = await cli(['get', 'cluster', 'aws-eu-west-1', '-o', 'json'], { server: b.url });
      expect(got.code).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ kind: 'Cluster', metadata: { name: 'aws-eu-west-1', resourceVersion: '1' }, spec: { provider: 'aws' } });
      const again = await cli(['apply', '-f', join(EXAMPLES, 'fleet.yaml')], { server: b.url });
      expect(again.stdout).toContain('cluster.truststram.io/aws-eu-west-1 unchanged');
      const verify = await cli(['audit', 'verify'], { server: b.url });
      expect(verify.code).toBe(0);
    } finally {
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
    }
    expect(a.output()).toContain('server stopped');
  });

  it('runs the whole control plane on Postgres: workloads get placed and become ready', async () => {
    const db = await cluster!.createDatabase('controlplane');
    const s = spawnCli(['server', '--store', db, '--listen', '127.0.0.1:0', '--simulated', '--no-gateway']);
    try {
      expect(await waitFor(() => /listening on http/.test(s.output()), 30_000)).toBe(true);
      const server = /listening on (http:\/\/\S+)/.exec(s.output())![1]!;
      const applied = await cli(['apply', '-f', join(EXAMPLES, 'fleet.yaml'), '-f', join(EXAMPLES, 'workloads.yaml')], { server });
      expect(applied.code).toBe(0);
      type Wl = { metadata: { name: string }; spec: { replicas: number }; status?: { readyReplicas?: number } };
      let workloads: Wl[] = [];
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline) {
        workloads = (JSON.parse((await cli(['get', 'workloads', '-A', '-o', 'json'], { server })).stdout) as { items: Wl[] }).items;
        if (workloads.length === 3 && workloads.every((w) => (w.status?.readyReplicas ?? 0) >= w.spec.replicas)) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(workloads.map((w) => `${w.metadata.name} ${w.status?.readyReplicas ?? 0}/${w.spec.replicas}`).sort()).toEqual(['catalog-api 3/3', 'nightly-reports 4/4', 'payments-api 4/4']);
      expect((await cli(['audit', 'verify'], { server })).code).toBe(0);
    } finally {
      s.proc.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
  });

  it('shares agents\' leases: an agent heartbeating through the API-only replica keeps its cluster Ready where the controllers run', async () => {
    const db = await cluster!.createDatabase('shared_leases');
    const controllers = spawnCli(['server', '--store', db, '--listen', '127.0.0.1:0', '--simulated', '--no-gateway']);
    const api = await startPgServer(['--store', db]);
    try {
      expect(await waitFor(() => /listening on http/.test(controllers.output()), 30_000)).toBe(true);
      const withControllers = /listening on (http:\/\/\S+)/.exec(controllers.output())![1]!;
      const dir = mkdtempSync(join(tmpdir(), 'truststram-leases-'));
      const file = join(dir, 'onprem.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: truststram.io/v1alpha1',
          'kind: Cluster',
          'metadata: { name: onprem-1 }',
          'spec: { provider: aws, region: eu-west-1, nodePools: [{ name: general, instanceType: m6i.xlarge, count: 2 }], driver: { type: local, managed: false } }',
          '---',
          'apiVersion: truststram.io/v1alpha1',
          'kind: Workload',
          'metadata: { name: api, namespace: shop }',
          'spec: { image: registry.eu.example/api@sha256:' + 'a'.repeat(64) + ', replicas: 2, resources: { cpu: 250m, memory: 256Mi }, placement: { residency: eu } }',
          '',
        ].join('\n'),
      );
      expect((await cli(['apply', '-f', file], { server: api.url })).code).toBe(0);
      rmSync(dir, { recursive: true, force: true });
      // The agent talks only to the API replica; the health and placement controllers run on the other.
      const agent = spawnCli(['agent', '--cluster', 'onprem-1', '--simulated', '--heartbeat', '200'], { server: api.url });
      type Obj = { status?: { phase?: string; readyReplicas?: number; conditions?: { type: string; reason?: string }[] } };
      const get = async (args: string[]) => JSON.parse((await cli(['get', ...args, '-o', 'json'], { server: withControllers })).stdout) as Obj;
      const ready = async () => (await get(['cluster', 'onprem-1'])).status?.phase === 'Ready' && ((await get(['workload', 'api', '-n', 'shop'])).status?.readyReplicas ?? 0) >= 2;
      expect(await waitFor(ready, 30_000), `${agent.output()}\n${controllers.output()}`).toBe(true);
      const leases = (await (await fetch(`${withControllers}/api/v1alpha1/leases`)).json()) as { items: { name: string }[] };
      expect(leases.items.map((l) => l.name)).toContain('onprem-1');
      // Killed without a goodbye: the controllers' replica sees the renewals stop and says so.
      agent.proc.kill('SIGKILL');
      await agent.exited;
      const notReady = async () => (await get(['cluster', 'onprem-1'])).status?.conditions?.find((c) => c.type === 'Ready')?.reason === 'HeartbeatMissed';
      expect(await waitFor(notReady, 15_000)).toBe(true);
    } finally {
      controllers.proc.kill('SIGTERM');
      expect(await controllers.exited).toBe(0);
      expect(await api.stop()).toBe(0);
    }
  });

  it('runs the controllers on one server at a time: a leader that loses its database session exits 2, and the other one takes over', async () => {
    const db = await cluster!.createDatabase('leaders');
    const { first, second } = await leaderAndFollower(db, ['--no-agents', '--no-gateway']);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(second.output()).not.toMatch(/elected leader/);
      const admin = new pg.Client({ connectionString: db });
      await admin.connect();
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'truststram-leader' AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)`);
      await admin.end();
      expect(await first.exited).toBe(2);
      expect(first.output()).toMatch(/error: lost the controllers' leadership \(the leader's Postgres session (failed|ended)/);
      expect(await waitFor(() => /elected leader/.test(second.output()), 10_000), second.output()).toBe(true);
    } finally {
      first.proc.kill('SIGTERM');
      second.proc.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });

  it('hands the embedded fleet over when the leader is killed: the new leader retires the old agents and runs its own', async () => {
    const db = await cluster!.createDatabase('handover');
    const { first, second, secondUrl } = await leaderAndFollower(db, ['--simulated', '--no-gateway']);
    try {
      expect(await waitFor(() => secondUrl() !== undefined, 30_000)).toBe(true);
      const server = secondUrl()!;
      expect((await cli(['apply', '-f', join(EXAMPLES, 'fleet.yaml'), '-f', join(EXAMPLES, 'workloads.yaml')], { server })).code).toBe(0);
      type Cl = { status?: { phase?: string; agent?: { pid?: number } | null } };
      type Wl = { spec: { replicas: number }; status?: { readyReplicas?: number } };
      const clusters = async () => (JSON.parse((await cli(['get', 'clusters', '-o', 'json'], { server })).stdout) as { items: Cl[] }).items;
      const allReady = async () => {
        const ws = (JSON.parse((await cli(['get', 'workloads', '-A', '-o', 'json'], { server })).stdout) as { items: Wl[] }).items;
        return ws.length === 3 && ws.every((w) => (w.status?.readyReplicas ?? 0) >= w.spec.replicas) && (await clusters()).every((c) => c.status?.phase === 'Ready');
      };
      expect(await waitFor(allReady, 45_000)).toBe(true);
      const oldAgents = (await clusters()).map((c) => c.status!.agent!.pid!);
      expect(oldAgents).toHaveLength(6);
      first.proc.kill('SIGKILL');
      await first.exited;
      expect(await waitFor(() => /elected leader/.test(second.output()), 10_000), second.output()).toBe(true);
      // The old agents report to a server that is gone: retired, and replaced by the new leader's.
      expect(await waitFor(() => oldAgents.every((pid) => !isPidAlive(pid)), 30_000), second.output()).toBe(true);
      expect(second.output()).toMatch(/did not re-attach within the grace: stopping it/);
      expect(await waitFor(allReady, 45_000)).toBe(true);
      expect((await clusters()).map((c) => c.status!.agent!.pid!).filter((pid) => oldAgents.includes(pid))).toEqual([]);
    } finally {
      first.proc.kill('SIGKILL');
      second.proc.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 120_000);

  it('exits 2 naming --store when the database cannot be reached, and 1 for a malformed URL, without a stack trace', async () => {
    const down = await cli(['server', '--store', `postgres://postgres:pw@127.0.0.1:${cluster!.port}/no_such_db`, '--listen', '127.0.0.1:0', '--no-controllers', '--no-gateway']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^error: --store: cannot connect to the Postgres store at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/no_such_db: .*no_such_db/);
    expect(down.stderr).not.toContain('pw@');
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const bad = await cli(['server', '--listen', '127.0.0.1:0'], { env: { TRUSTSTRAM_STORE_URL: 'postgres://' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: TRUSTSTRAM_STORE_URL: "postgres:\/\/" is not a valid Postgres URL/);
  });
});
