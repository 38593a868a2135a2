// The audit chain inside the SQLite file: row mapping, appending in the caller's transaction,
// queries, and verification (the chain itself plus cross-checks against the head record, the
// revision counter, the history and the objects, which is what exposes a cut-off tail).
import type { ApiObject } from '../../api/index.js';
import { createChainVerifier, digestOf, linkEntry, type AuditEntryFields } from '../../audit/index.js';
import { entryToRow, headProblem, normaliseTime, rowToEntry, type AuditProblem, type AuditRow } from '../audit-row.js';
import type { AuditEntry, AuditQuery, AuditVerifyResult } from '../store.js';
import type { Db, Statements } from './schema.js';

/**
 * Appends entries inside an open transaction. The chain continues from the head record (not
 * from the last row) so that a tampered tail is never silently re-linked over.
 */
export function createAppender(st: Statements) {
  const head = st.getHead.get();
  let prev: Pick<AuditEntry, 'seq' | 'hash'> | undefined = head ? { seq: head.seq, hash: head.hash } : undefined;
  return {
    append(fields: Omit<AuditEntryFields, 'seq'>): AuditEntry {
      const entry = linkEntry({ seq: (prev?.seq ?? 0) + 1, ...fields }, prev);
      st.insertAudit.run(entryToRow(entry));
      prev = entry;
      return entry;
    },
    /** Writes the new head; call once at the end of the transaction. */
    finish(): void {
      if (prev && prev.seq !== head?.seq) st.setHead.run(prev.seq, prev.hash);
    },
  };
}

/** Reads entries matching `q`, oldest first. */
export function queryAudit(db: Db, q: AuditQuery = {}): AuditEntry[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.since !== undefined) {
    where.push('time >= ?');
    args.push(normaliseTime(q.since, 'since'));
  }
  if (q.afterSeq !== undefined) {
    where.push('seq > ?');
    args.push(q.afterSeq);
  }
  for (const [col, v] of [['kind', q.ref?.kind], ['namespace', q.ref?.namespace], ['name', q.ref?.name]] as const) {
    if (v === undefined) continue;
    where.push(`${col} = ?`);
    args.push(v);
  }
  let sql = `SELECT * FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
  if (q.limit !== undefined) {
    sql += ' LIMIT ?';
    args.push(Math.max(0, Math.floor(q.limit)));
  }
  return (db.prepare(sql).all(...args) as AuditRow[]).map(rowToEntry);
}

/**
 * Verifies the chain row by row, then cross-checks what a chain alone cannot show. Reports the
 * problem with the lowest seq. Runs synchronously on the store's connection.
 */
export function verifyStoredAudit(db: Db, st: Statements): AuditVerifyResult {
  const v = createChainVerifier();
  let last: AuditEntry | undefined;
  for (const row of st.allAudit.iterate()) {
    const e = rowToEntry(row);
    if (v.push(e)) break;
    last = e;
  }
  const res = v.result();
  if (!res.ok) return res;
  const next = (last?.seq ?? 0) + 1;
  const head = st.getHead.get();
  const problems = [headProblem(head ? { seq: head.seq, hash: head.hash } : undefined, last), ...crossProblems(db, st, next)].filter((p): p is AuditProblem => p !== undefined);
  if (!problems.length) return res;
  problems.sort((a, b) => a.seq - b.seq);
  return { ...res, ok: false, firstBad: problems[0]! };
}

// Every object change writes one revision and one audit entry with that resourceVersion, in one
// transaction. So: the newest revision must be audited, every retained history row and every
// current object must have its audit entry with a matching digest, and every audited revision
// above the compaction point must still be in the history.
function crossProblems(db: Db, st: Statements, nextSeq: number): (AuditProblem | undefined)[] {
  const out: (AuditProblem | undefined)[] = [];
  const revision = st.getMeta.get('revision')!.value;
  const compacted = st.getMeta.get('compacted_revision')!.value;
  const maxAudited = (db.prepare('SELECT MAX(resource_version) AS m FROM audit').get() as { m: number | null }).m ?? 0;
  if (maxAudited < revision)
    out.push({ seq: nextSeq, problem: `revisions ${maxAudited + 1}..${revision} have no audit entries: entries after ${nextSeq - 1} were cut off (truncated)` });
  if (maxAudited > revision) out.push({ seq: seqOfRevision(db, maxAudited), problem: `audit entry for revision ${maxAudited} is ahead of the store revision ${revision}` });

  const unaudited = db
    .prepare('SELECT r.revision AS revision FROM revisions r LEFT JOIN audit a ON a.resource_version = r.revision WHERE a.seq IS NULL ORDER BY r.revision LIMIT 1')
    .get() as { revision: number } | undefined;
  if (unaudited) {
    out.push({ seq: seqWhereRevisionBelongs(db, unaudited.revision), problem: `revision ${unaudited.revision} is in the history but has no audit entry (entries were deleted)` });
  }

  const historyRows = db
    .prepare(
      `SELECT a.seq AS seq, r.revision AS revision, r.type AS type, r.kind AS kind, r.namespace AS namespace, r.name AS name, r.json AS json,
              a.kind AS akind, a.namespace AS anamespace, a.name AS aname, a.after_digest AS digest
         FROM revisions r JOIN audit a ON a.resource_version = r.revision ORDER BY a.seq`,
    )
    .iterate() as IterableIterator<{ seq: number; revision: number; type: string; kind: string; namespace: string; name: string; json: string; akind: string | null; anamespace: string | null; aname: string | null; digest: string | null }>;
  for (const r of historyRows) {
    const sameRef = r.kind === r.akind && r.namespace === (r.anamespace ?? '') && r.name === r.aname;
    const digestOk = r.type === 'DELETED' || r.digest === digestOf(JSON.parse(r.json) as ApiObject);
    if (!sameRef || !digestOk) {
      out.push({ seq: r.seq, problem: `history row for revision ${r.revision} does not match audit entry ${r.seq} (edited outside the store)` });
      break;
    }
  }

  const missingHistory = db
    .prepare('SELECT a.seq AS seq, a.resource_version AS rv FROM audit a LEFT JOIN revisions r ON r.revision = a.resource_version WHERE a.resource_version > ? AND r.revision IS NULL ORDER BY a.seq LIMIT 1')
    .get(compacted) as { seq: number; rv: number } | undefined;
  if (missingHistory) out.push({ seq: missingHistory.seq, problem: `revision ${missingHistory.rv} of audit entry ${missingHistory.seq} is missing from the history (deleted outside the store)` });

  const objects = db
    .prepare(
      `SELECT o.kind AS kind, o.namespace AS namespace, o.name AS name, o.revision AS revision, o.json AS json, a.seq AS seq, a.after_digest AS digest
         FROM objects o LEFT JOIN audit a ON a.resource_version = o.revision ORDER BY o.revision`,
    )
    .iterate() as IterableIterator<{ kind: string; namespace: string; name: string; revision: number; json: string; seq: number | null; digest: string | null }>;
  for (const o of objects) {
    const key = `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    if (o.seq === null) {
      out.push({ seq: seqWhereRevisionBelongs(db, o.revision), problem: `object ${key} at revision ${o.revision} has no audit entry (entries were deleted or the object was written outside the store)` });
      break;
    }
    if (o.digest !== digestOf(JSON.parse(o.json) as ApiObject)) {
      out.push({ seq: o.seq, problem: `object ${key} does not match the digest in audit entry ${o.seq} (edited outside the store)` });
      break;
    }
  }
  return out;
}

// The seq an unaudited revision's entry would have had: right after the last entry before it.
function seqWhereRevisionBelongs(db: Db, rv: number): number {
  return (db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM audit WHERE resource_version < ?').get(rv) as { s: number }).s;
}

function seqOfRevision(db: Db, rv: number): number {
  return (db.prepare('SELECT seq FROM audit WHERE resource_version = ?').get(rv) as { seq: number } | undefined)?.seq ?? 1;
}
