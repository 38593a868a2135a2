import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { linkEntry, verifyChain } from '../../audit/index.js';
import type { AuditEntry } from '../store.js';
import { obj } from '../testing/fixtures.js';
import { rowToEntry } from '../audit-row.js';
import type { AuditRow } from './schema.js';
import { openSqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'truststram-tamper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const alice = { actor: 'user:alice' };

// Entries 1..12: mutations at seq 1,2,3 / 5,6 / 8 / 10,11,12 (revisions 1..9) and decisions at 4, 7, 9.
const pristine = join(dir, 'pristine.db');
const pristineHead = await (async () => {
  const s = openSqliteStore({ path: pristine });
  await s.apply(['a', 'b', 'c'].map((n) => ({ verb: 'create' as const, object: obj('Cluster', n, undefined, { spec: { n } }) })), alice);
  await s.recordDecision({ actor: 'controller:placement', verb: 'schedule', details: { pick: 'a' } });
  await s.apply([{ verb: 'upsert', object: obj('Cluster', 'a', undefined, { spec: { n: 'a2' } }) }, { verb: 'create', object: obj('Workload', 'w', 'p') }], alice);
  await s.recordDecision({ actor: 'controller:failover', verb: 'failover', details: { from: 'a' } });
  await s.apply([{ verb: 'delete', ref: { kind: 'Cluster', name: 'b' } }], alice);
  await s.recordDecision({ actor: 'controller:budget', verb: 'budget-alert' });
  await s.apply(['d', 'e', 'f'].map((n) => ({ verb: 'create' as const, object: obj('Cluster', n) })), alice);
  const v = await s.verifyAudit();
  expect(v).toMatchObject({ ok: true, entries: 12 });
  await s.close();
  return { seq: 12, hash: v.headHash };
})();

let copies = 0;
/** Copies the pristine file, lets `edit` change it through a separate connection, then verifies through the store. */
async function tamperAndVerify(edit: (db: Database.Database) => void) {
  const path = join(dir, `copy-${copies++}.db`);
  copyFileSync(pristine, path);
  const raw = new Database(path);
  try {
    edit(raw);
  } finally {
    raw.close();
  }
  const s = openSqliteStore({ path });
  try {
    return { result: await s.verifyAudit(), log: await s.auditLog() };
  } finally {
    await s.close();
  }
}

const row = (db: Database.Database, seq: number) => rowToEntry(db.prepare('SELECT * FROM audit WHERE seq = ?').get(seq) as AuditRow);
const writeEntry = (db: Database.Database, e: AuditEntry) =>
  db
    .prepare('UPDATE audit SET time=?, actor=?, verb=?, details=?, prev_hash=?, hash=? WHERE seq=?')
    .run(e.time, e.actor, e.verb, e.details === undefined ? null : JSON.stringify(e.details), e.prevHash, e.hash, e.seq);
// Renumbers entries from `seq` on by +1, leaving a hole at `seq` (highest first, to keep seq unique).
const openHole = (db: Database.Database, seq: number) => {
  for (const { seq: s } of db.prepare('SELECT seq FROM audit WHERE seq >= ? ORDER BY seq DESC').all(seq) as { seq: number }[])
    db.prepare('UPDATE audit SET seq = ? WHERE seq = ?').run(s + 1, s);
};

describe('audit tampering in the SQLite file', () => {
  it('finds an edited entry', async () => {
    const { result } = await tamperAndVerify((db) => db.prepare("UPDATE audit SET actor = 'user:mallory' WHERE seq = 6").run());
    expect(result.firstBad).toEqual({ seq: 6, problem: expect.stringMatching(/entry 6 was modified/) });
  });

  it('finds an edited decision even when its hash is recomputed', async () => {
    const { result } = await tamperAndVerify((db) => {
      const e = row(db, 7);
      writeEntry(db, linkEntry({ ...e, details: { from: 'z' } }, { hash: e.prevHash }));
    });
    expect(result.firstBad).toEqual({ seq: 8, problem: expect.stringMatching(/entry 8 does not link to entry 7/) });
  });

  it('finds a deleted entry in the middle', async () => {
    const { result } = await tamperAndVerify((db) => db.prepare('DELETE FROM audit WHERE seq = 7').run());
    expect(result.firstBad).toEqual({ seq: 7, problem: expect.stringMatching(/entry 7 is missing/) });
  });

  it('finds an inserted entry, even one linked correctly to its predecessor', async () => {
    const { result } = await tamperAndVerify((db) => {
      openHole(db, 5);
      const forged = linkEntry({ seq: 5, time: row(db, 4).time, actor: 'user:mallory', verb: 'schedule' }, row(db, 4));
      db.prepare('INSERT INTO audit (seq, time, actor, verb, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)').run(forged.seq, forged.time, forged.actor, forged.verb, forged.prevHash, forged.hash);
    });
    expect(result.firstBad).toEqual({ seq: 6, problem: expect.stringMatching(/entry 6 does not link to entry 5/) });
  });

  it('finds reordered entries', async () => {
    const { result } = await tamperAndVerify((db) => {
      db.prepare('UPDATE audit SET seq = -1 WHERE seq = 4').run();
      db.prepare('UPDATE audit SET seq = 4 WHERE seq = 5').run();
      db.prepare('UPDATE audit SET seq = 5 WHERE seq = -1').run();
    });
    expect(result.firstBad?.seq).toBe(4);
    expect(result.ok).toBe(false);
  });

  it('finds entries cut off the end through the head record', async () => {
    const { result } = await tamperAndVerify((db) => db.prepare('DELETE FROM audit WHERE seq > 10').run());
    expect(result.firstBad).toEqual({ seq: 11, problem: expect.stringMatching(/entries 11\.\.12 are missing.*truncated/) });
  });

  it('finds a cut-off tail even when the head record is rewritten to match, through the revision log', async () => {
    const { result } = await tamperAndVerify((db) => {
      db.prepare('DELETE FROM audit WHERE seq > 10').run();
      db.prepare('UPDATE audit_head SET seq = 10, hash = ? WHERE id = 1').run(row(db, 10).hash);
    });
    expect(result.firstBad).toEqual({ seq: 11, problem: expect.stringMatching(/revisions 8\.\.9 have no audit entries.*truncated/) });
  });

  it('finds objects and history edited behind the store back', async () => {
    const obj1 = await tamperAndVerify((db) => db.prepare(`UPDATE objects SET json = json_set(json, '$.spec.n', 'evil') WHERE name = 'a'`).run());
    expect(obj1.result.firstBad).toEqual({ seq: 5, problem: expect.stringMatching(/object Cluster\/a does not match the digest in audit entry 5/) });
    const hist = await tamperAndVerify((db) => db.prepare(`UPDATE revisions SET json = json_set(json, '$.spec.n', 'evil') WHERE revision = 1`).run());
    expect(hist.result.firstBad).toEqual({ seq: 1, problem: expect.stringMatching(/history row for revision 1 does not match audit entry 1/) });
    const gone = await tamperAndVerify((db) => db.prepare('DELETE FROM revisions WHERE revision = 4').run());
    expect(gone.result.firstBad).toEqual({ seq: 5, problem: expect.stringMatching(/revision 4 of audit entry 5 is missing from the history/) });
  });

  it('cannot see a consistent rewrite of the whole chain, but the exported head hash can', async () => {
    const { result, log } = await tamperAndVerify((db) => {
      let prev: AuditEntry | undefined;
      for (let seq = 1; seq <= 12; seq++) {
        const e = row(db, seq);
        const { prevHash: _p, hash: _h, ...f } = e;
        const next = linkEntry(seq === 7 ? { ...f, details: { from: 'rewritten' } } : f, prev);
        writeEntry(db, next);
        prev = next;
      }
      db.prepare('UPDATE audit_head SET hash = ? WHERE id = 1').run(prev!.hash);
    });
    expect(result.ok).toBe(true);
    expect(verifyChain(log, { expectedHead: pristineHead }).firstBad?.problem).toMatch(/rewritten/);
  });

  it('detects any single-row edit of any audit column (property)', async () => {
    const columns = ['time', 'actor', 'verb', 'kind', 'namespace', 'name', 'resource_version', 'before_digest', 'after_digest', 'details', 'prev_hash', 'hash'] as const;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.constantFrom(...columns), async (seq, column) => {
        const { result } = await tamperAndVerify((db) => {
          const value = column === 'resource_version' ? 99 : column === 'details' ? '{"x":1}' : column === 'time' ? '2000-01-01T00:00:00.000Z' : 'tampered';
          db.prepare(`UPDATE audit SET ${column} = ? WHERE seq = ?`).run(value, seq);
        });
        expect(result.ok).toBe(false);
        expect(result.firstBad!.seq).toBeLessThanOrEqual(seq + 1);
      }),
      { numRuns: 40 },
    );
  });
});
