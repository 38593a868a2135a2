// The Postgres store against a real PostgreSQL started for this file: the shared conformance
// suite, plus what only a shared database shows (two API server replicas on one database).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ConflictError, ExpiredError, ValidationError } from '../../api/index.js';
import { describeStoreConformance } from '../testing/conformance.js';
import { describeLeaseTableConformance } from '../testing/lease-conformance.js';
import { collect, obj, rv } from '../testing/fixtures.js';
import { openStore } from '../open-store.js';
import { FencedError, StoreUnavailableError } from '../store-errors.js';
import { fencedStore } from '../fenced-store.js';
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
import { createConnections } from './connections.js';
import { isConnectionError } from './pg-errors.js';
import { requirePgBinDir, startPgCluster, type PgCluster } from './testing/pg-harness.js';

const bindir = requirePgBinDir();

async function waitUntil(ok: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (ok()) return true;
  return ok();
}
let cluster: PgCluster | undefined;
let url = '';
let n = 0;
const alice = { actor: 'user:alice' };

describe.skipIf(!bindir)('Postgres store', () => {
  beforeAll(async () => {
    cluster = await startPgCluster(bindir!);
    url = await cluster.createDatabase('store_test');
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  // Every conformance store gets its own Postgres schema: new and empty, in the file's database.
  describeStoreConformance('postgres', async () => openPostgresStore({ url, schema: `conf_${n++}`, log: () => undefined }));

  const leaseStores: PostgresStore[] = [];
  afterAll(async () => {
    for (const s of leaseStores) await s.close();
  });
  describeLeaseTableConformance('postgres', async () => {
    const s = await openPostgresStore({ url, schema: `lease_${n++}`, log: () => undefined });
    leaseStores.push(s);
    return s.sharedLeases;
  });

  describe('two replicas on one database', () => {
    const open: PostgresStore[] = [];
    const replicas = async (extra: Partial<PostgresStoreOptions> = {}) => {
      const schema = `pair_${n++}`;
      const a = await openPostgresStore({ url, schema, log: () => undefined, ...extra });
      const b = await openPostgresStore({ url, schema, log: () => undefined, ...extra });
      open.push(a, b);
      return [a, b] as const;
    };
    afterAll(async () => {
      for (const s of open) await s.close();
    });

    it('share leases: a renewal through one is seen by the other within a poll, and two holders racing get one lease', async () => {
      const [a, b] = await replicas({ leasePollIntervalMs: 50 });
      const seenByB: string[] = [];
      b.sharedLeases.onChange((l, e) => seenByB.push(`${e} ${l.name} ${l.holder}`));
      const now = Date.now();
      await a.sharedLeases.renew('aws-eu', 'agent-1', 60_000, now);
      expect(await waitUntil(() => b.sharedLeases.isLive('aws-eu', now + 1))).toBe(true);
      expect(b.sharedLeases.get('aws-eu')).toMatchObject({ holder: 'agent-1', acquireTime: now, renewTime: now });
      // Renewed through the other replica: the same holder keeps its lease (and its acquireTime).
      expect(await b.sharedLeases.renew('aws-eu', 'agent-1', 60_000, now + 500)).toMatchObject({ acquireTime: now, renewTime: now + 500 });
      expect(await waitUntil(() => a.sharedLeases.get('aws-eu')?.renewTime === now + 500)).toBe(true);
      // Another agent for the same cluster is refused by either replica.
      await expect(a.sharedLeases.renew('aws-eu', 'agent-2', 60_000, now + 600)).rejects.toThrow(ConflictError);
      // Two new holders at once through two replicas: the statement decides, one wins.
      const race = await Promise.allSettled([a.sharedLeases.renew('gcp-eu', 'x', 60_000, now), b.sharedLeases.renew('gcp-eu', 'y', 60_000, now)]);
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((race.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      await a.sharedLeases.release('aws-eu', 'agent-1');
      expect(await waitUntil(() => b.sharedLeases.get('aws-eu') === undefined)).toBe(true);
      expect(seenByB.filter((e) => e.endsWith('aws-eu agent-1'))).toEqual(['acquired aws-eu agent-1', 'renewed aws-eu agent-1', 'released aws-eu agent-1']);
    });

    it('takes over from a leader whose lock session stays open but which stopped renewing its lease (hung or paused)', async () => {
      const [a, b] = await replicas();
      const logs: string[] = [];
      // A holds the lock; its pings are a minute apart, as if its process were paused.
      const ea = a.campaign('controllers', { retryMs: 50, pingIntervalMs: 60_000 });
      await ea.elected;
      const staleEpoch = ea.fence!.epoch;
      let aliveAnswer = true;
      const eb = b.campaign('controllers', { retryMs: 50, takeoverAfterMs: 300, leaderAlive: () => aliveAnswer, log: (l) => logs.push(l) });
      await new Promise((r) => setTimeout(r, 600));
      // While the leader renews its lease, the lock is left alone however long B waits.
      expect(eb.isLeader).toBe(false);
      aliveAnswer = false;
      await eb.elected;
      expect(eb.fence!.epoch).toBe(staleEpoch + 1);
      expect(logs.some((l) => /stopped renewing its lease for 300 ms: ended its session to take over/.test(l))).toBe(true);
      // A finds out at its next use of the session; its writes were fenced meanwhile.
      expect(await Promise.race([ea.lost.then(() => 'lost'), new Promise((r) => setTimeout(() => r('still leader'), 3000))])).toBe('lost');
      await eb.close();
      await ea.close();
    });

    it('fence a deposed leader: once a newer leader is elected, writes with the old token change nothing', async () => {
      const [a, b] = await replicas();
      const controller = { actor: 'controller:placement' };
      // Pings a minute apart: A would not notice a lost session by itself during this test.
      const ea = a.campaign('controllers', { retryMs: 50, pingIntervalMs: 60_000 });
      await ea.elected;
      const stale = ea.fence!;
      const viaA = fencedStore(a, () => ea.fence);
      await viaA.apply([{ verb: 'upsert', object: obj('Cluster', 'c1', undefined, { spec: { by: 'a' } }) }], controller);
      await viaA.recordDecision({ actor: 'controller:placement', verb: 'placed', details: { by: 'a' } });
      const eb = b.campaign('controllers', { retryMs: 50 });
      // A crashes or pauses: its lock session ends (here, as an administrator would end it), B wins.
      await ea.close();
      await eb.elected;
      expect(eb.fence!.epoch).toBe(stale.epoch + 1);
      // A, still holding its old token, tries to write: refused in the transaction, nothing changed.
      const audited = (await a.verifyAudit()).entries;
      await expect(a.apply([{ verb: 'upsert', object: obj('Cluster', 'c1', undefined, { spec: { by: 'stale a' } }) }], { ...controller, fence: stale })).rejects.toThrow(FencedError);
      await expect(a.apply([{ verb: 'upsert', object: obj('Cluster', 'c1', undefined, { spec: { by: 'stale a' } }) }], { ...controller, fence: stale })).rejects.toThrow(/passed to a newer leader \(epoch \d+; this server's was \d+\)/);
      await expect(a.recordDecision({ actor: 'controller:placement', verb: 'placed', details: { by: 'stale a' } }, { fence: stale })).rejects.toThrow(FencedError);
      expect(await b.get({ kind: 'Cluster', name: 'c1' })).toMatchObject({ spec: { by: 'a' } });
      expect((await a.verifyAudit()).entries).toBe(audited);
      // A's own fenced view refuses without a token once it no longer leads; B's writes go through.
      await expect(viaA.apply([{ verb: 'upsert', object: obj('Cluster', 'c2') }], controller)).rejects.toThrow(/does not lead the controllers/);
      await fencedStore(b, () => eb.fence).apply([{ verb: 'upsert', object: obj('Cluster', 'c1', undefined, { spec: { by: 'b' } }) }], controller);
      expect(await a.get({ kind: 'Cluster', name: 'c1' })).toMatchObject({ spec: { by: 'b' } });
      // Writes without a token (API users on any replica) are not fenced.
      await a.apply([{ verb: 'upsert', object: obj('Cluster', 'c3') }], alice);
      await eb.close();
    });

    it('fence a stale write queued behind the new leader\'s claim, whatever the database\'s default isolation', async () => {
      // A database whose sessions default to REPEATABLE READ: a write keeping the snapshot it
      // started with would read the old epoch after waiting for the claim, and commit.
      const dbUrl = await cluster!.createDatabase('fence_rr');
      const admin = new pg.Client({ connectionString: dbUrl });
      await admin.connect();
      await admin.query(`ALTER DATABASE fence_rr SET default_transaction_isolation TO 'repeatable read'`);
      const [a, b] = [await openPostgresStore({ url: dbUrl, schema: 'f', log: () => undefined }), await openPostgresStore({ url: dbUrl, schema: 'f', log: () => undefined })];
      open.push(a, b);
      const lockWaiters = async (n: number) => {
        const q = () => admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'fence_rr' AND wait_event_type = 'Lock'`);
        for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if ((await q()).rows[0]!.n >= n) return;
        throw new Error(`fewer than ${n} sessions wait for a lock`);
      };
      const ea = a.campaign('controllers', { retryMs: 50, pingIntervalMs: 60_000 });
      await ea.elected;
      const stale = ea.fence!;
      const controller = { actor: 'controller:placement', fence: stale };
      await a.apply([{ verb: 'upsert', object: obj('Cluster', 'c1', undefined, { spec: { by: 'a' } }) }], controller);
      // A write in progress holds the write lock; meanwhile A is deposed and B wins the election.
      const holder = new pg.Client({ connectionString: dbUrl });
      await holder.connect();
      await holder.query(`BEGIN; SELECT value FROM f.meta WHERE key = 'revision' FOR UPDATE`);
      await ea.close();
      const eb = b.campaign('controllers', { retryMs: 50 });
      await lockWaiters(1); // B's claim waits for the lock
      const staleWrite = a.apply([{ verb: 'upsert', object: obj('Cluster', 'c1', undefined, { spec: { by: 'stale a' } }) }], controller);
      staleWrite.catch(() => undefined);
      await lockWaiters(2); // and A's stale write behind it
      await holder.query('COMMIT');
      await eb.elected;
      await expect(staleWrite).rejects.toThrow(FencedError);
      expect(await b.get({ kind: 'Cluster', name: 'c1' })).toMatchObject({ spec: { by: 'a' } });
      await eb.close();
      await holder.end();
      await admin.end();
    });

    it('each sees the other one\'s writes through watch, in revision order', async () => {
      // A long poll interval: only NOTIFY can wake the other replica in time.
      const [a, b] = await replicas({ pollIntervalMs: 3_600_000 });
      const acA = new AbortController();
      const acB = new AbortController();
      const onA = collect(a.watch('Cluster', { signal: acA.signal }), 6, acA);
      const onB = collect(b.watch('Cluster', { signal: acB.signal }), 6, acB);
      for (let i = 0; i < 3; i++) {
        await a.apply([{ verb: 'upsert', object: obj('Cluster', 'from-a', undefined, { spec: { i } }) }], alice);
        await b.apply([{ verb: 'upsert', object: obj('Cluster', 'from-b', undefined, { spec: { i } }) }], alice);
      }
      const [ea, eb] = await Promise.all([onA, onB]);
      const seen = (evs: typeof ea) => evs.map((e) => `${e.type} ${e.object.metadata.name} ${rv(e.object)}`);
      const expected = ['ADDED from-a 1', 'ADDED from-b 2', 'MODIFIED from-a 3', 'MODIFIED from-b 4', 'MODIFIED from-a 5', 'MODIFIED from-b 6'];
      expect(seen(ea)).toEqual(expected);
      expect(seen(eb)).toEqual(expected);
      expect(await b.get({ kind: 'Cluster', name: 'from-a' })).toMatchObject({ spec: { i: 2 } });
      expect(await a.verifyAudit()).toMatchObject({ ok: true, entries: 6 });
    });

    it('interleaves concurrent writers from both replicas into one gap-free revision sequence', async () => {
      const [a, b] = await replicas();
      const ac = new AbortController();
      const writes = 40;
      const watched = collect(b.watch(undefined, { resourceVersion: '0', signal: ac.signal }), writes * 2, ac);
      const writer = (s: PostgresStore, who: string) => (async () => {
        for (let i = 0; i < writes; i++) await s.apply([{ verb: 'upsert', object: obj('Cluster', `${who}${i % 3}`, undefined, { spec: { i } }) }], { actor: `user:${who}` });
      })();
      await Promise.all([writer(a, 'a'), writer(b, 'b')]);
      const revs = (await watched).map((e) => rv(e.object));
      expect(revs).toEqual(Array.from({ length: writes * 2 }, (_v, i) => i + 1));
      const v = await a.verifyAudit();
      expect(v).toMatchObject({ ok: true, entries: writes * 2 });
    });

    it('a concurrent conflicting apply fails with ConflictError on one replica and writes nothing', async () => {
      const [a, b] = await replicas();
      const base = (await a.apply([{ verb: 'create', object: obj('Workload', 'api', 'p', { spec: { replicas: 1 } }) }, { verb: 'create', object: obj('Cluster', 'c') }], alice)).results[0]!.object;
      // Both read revision 1 and update it together, each also touching a second object.
      const update = (s: PostgresStore, replicas: number, extra: string) =>
        s.apply(
          [
            { verb: 'upsert', object: obj('Cluster', extra) },
            { verb: 'update', object: { ...base, spec: { replicas } } },
          ],
          alice,
        );
      const outcomes = await Promise.allSettled([update(a, 2, 'x-from-a'), update(b, 3, 'x-from-b')]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
      const loser = outcomes[0]!.status === 'rejected' ? 'x-from-a' : 'x-from-b';
      const winner = loser === 'x-from-a' ? 'x-from-b' : 'x-from-a';
      expect(await a.get({ kind: 'Cluster', name: loser })).toBeUndefined();
      expect(await b.get({ kind: 'Cluster', name: winner })).toBeDefined();
      expect(await a.revision()).toBe('4');
      expect((await b.auditLog()).map((e) => e.name)).toEqual(['api', 'c', winner, 'api']);
      expect(await b.verifyAudit()).toMatchObject({ ok: true, entries: 4 });
    });

    it('keeps delivering the other replica\'s writes after its LISTEN connection is killed', async () => {
      const [a, b] = await replicas({ pollIntervalMs: 3_600_000 });
      const ac = new AbortController();
      const got = collect(b.watch('Cluster', { signal: ac.signal }), 2, ac);
      await a.apply([{ verb: 'create', object: obj('Cluster', 'before') }], alice);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'truststram' AND query LIKE 'LISTEN %'`);
        expect(killed.rowCount).toBeGreaterThanOrEqual(2);
      } finally {
        await admin.end();
      }
      // Written while B has no LISTEN connection: B reads it once it has reconnected.
      await a.apply([{ verb: 'create', object: obj('Cluster', 'after') }], alice);
      expect((await got).map((e) => e.object.metadata.name)).toEqual(['before', 'after']);
    });

    it('survives the server ending a connection it has checked out (no uncaught error): the next statement fails as unavailable', async () => {
      // A restart or an operator's pg_terminate_backend while a transaction waits between two
      // statements: pg then emits 'error' on a client the pool no longer listens to.
      const db = createConnections({ connectionString: url, max: 2 });
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const c = await db.begin('BEGIN');
        const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await new Promise((r) => setTimeout(r, 200));
        const next = await c.query('SELECT 1').then(() => undefined, (e: unknown) => e);
        expect(isConnectionError(next)).toBe(true);
        c.release(next as Error);
        expect((await db.statement<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
      } finally {
        await admin.end();
        await db.pool.end();
      }
    });

    it('rides out a database restart: writes fail as unavailable while it is down, watchers resume after', async () => {
      const [a, b] = await replicas({ pollIntervalMs: 3_600_000 });
      const ac = new AbortController();
      const got = collect(b.watch('Cluster', { signal: ac.signal }), 2, ac);
      await a.apply([{ verb: 'create', object: obj('Cluster', 'before') }], alice);
      await cluster!.restart(async () => {
        await expect(a.apply([{ verb: 'create', object: obj('Cluster', 'down') }], alice)).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(b.get({ kind: 'Cluster', name: 'before' })).rejects.toBeInstanceOf(StoreUnavailableError);
      });
      await a.apply([{ verb: 'create', object: obj('Cluster', 'after') }], alice);
      expect((await got).map((e) => e.object.metadata.name)).toEqual(['before', 'after']);
      expect(await b.verifyAudit()).toMatchObject({ ok: true, entries: 2 });
    });

    it('expires a watch from a revision another replica compacted, and replays from the compaction point', async () => {
      const [a, b] = await replicas({ pollIntervalMs: 3_600_000 });
      for (let i = 0; i < 5; i++) await a.apply([{ verb: 'upsert', object: obj('Cluster', 'c', undefined, { spec: { i } }) }], alice);
      expect(await a.compact(3)).toEqual({ removed: 3, compactedRevision: '3' });
      const it = b.watch('Cluster', { resourceVersion: '2' })[Symbol.asyncIterator]();
      await expect(it.next()).rejects.toBeInstanceOf(ExpiredError);
      expect(() => b.watch('Cluster', { resourceVersion: '1' })).toThrow(ExpiredError);
      const ac = new AbortController();
      const got = collect(b.watch('Cluster', { resourceVersion: '3', signal: ac.signal }), 2, ac);
      expect((await got).map((e) => rv(e.object))).toEqual([4, 5]);
      expect((await b.history('Cluster', { since: '2000-01-01' })).map((h) => h.resourceVersion)).toEqual(['4', '5']);
      expect(await b.verifyAudit()).toMatchObject({ ok: true, entries: 5 });
    });

    it('a watcher resumes on another replica from the resourceVersion it had reached', async () => {
      const [a, b] = await replicas();
      for (let i = 0; i < 5; i++) await a.apply([{ verb: 'upsert', object: obj('Cluster', 'c', undefined, { spec: { i } }) }], alice);
      const ac = new AbortController();
      const got = collect(b.watch('Cluster', { resourceVersion: '3', signal: ac.signal }), 3, ac);
      await a.apply([{ verb: 'delete', ref: { kind: 'Cluster', name: 'c' } }], alice);
      expect((await got).map((e) => `${e.type} ${rv(e.object)}`)).toEqual(['MODIFIED 4', 'MODIFIED 5', 'DELETED 6']);
    });
  });

  it('ends a watch that is still replaying, without an error, when the store closes', async () => {
    const s = await openPostgresStore({ url, schema: `replay_${n++}`, watchPageSize: 1, log: () => undefined });
    for (let i = 0; i < 20; i++) await s.apply([{ verb: 'upsert', object: obj('Cluster', 'c', undefined, { spec: { i } }) }], alice);
    const seen: number[] = [];
    let closing: Promise<void> | undefined;
    for await (const e of s.watch('Cluster', { resourceVersion: '0' })) {
      seen.push(rv(e.object));
      closing ??= s.close();
    }
    await closing;
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(seen.length).toBeLessThan(20);
  });

  describe('opening', () => {
    it('refuses a malformed URL with a ValidationError naming the store option', async () => {
      await expect(openPostgresStore({ url: 'postgres://' })).rejects.toBeInstanceOf(ValidationError);
      await expect(openPostgresStore({ url: 'not a url' })).rejects.toThrow(/not a Postgres URL/);
    });

    it('fails with StoreUnavailableError, password hidden, when nothing listens', async () => {
      const err = await openPostgresStore({ url: `postgres://u:secret@127.0.0.1:1/db`, connectTimeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(String((err as Error).message)).toMatch(/cannot connect to the Postgres store at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/);
      expect(String((err as Error).message)).not.toContain('secret');
    });

    it('fails with StoreUnavailableError when the database does not exist', async () => {
      await expect(openPostgresStore({ url: cluster!.url('no_such_db') })).rejects.toBeInstanceOf(StoreUnavailableError);
    });

    it('is what openStore opens for a postgres:// or postgresql:// URL', async () => {
      const a = await openStore(url);
      await a.apply([{ verb: 'create', object: obj('Cluster', 'via-open-store') }], alice);
      await a.close();
      const b = await openStore(url.replace(/^postgres:/, 'postgresql:'));
      expect(await b.get({ kind: 'Cluster', name: 'via-open-store' })).toBeDefined();
      expect((b as PostgresStore).location).toBe(url.replace(/^postgres:/, 'postgresql:'));
      await b.close();
    });

    it('says what the database refused when the user may not create the tables, and runs with row privileges only once they exist', async () => {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query('CREATE ROLE weak LOGIN');
      await admin.end();
      const err = await openPostgresStore({ url: url.replace('postgres@', 'weak@'), schema: 'weak_schema' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(/^store: cannot set up the Postgres store at postgres:\/\/weak@.* \(schema "weak_schema"\): 42501: permission denied/);

      // Once an owner has created the tables, a user with only row privileges can run the store.
      const owner = await openPostgresStore({ url, schema: 'granted', log: () => undefined });
      await owner.close();
      const grant = new pg.Client({ connectionString: url });
      await grant.connect();
      await grant.query('GRANT USAGE ON SCHEMA granted TO weak; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA granted TO weak');
      await grant.end();
      const limited = await openPostgresStore({ url: url.replace('postgres@', 'weak@'), schema: 'granted', log: () => undefined });
      try {
        await limited.apply([{ verb: 'create', object: obj('Cluster', 'c') }], alice);
        expect(await limited.verifyAudit()).toMatchObject({ ok: true, entries: 1 });
      } finally {
        await limited.close();
      }
    });

    it('lets several replicas create the tables at the same time', async () => {
      const schema = `race_${n++}`;
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url, schema, log: () => undefined })));
      try {
        await stores[0]!.apply([{ verb: 'create', object: obj('Cluster', 'c') }], alice);
        expect(await stores[3]!.get({ kind: 'Cluster', name: 'c' })).toBeDefined();
      } finally {
        for (const s of stores) await s.close();
      }
    });

    it('keeps state across reopen and refuses a layout newer than it knows', async () => {
      const schema = `reopen_${n++}`;
      const s1 = await openPostgresStore({ url, schema });
      await s1.apply([{ verb: 'create', object: obj('Cluster', 'c1') }], alice);
      await s1.close();
      const s2 = await openPostgresStore({ url, schema });
      expect(await s2.get({ kind: 'Cluster', name: 'c1' })).toBeDefined();
      expect(await s2.revision()).toBe('1');
      await s2.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`UPDATE ${schema}.meta SET value = 99 WHERE key = 'schema_version'`);
      await admin.end();
      await expect(openPostgresStore({ url, schema })).rejects.toThrow(/newer TrustStram \(layout 99/);
      // An operator's step (upgrade the binary), not a bug: a ValidationError, which the CLI exits 1 for.
      await expect(openPostgresStore({ url, schema })).rejects.toBeInstanceOf(ValidationError);
    });

    it('upgrades a layout-2 database in place: the leases gain their epoch column, and leases held before keep working', async () => {
      const schema = `upgrade_${n++}`;
      const s1 = await openPostgresStore({ url, schema });
      await s1.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        // What a layout-2 server left behind: no epoch column, and a leader's lease without one.
        await admin.query(`ALTER TABLE ${schema}.leases DROP COLUMN epoch`);
        await admin.query(`UPDATE ${schema}.meta SET value = 2 WHERE key = 'schema_version'`);
        await admin.query(`INSERT INTO ${schema}.leases VALUES ('leader', 'old-server', 60000, $1, $1)`, [Date.now()]);
        const s2 = await openPostgresStore({ url, schema, log: () => undefined });
        try {
          expect((await admin.query(`SELECT value FROM ${schema}.meta WHERE key = 'schema_version'`)).rows[0].value).toBe('3');
          expect(s2.sharedLeases.get('leader')).toMatchObject({ holder: 'old-server' });
          expect(s2.sharedLeases.get('leader')).not.toHaveProperty('epoch');
          await expect(s2.sharedLeases.renew('leader', 'new-server', 5000, undefined, 4)).resolves.toMatchObject({ holder: 'new-server', epoch: 4 });
        } finally {
          await s2.close();
        }
      } finally {
        await admin.end();
      }
    });
  });
});
