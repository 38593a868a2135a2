// Tampering with the Postgres tables directly through SQL (as a DBA or an intruder could) is
// found by verifyAudit: each case edits a fresh copy of one pristine database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { linkEntry } from '../../audit/index.js';
import { rowToEntry, type AuditRow } from '../audit-row.js';
import { obj } from '../testing/fixtures.js';
import { openPostgresStore } from './postgres-store.js';
import { requirePgBinDir, startPgCluster, type PgCluster } from './testing/pg-harness.js';

const bindir = requirePgBinDir();
let cluster: PgCluster | undefined;
let copies = 0;
const alice = { actor: 'user:alice' };
const quiet = { log: () => undefined };

/** Copies the pristine database, runs `edit` on it over a plain connection, then verifies through a store. */
async function tamperAndVerify(edit: (db: pg.Client) => Promise<unknown>) {
  const name = `copy_${copies++}`;
  const admin = new pg.Client({ connectionString: cluster!.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE pristine`);
  await admin.end();
  const db = new pg.Client({ connectionString: cluster!.url(name) });
  await db.connect();
  try {
    await db.query('SET search_path = truststram');
    await edit(db);
  } finally {
    await db.end();
  }
  const s = await openPostgresStore({ url: cluster!.url(name), ...quiet });
  try {
    return await s.verifyAudit();
  } finally {
    await s.close();
  }
}

const row = async (db: pg.Client, seq: number) => rowToEntry((await db.query<AuditRow>('SELECT * FROM audit WHERE seq = $1', [seq])).rows[0]!);

describe.skipIf(!bindir)('audit tampering in the Postgres tables', () => {
  beforeAll(async () => {
    cluster = await startPgCluster(bindir!);
    // Entries 1..12: mutations at seq 1,2,3 / 5,6 / 8 / 10,11,12 (revisions 1..9), decisions at 4, 7, 9.
    const s = await openPostgresStore({ url: await cluster.createDatabase('pristine'), ...quiet });
    await s.apply(['a', 'b', 'c'].map((n) => ({ verb: 'create' as const, object: obj('Cluster', n, undefined, { spec: { n } }) })), alice);
    await s.recordDecision({ actor: 'controller:placement', verb: 'schedule', details: { pick: 'a' } });
    await s.apply([{ verb: 'upsert', object: obj('Cluster', 'a', undefined, { spec: { n: 'a2' } }) }, { verb: 'create', object: obj('Workload', 'w', 'p') }], alice);
    await s.apply([{ verb: 'delete', ref: { kind: 'Cluster', name: 'b' } }], { ...alice, decisions: [{ actor: 'controller:failover', verb: 'failover', details: { from: 'a' } }] });
    await s.recordDecision({ actor: 'controller:budget', verb: 'budget-alert' });
    await s.apply(['d', 'e', 'f'].map((n) => ({ verb: 'create' as const, object: obj('Cluster', n) })), alice);
    expect(await s.verifyAudit()).toMatchObject({ ok: true, entries: 12 });
    await s.close();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('accepts an untouched copy', async () => {
    expect(await tamperAndVerify(async () => undefined)).toMatchObject({ ok: true, entries: 12 });
  });

  it('finds an edited entry', async () => {
    const result = await tamperAndVerify((db) => db.query("UPDATE audit SET actor = 'user:mallory' WHERE seq = 6"));
    expect(result.firstBad).toEqual({ seq: 6, problem: expect.stringMatching(/entry 6 was modified/) });
  });

  it('finds an edited decision even when its hash is recomputed', async () => {
    const result = await tamperAndVerify(async (db) => {
      const e = await row(db, 8);
      const forged = linkEntry({ ...e, details: { from: 'z' } }, { hash: e.prevHash });
      await db.query('UPDATE audit SET details = $1, hash = $2 WHERE seq = 8', [JSON.stringify(forged.details), forged.hash]);
    });
    expect(result.firstBad).toEqual({ seq: 9, problem: expect.stringMatching(/entry 9 does not link to entry 8/) });
  });

  it('finds a deleted entry in the middle', async () => {
    const result = await tamperAndVerify((db) => db.query('DELETE FROM audit WHERE seq = 9'));
    expect(result.firstBad).toEqual({ seq: 9, problem: expect.stringMatching(/entry 9 is missing/) });
  });

  it('finds entries cut off the end, through the head record and then through the revision counter', async () => {
    const cut = await tamperAndVerify((db) => db.query('DELETE FROM audit WHERE seq > 10'));
    expect(cut.firstBad).toEqual({ seq: 11, problem: expect.stringMatching(/entries 11\.\.12 are missing.*truncated/) });
    const hidden = await tamperAndVerify(async (db) => {
      await db.query('DELETE FROM audit WHERE seq > 10');
      await db.query('UPDATE audit_head SET seq = 10, hash = $1 WHERE id = 1', [(await row(db, 10)).hash]);
    });
    expect(hidden.firstBad).toEqual({ seq: 11, problem: expect.stringMatching(/revisions 8\.\.9 have no audit entries.*truncated/) });
  });

  it('finds objects and history edited behind the store\'s back', async () => {
    const edited = await tamperAndVerify((db) => db.query(`UPDATE objects SET json = jsonb_set(json::jsonb, '{spec,n}', '"evil"')::text WHERE name = 'a'`));
    expect(edited.firstBad).toEqual({ seq: 5, problem: expect.stringMatching(/object Cluster\/a does not match the digest in audit entry 5/) });
    const history = await tamperAndVerify((db) => db.query(`UPDATE revisions SET json = jsonb_set(json::jsonb, '{spec,n}', '"evil"')::text WHERE revision = 1`));
    expect(history.firstBad).toEqual({ seq: 1, problem: expect.stringMatching(/history row for revision 1 does not match audit entry 1/) });
    const gone = await tamperAndVerify((db) => db.query('DELETE FROM revisions WHERE revision = 4'));
    expect(gone.firstBad).toEqual({ seq: 5, problem: expect.stringMatching(/revision 4 of audit entry 5 is missing from the history/) });
    const planted = await tamperAndVerify((db) =>
      db.query(`INSERT INTO objects (kind, namespace, name, revision, json) VALUES ('Cluster', '', 'planted', 100, $1)`, [JSON.stringify(obj('Cluster', 'planted'))]),
    );
    expect(planted.firstBad?.problem).toMatch(/object Cluster\/planted at revision 100 has no audit entry/);
  });

  it('detects any single-row edit of any audit column (property)', async () => {
    const columns = ['time', 'actor', 'verb', 'kind', 'namespace', 'name', 'resource_version', 'before_digest', 'after_digest', 'details', 'prev_hash', 'hash'] as const;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.constantFrom(...columns), async (seq, column) => {
        const result = await tamperAndVerify((db) => {
          const value = column === 'resource_version' ? 99 : column === 'details' ? '{"x":1}' : column === 'time' ? '2000-01-01T00:00:00.000Z' : 'tampered';
          return db.query(`UPDATE audit SET ${column} = $1 WHERE seq = $2`, [value, seq]);
        });
        expect(result.ok).toBe(false);
        expect(result.firstBad!.seq).toBeLessThanOrEqual(seq + 1);
      }),
      { numRuns: 20 },
    );
  });
});
