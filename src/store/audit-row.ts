// The audit chain as table rows, shared by the SQLite and Postgres stores: the row shape, the
// mapping both ways, time normalisation, and the head cross-check that exposes a cut-off tail.
import { ValidationError } from '../api/index.js';
import type { AuditEntry } from './store.js';

/** One audit entry as both stores' `audit` tables hold it (absent fields are NULL). */
export interface AuditRow {
  seq: number;
  time: string;
  actor: string;
  verb: string;
  kind: string | null;
  namespace: string | null;
  name: string | null;
  resource_version: number | null;
  before_digest: string | null;
  after_digest: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

/** A verification finding: the lowest seq it concerns, and what is wrong. */
export type AuditProblem = { seq: number; problem: string };

/** Maps a row to an entry, leaving absent fields out (they are left out of the hash too). */
export function rowToEntry(r: AuditRow): AuditEntry {
  const e: AuditEntry = { seq: Number(r.seq), time: r.time, actor: r.actor, verb: r.verb, prevHash: r.prev_hash, hash: r.hash };
  if (r.kind !== null) e.kind = r.kind;
  if (r.namespace !== null) e.namespace = r.namespace;
  if (r.name !== null) e.name = r.name;
  if (r.resource_version !== null) e.resourceVersion = String(r.resource_version);
  if (r.before_digest !== null) e.beforeDigest = r.before_digest;
  if (r.after_digest !== null) e.afterDigest = r.after_digest;
  if (r.details !== null) e.details = JSON.parse(r.details) as Record<string, unknown>;
  return e;
}

/** Maps an entry to its row. */
export function entryToRow(e: AuditEntry): AuditRow {
  return {
    seq: e.seq,
    time: e.time,
    actor: e.actor,
    verb: e.verb,
    kind: e.kind ?? null,
    namespace: e.namespace ?? null,
    name: e.name ?? null,
    resource_version: e.resourceVersion === undefined ? null : Number(e.resourceVersion),
    before_digest: e.beforeDigest ?? null,
    after_digest: e.afterDigest ?? null,
    details: e.details === undefined ? null : JSON.stringify(e.details),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

/** Parses a user-given time into the ISO form the tables hold (so text comparison is correct). */
export function normaliseTime(t: string, field: string): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new ValidationError(`${field}: "${t}" is not a time (use ISO-8601, e.g. 2026-01-31T12:00:00Z)`, [{ field, message: 'not a valid time' }]);
  return d.toISOString();
}

/**
 * Compares the recorded head (seq, hash of the newest entry, kept in its own row) with the last
 * entry of the chain: a chain cut off at the end is itself valid, only the head shows the cut.
 */
export function headProblem(head: { seq: number; hash: string } | undefined, last: AuditEntry | undefined): AuditProblem | undefined {
  if (!head) return last ? { seq: 1, problem: 'the audit head record is missing although entries exist' } : undefined;
  const lastSeq = last?.seq ?? 0;
  if (head.seq > lastSeq)
    return { seq: lastSeq + 1, problem: `entries ${lastSeq + 1}..${head.seq} are missing: the chain ends at entry ${lastSeq} but the recorded head is entry ${head.seq} (truncated)` };
  if (head.seq < lastSeq)
    return { seq: head.seq + 1, problem: `entries ${head.seq + 1}..${lastSeq} were added after the recorded head (entry ${head.seq}) outside the store` };
  if (last && head.hash !== last.hash) return { seq: head.seq, problem: `entry ${head.seq} does not match the recorded head hash (the chain was rewritten)` };
  return undefined;
}
