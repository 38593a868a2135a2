// Several control planes on one real PostgreSQL database: exactly one runs the controllers, the
// others serve the API and take over when the leader stops or loses its database session.
// The controllers' effect observed is the placement controller writing a Placement for a new
// Workload (unschedulable here: the fleet is empty, so no agent processes are needed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiObject } from '../api/index.js';
import { requirePgBinDir, startPgCluster, type PgCluster } from '../store/postgres/testing/pg-harness.js';
import { createLeaseTable } from '../store/leases.js';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
import { LEADER_LEASE, advertiseLeadership } from './leadership-view.js';

const bindir = requirePgBinDir();
let cluster: PgCluster | undefined;
const planes: ControlPlane[] = [];

const workload = (name: string): ApiObject => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Workload',
  metadata: { name, namespace: 'shop' },
  spec: { image: `registry.eu.example/${name}@sha256:${'a'.repeat(64)}`, replicas: 1, placement: { residency: 'eu' } },
});

async function waitUntil(ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await ok()) return true;
  return ok();
}

describe.skipIf(!bindir)('control planes sharing a Postgres store', () => {
  let url = '';
  beforeAll(async () => {
    cluster = await startPgCluster(bindir!);
    url = await cluster.createDatabase('leadership');
  });
  afterAll(async () => {
    for (const cp of planes) await cp.close();
    await cluster?.stop();
  });

  const logs = new Map<ControlPlane, string[]>();
  const start = async (extra: Partial<ControlPlaneOptions> = {}) => {
    const lines: string[] = [];
    const cp = await startControlPlane({ storeSpec: url, listen: '127.0.0.1:0', gateway: false, manageAgents: false, demo: true, leaderElection: { retryMs: 100, pingIntervalMs: 100, pingTimeoutMs: 1000 }, log: (l) => lines.push(l), ...extra });
    planes.push(cp);
    logs.set(cp, lines);
    return cp;
  };
  const elections = (cp: ControlPlane) => logs.get(cp)!.filter((l) => l.includes('elected leader')).length;
  const placed = async (cp: ControlPlane, name: string) => (await cp.store.get({ kind: 'Placement', namespace: 'shop', name })) !== undefined;

  it('runs the controllers on one leader at a time; a follower takes over when the leader stops', async () => {
    const a = await start();
    await a.leadership!.elected;
    const b = await start();
    await new Promise((r) => setTimeout(r, 300));
    expect([a.leadership!.isLeader, b.leadership!.isLeader]).toEqual([true, false]);
    expect([elections(a), elections(b)]).toEqual([1, 0]);
    // Any server says who leads: the leader from its election, a follower from the shared lease.
    const status = async (cp: ControlPlane) => (await (await fetch(`${cp.url}/api/v1alpha1/controllers`)).json()) as { role: string; election: string; leader: { url: string } | null };
    expect(await status(a)).toMatchObject({ role: 'leader', election: 'postgres-advisory-lock', leader: { url: a.url } });
    expect(await waitUntil(async () => (await status(b)).leader?.url === a.url)).toBe(true);
    expect((await status(b)).role).toBe('follower');
    // Chaos acts on the leader's agents: a follower refuses it and names the leader.
    const chaos = await fetch(`${b.url}/api/v1alpha1/chaos/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'cluster', name: 'aws-eu' }) });
    expect(chaos.status).toBe(403);
    expect(((await chaos.json()) as { message: string }).message).toContain(`this server is a follower: chaos acts on the agents of the server running the controllers (${a.url})`);
    // Its status says the same instead of "you may inject faults".
    expect(await (await fetch(`${b.url}/api/v1alpha1/chaos`)).json()).toMatchObject({ allowed: false, faults: [], elsewhere: expect.stringContaining(a.url) });
    // Written through the follower's API, placed by the leader's controller.
    const put = await fetch(`${b.url}/apis/truststram.io/v1alpha1/namespaces/shop/workloads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(workload('first')) });
    expect(put.status).toBe(201);
    expect(await waitUntil(() => placed(b, 'first'))).toBe(true);
    await a.close();
    expect(await waitUntil(() => b.leadership!.isLeader, 5000)).toBe(true);
    expect(elections(b)).toBe(1);
    expect(await status(b)).toMatchObject({ role: 'leader', leader: { url: b.url } });
    await b.store.apply([{ verb: 'create', object: workload('second') }], { actor: 'user:test' });
    expect(await waitUntil(() => placed(b, 'second'))).toBe(true);
    await b.close();
  });

  it('stops its controllers and says so when the leader loses its database session', async () => {
    const lost: Error[] = [];
    const c = await start({ onLeadershipLost: (e) => lost.push(e) });
    await waitUntil(() => c.leadership!.isLeader, 5000);
    expect(c.leadership!.isLeader).toBe(true);
    // Its controllers run: a new Workload is placed.
    await c.store.apply([{ verb: 'create', object: workload('before-loss') }], { actor: 'user:test' });
    expect(await waitUntil(() => placed(c, 'before-loss'))).toBe(true);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const r = await admin.query("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'truststram-leader'");
      expect(r.rows).toHaveLength(1);
    } finally {
      await admin.end();
    }
    expect(await waitUntil(() => lost.length > 0, 5000)).toBe(true);
    expect(lost[0]!.message).toMatch(/leader's Postgres session/);
    expect(c.leadership!.isLeader).toBe(false);
    // Its controllers are stopped: a new Workload stays without a Placement (no other leader runs here).
    await c.store.apply([{ verb: 'create', object: workload('third') }], { actor: 'user:test' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await placed(c, 'third')).toBe(false);
  });
});

describe('a control plane on its own store (SQLite)', () => {
  it('leads without an election, and an API-only server says it runs no controllers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-leadership-'));
    try {
      const own = await startControlPlane({ dataDir: join(dir, 'a'), listen: '127.0.0.1:0', gateway: false, manageAgents: false, log: () => undefined });
      const apiOnly = await startControlPlane({ dataDir: join(dir, 'b'), listen: '127.0.0.1:0', gateway: false, controllers: false, log: () => undefined });
      try {
        expect(own.leadership).toBeUndefined();
        const status = async (cp: ControlPlane) => (await (await fetch(`${cp.url}/api/v1alpha1/controllers`)).json()) as unknown;
        expect(await status(own)).toEqual({ apiVersion: 'truststram.io/v1alpha1', kind: 'ControllerStatus', server: own.url, role: 'leader', election: 'none', leader: { url: own.url } });
        expect(await status(apiOnly)).toMatchObject({ role: 'api-only', election: 'none', leader: null });
      } finally {
        await own.close();
        await apiOnly.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the leader lease', () => {
  it('passes to a newly elected leader at once, and a deposed leader still renewing cannot take it back', async () => {
    const leases = createLeaseTable();
    const logged: string[] = [];
    // Server a led with epoch 1 and has not noticed it lost; b was just elected with epoch 2.
    const stopA = advertiseLeadership(leases, 'http://a', 1, (l) => logged.push(l));
    expect(leases.get(LEADER_LEASE)).toMatchObject({ holder: 'http://a', epoch: 1 });
    const stopB = advertiseLeadership(leases, 'http://b', 2, (l) => logged.push(l));
    try {
      expect(leases.get(LEADER_LEASE)).toMatchObject({ holder: 'http://b', epoch: 2 });
      // a renews every second; across two of its renewals the lease stays b's.
      await new Promise((r) => setTimeout(r, 2300));
      expect(leases.get(LEADER_LEASE)).toMatchObject({ holder: 'http://b', epoch: 2 });
      expect(logged).toEqual([]);
    } finally {
      await stopA();
      expect(leases.get(LEADER_LEASE)?.holder).toBe('http://b');
      await stopB();
    }
    expect(leases.get(LEADER_LEASE)).toBeUndefined();
  });
});
