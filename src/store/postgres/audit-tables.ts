// The audit chain in Postgres: entries linked in memory and inserted in the writer's
// transaction, log queries, and verification (the chain plus the same cross-checks against head,
// revision counter, history and objects as the SQLite store, on one consistent snapshot).
import type pg from 'pg';
import type { ApiObject } from '../../api/index.js';
import { createChainVerifier, digestOf, linkEntry, type AuditEntryFields } from '../../audit/index.js';
import { entryToRow, headProblem, normaliseTime, rowToEntry, type AuditProblem, type AuditRow } from '../audit-row.js';
import type { AuditEntry, AuditQuery, AuditVerifyResult } from '../store.js';
import type { Tables } from './schema.js';

/** The recorded head of the chain: the newest entry's seq and hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** Reads the head record inside the writer's transaction (after it took the write lock). */
export async function readHead(c: pg.ClientBase, t: Tables): Promise<ChainHead | undefined> {
  const r = await c.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${t.head} WHERE id = 1`);
  return r.rows[0] ? { seq: Number(r.rows[0].seq), hash: r.rows[0].hash } : undefined;
}

/**
 * Links entries after the recorded head (not after the last row, so a tampered tail is never
 * silently re-linked over); `flush` writes them and the new head in the caller's transaction.
 */
export function createChainBuilder(head: ChainHead | undefined) {
  let prev: ChainHead | undefined = head;
  const entries: AuditEntry[] = [];
  return {
    entries,
    append(fields: Omit<AuditEntryFields, 'seq'>): AuditEntry {
      const entry = linkEntry({ seq: (prev?.seq ?? 0) + 1, ...fields }, prev);
      entries.push(entry);
      prev = entry;
      return entry;
    },
    async flush(c: pg.ClientBase, t: Tables): Promise<void> {
      if (!entries.length) return;
      const rows = entries.map(entryToRow);
      const col = <K extends keyof AuditRow>(k: K) => rows.map((r) => r[k]);
      const last = entries.at(-1)!;
      // The entries and the new head in one statement.
      await c.query({
        ...t.named(
          'append-audit',
          `WITH appended AS (
             INSERT INTO ${t.audit} (seq, time, actor, verb, kind, namespace, name, resource_version, before_digest, after_digest, details, prev_hash, hash)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]))
           INSERT INTO ${t.head} (id, seq, hash) VALUES (1, $14, $15) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`,
        ),
        values: [col('seq'), col('time'), col('actor'), col('verb'), col('kind'), col('namespace'), col('name'), col('resource_version'), col('before_digest'), col('after_digest'), col('details'), col('prev_hash'), col('hash'), last.seq, last.hash],
      });
    },
  };
}

/** Reads entries matching `q`, oldest first. */
export async function queryAudit(read: (sql: string, args: unknown[]) => Promise<{ rows: AuditRow[] }>, t: Tables, q: AuditQuery = {}): Promise<AuditEntry[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const arg = (v: string | number) => {
    args.push(v);
    return `$${args.length}`;
  };
  if (q.since !== undefined) where.push(`time >= ${arg(normaliseTime(q.since, 'since'))}`);
  if (q.afterSeq !== undefined) where.push(`seq > ${arg(q.afterSeq)}`);
  for (const [col, v] of [['kind', q.ref?.kind], ['namespace', q.ref?.namespace], ['name', q.ref?.name]] as const) if (v !== undefined) where.push(`${col} = ${arg(v)}`);
  let sql = `SELECT * FROM ${t.audit}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
  if (q.limit !== undefined) sql += ` LIMIT ${arg(Math.max(0, Math.floor(q.limit)))}`;
  return (await read(sql, args)).rows.map(rowToEntry);
}

const PAGE = 1000;

/**
 * Verifies the chain page by page, then cross-checks what a chain alone cannot show; reports the
 * problem with the lowest seq. Run it inside a REPEATABLE READ transaction (one snapshot).
 */
export async function verifyAuditTables(c: pg.ClientBase, t: Tables): Promise<AuditVerifyResult> {
  const v = createChainVerifier();
  let last: AuditEntry | undefined;
  let broken = false;
  for (let after = 0; !broken; ) {
    const rows = (await c.query<AuditRow>(`SELECT * FROM ${t.audit} WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`, [after])).rows;
    for (const row of rows) {
      const e = rowToEntry(row);
      if (v.push(e)) {
        broken = true;
        break;
      }
      last = e;
    }
    if (rows.length < PAGE) break;
    after = Number(rows.at(-1)!.seq);
  }
  const res = v.result();
  if (!res.ok) return res;
  const problems = [headProblem(await readHead(c, t), last), ...(await crossProblems(c, t, (last?.seq ?? 0) + 1))].filter((p): p is AuditProblem => p !== undefined);
  if (!problems.length) return res;
  problems.sort((a, b) => a.seq - b.seq);
  return { ...res, ok: false, firstBad: problems[0]! };
}

// Every object change writes one revision and one audit entry with that resourceVersion, in one
// transaction. So: the newest revision must be audited, every retained history row and every
// current object must have its audit entry with a matching digest, and every audited revision
// above the compaction point must still be in the history.
async function crossProblems(c: pg.ClientBase, t: Tables, nextSeq: number): Promise<(AuditProblem | undefined)[]> {
  const out: (AuditProblem | undefined)[] = [];
  const one = async <T>(sql: string, args: unknown[] = []) => (await c.query<T & pg.QueryResultRow>(sql, args)).rows[0];
  const meta = await one<{ revision: string; compacted: string; max_audited: string | null }>(
    `SELECT (SELECT value FROM ${t.meta} WHERE key = 'revision') AS revision, (SELECT value FROM ${t.meta} WHERE key = 'compacted_revision') AS compacted,
            (SELECT MAX(resource_version) FROM ${t.audit}) AS max_audited`,
  );
  const revision = Number(meta!.revision);
  const compacted = Number(meta!.compacted);
  const maxAudited = Number(meta!.max_audited ?? 0);
  if (maxAudited < revision)
    out.push({ seq: nextSeq, problem: `revisions ${maxAudited + 1}..${revision} have no audit entries: entries after ${nextSeq - 1} were cut off (truncated)` });
  if (maxAudited > revision) out.push({ seq: await seqOfRevision(c, t, maxAudited), problem: `audit entry for revision ${maxAudited} is ahead of the store revision ${revision}` });

  const unaudited = await one<{ revision: string }>(
    `SELECT r.revision FROM ${t.revisions} r LEFT JOIN ${t.audit} a ON a.resource_version = r.revision WHERE a.seq IS NULL ORDER BY r.revision LIMIT 1`,
  );
  if (unaudited) {
    const rv = Number(unaudited.revision);
    out.push({ seq: await seqWhereRevisionBelongs(c, t, rv), problem: `revision ${rv} is in the history but has no audit entry (entries were deleted)` });
  }

  type HistoryJoin = { seq: string; revision: string; type: string; kind: string; namespace: string; name: string; json: string; akind: string | null; anamespace: string | null; aname: string | null; digest: string | null };
  history: for (let after = 0; ; ) {
    const rows = (
      await c.query<HistoryJoin>(
        `SELECT a.seq, r.revision, r.type, r.kind, r.namespace, r.name, r.json, a.kind AS akind, a.namespace AS anamespace, a.name AS aname, a.after_digest AS digest
           FROM ${t.revisions} r JOIN ${t.audit} a ON a.resource_version = r.revision WHERE a.seq > $1 ORDER BY a.seq LIMIT ${PAGE}`,
        [after],
      )
    ).rows;
    for (const r of rows) {
      const sameRef = r.kind === r.akind && r.namespace === (r.anamespace ?? '') && r.name === r.aname;
      const digestOk = r.type === 'DELETED' || r.digest === digestOf(JSON.parse(r.json) as ApiObject);
      if (!sameRef || !digestOk) {
        out.push({ seq: Number(r.seq), problem: `history row for revision ${r.revision} does not match audit entry ${r.seq} (edited outside the store)` });
        break history;
      }
    }
    if (rows.length < PAGE) break;
    after = Number(rows.at(-1)!.seq);
  }

  const missingHistory = await one<{ seq: string; rv: string }>(
    `SELECT a.seq, a.resource_version AS rv FROM ${t.audit} a LEFT JOIN ${t.revisions} r ON r.revision = a.resource_version
      WHERE a.resource_version > $1 AND r.revision IS NULL ORDER BY a.seq LIMIT 1`,
    [compacted],
  );
  if (missingHistory) out.push({ seq: Number(missingHistory.seq), problem: `revision ${missingHistory.rv} of audit entry ${missingHistory.seq} is missing from the history (deleted outside the store)` });

  type ObjectJoin = { kind: string; namespace: string; name: string; revision: string; json: string; seq: string | null; digest: string | null };
  objects: for (let after = -1; ; ) {
    const rows = (
      await c.query<ObjectJoin>(
        `SELECT o.kind, o.namespace, o.name, o.revision, o.json, a.seq, a.after_digest AS digest
           FROM ${t.objects} o LEFT JOIN ${t.audit} a ON a.resource_version = o.revision WHERE o.revision > $1 ORDER BY o.revision LIMIT ${PAGE}`,
        [after],
      )
    ).rows;
    for (const o of rows) {
      const key = `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
      if (o.seq === null) {
        const seq = await seqWhereRevisionBelongs(c, t, Number(o.revision));
        out.push({ seq, problem: `object ${key} at revision ${o.revision} has no audit entry (entries were deleted or the object was written outside the store)` });
        break objects;
      }
      if (o.digest !== digestOf(JSON.parse(o.json) as ApiObject)) {
        out.push({ seq: Number(o.seq), problem: `object ${key} does not match the digest in audit entry ${o.seq} (edited outside the store)` });
        break objects;
      }
    }
    if (rows.length < PAGE) break;
    after = Number(rows.at(-1)!.revision);
  }
  return out;
}

// The seq an unaudited revision's entry would have had: right after the last entry before it.
async function seqWhereRevisionBelongs(c: pg.ClientBase, t: Tables, rv: number): Promise<number> {
  return Number((await c.query<{ s: string }>(`SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM ${t.audit} WHERE resource_version < $1`, [rv])).rows[0]!.s);
}

async function seqOfRevision(c: pg.ClientBase, t: Tables, rv: number): Promise<number> {
  const row = (await c.query<{ seq: string }>(`SELECT seq FROM ${t.audit} WHERE resource_version = $1`, [rv])).rows[0];
  return row ? Number(row.seq) : 1;
}
