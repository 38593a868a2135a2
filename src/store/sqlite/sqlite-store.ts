// The embedded default Store on SQLite (better-sqlite3): one file, WAL, fsync per commit, one
// transaction per apply holding the objects, the revision log and the audit entries together.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InternalError, RetryableError, ValidationError, type ApiObject } from '../../api/index.js';
import { planMutation, refOf, stampRevision } from '../mutation.js';
import type { ActorContext, ApplyResult, AuditEntry, HistoryEntry, Mutation, MutationResult, Store, WatchEventType } from '../store.js';
import { DryRunRollback, checkActor, checkDecision, compileSelector, decisionEntry, mutationEntry, rowToLogged } from '../store-helpers.js';
import { createWatchHub, type LoggedEvent } from '../watch-hub.js';
import { normaliseTime } from '../audit-row.js';
import { createAppender, queryAudit, verifyStoredAudit } from './audit-rows.js';
import { openDatabase, prepareStatements } from './schema.js';

/** The database file name inside a data directory. */
export const DB_FILE_NAME = 'truststram.db';

export type SqliteStoreOptions = ({ path: string } | { dataDir: string }) & {
  /** Live events buffered per watcher before the watch ends with ExpiredError (default 10000). */
  watchBufferSize?: number;
  /** Log rows read per watch replay page (default 500; small values are for tests). */
  watchPageSize?: number;
  /** How long a write waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
};

/** The SQLite store: the Store contract plus file-specific operations. */
export interface SqliteStore extends Store {
  /** Absolute path of the database file (`:memory:` for an in-memory store). */
  readonly path: string;
  /**
   * Drops history rows at or below `revision` (capped at the current revision). History is kept
   * forever unless this is called: it is the watch backlog and what cost accrual reads, so
   * compact only below the oldest revision those still need. Watches from a compacted revision
   * then fail with ExpiredError. Current objects and the audit chain are never compacted.
   */
  compact(revision: number): Promise<{ removed: number; compactedRevision: string }>;
}

/**
 * Opens the store at a file path or in a data directory (`<dir>/truststram.db`, created if absent).
 * @example const store = openSqliteStore({ dataDir: '/var/lib/truststram' })
 */
export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const path = 'path' in opts ? (opts.path === ':memory:' ? ':memory:' : resolve(opts.path)) : join(resolve(opts.dataDir), DB_FILE_NAME);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = openDatabase(path, opts.busyTimeoutMs);
  const st = prepareStatements(db);
  let closed = false;
  // Entry and history times never go backwards, even when the wall clock does (NTP steps):
  // the chain verifier treats a backwards time as tampering.
  let lastTime = st.lastAudit.get()?.time ?? '';
  const now = () => {
    const t = new Date().toISOString();
    lastTime = t > lastTime ? t : lastTime;
    return lastTime;
  };
  const meta = (key: 'revision' | 'compacted_revision') => st.getMeta.get(key)!.value;

  const hub = createWatchHub(
    {
      currentRevision: () => meta('revision'),
      compactedRevision: () => meta('compacted_revision'),
      readAfter: (f, after, limit) => {
        const rows = !f.kind
          ? st.revisionsAfterAll.all(after, limit)
          : f.namespace !== undefined
            ? st.revisionsAfterNs.all(f.kind, f.namespace, after, limit)
            : st.revisionsAfterKind.all(f.kind, after, limit);
        return rows.map(rowToLogged);
      },
    },
    { bufferSize: opts.watchBufferSize, pageSize: opts.watchPageSize },
  );

  const ensureOpen = () => {
    if (closed) throw new InternalError('the store is closed');
  };

  const applyTxn = db.transaction((mutations: Mutation[], ctx: ActorContext) => {
    const time = now();
    const audit = createAppender(st);
    let revision = meta('revision');
    const results: MutationResult[] = [];
    const events: LoggedEvent[] = [];
    for (const m of mutations) {
      const ref = refOf(m);
      const ns = ref.namespace ?? '';
      const row = st.getObject.get(ref.kind, ns, ref.name);
      const stored = row ? (JSON.parse(row.json) as ApiObject) : undefined;
      const plan = planMutation(m, stored, { now: time, newUid: randomUUID });
      if (plan.outcome === 'unchanged') {
        results.push({ verb: m.verb, ref, outcome: 'unchanged', object: stored! });
        continue;
      }
      revision++;
      const json = JSON.stringify(stampRevision(plan.after!, revision));
      // Digest and return the stored form itself, so verification recomputes the same digest.
      const after = JSON.parse(json) as ApiObject;
      if (plan.type === 'DELETED') st.deleteObject.run(ref.kind, ns, ref.name);
      else st.putObject.run(ref.kind, ns, ref.name, revision, json);
      const prevLabels = plan.type === 'MODIFIED' ? plan.before!.metadata.labels : undefined;
      st.insertRevision.run(revision, time, plan.type!, ref.kind, ns, ref.name, json, prevLabels ? JSON.stringify(prevLabels) : null);
      audit.append(mutationEntry(m, ref, plan, after, ctx, revision, time));
      results.push({ verb: m.verb, ref, outcome: plan.outcome, object: plan.type === 'DELETED' ? plan.before! : after });
      // Labels are copied: the caller owns `after` (returned in results) and may edit it.
      const labels = after.metadata.labels ? { ...after.metadata.labels } : undefined;
      events.push({ revision, type: plan.type!, kind: ref.kind, namespace: ns, json, labels, prevLabels });
    }
    for (const d of ctx.decisions ?? []) audit.append(decisionEntry(d, time));
    audit.finish();
    st.setMeta.run(revision, 'revision');
    const result: ApplyResult = { results, resourceVersion: String(revision) };
    if (ctx.dryRun) throw new DryRunRollback(result);
    return { result, events };
  });

  const store: SqliteStore = {
    path,

    async get(ref) {
      ensureOpen();
      const row = st.getObject.get(ref.kind, ref.namespace ?? '', ref.name);
      return row ? (JSON.parse(row.json) as ApiObject) : undefined;
    },

    async list(kind, opts = {}) {
      ensureOpen();
      const match = compileSelector(opts.labelSelector);
      const rows = opts.namespace ? st.listNamespace.all(kind, opts.namespace) : st.listAll.all(kind);
      const items: ApiObject[] = [];
      for (const r of rows) {
        const o = JSON.parse(r.json) as ApiObject;
        if (!match || match(o.metadata.labels)) items.push(o);
      }
      // Read in the same synchronous step as the rows: watching from here misses nothing.
      return { items, resourceVersion: String(meta('revision')) };
    },

    watch(kind, opts) {
      ensureOpen();
      return hub.watch(kind, opts);
    },

    async apply(mutations, ctx) {
      ensureOpen();
      checkActor(ctx.actor);
      for (const d of ctx.decisions ?? []) checkDecision(d);
      let out: { result: ApplyResult; events: LoggedEvent[] };
      try {
        out = applyTxn.immediate(mutations, ctx);
      } catch (err) {
        if (err instanceof DryRunRollback) return err.result;
        throw translate(err);
      }
      // Committed and durable: only now may watchers see it.
      hub.publish(out.events);
      return out.result;
    },

    async recordDecision(decision) {
      ensureOpen();
      checkDecision(decision);
      try {
        return db.transaction((): AuditEntry => {
          const audit = createAppender(st);
          const entry = audit.append(decisionEntry(decision, now()));
          audit.finish();
          return entry;
        }).immediate();
      } catch (err) {
        throw translate(err);
      }
    },

    async auditLog(query) {
      ensureOpen();
      return queryAudit(db, query);
    },

    async verifyAudit() {
      ensureOpen();
      return db.transaction(() => verifyStoredAudit(db, st))();
    },

    async history(kind, opts) {
      ensureOpen();
      const since = normaliseTime(opts.since, 'since');
      const until = opts.until === undefined ? '9999-12-31T23:59:59.999Z' : normaliseTime(opts.until, 'until');
      // Both reads in one transaction, so no write can fall between the state at `since` and the window.
      const rows = db.transaction(() => [
        ...(opts.includeStateAtSince ? (opts.namespace ? st.stateAtNs.all(kind, opts.namespace, since) : st.stateAtAll.all(kind, since)) : []),
        ...(opts.namespace ? st.historyNs.all(kind, opts.namespace, since, until) : st.historyAll.all(kind, since, until)),
      ])();
      return rows.map(
        (r): HistoryEntry => ({ resourceVersion: String(r.revision), time: r.time, type: r.type as WatchEventType, object: JSON.parse(r.json) as ApiObject }),
      );
    },

    async revision() {
      ensureOpen();
      return String(meta('revision'));
    },

    async compact(revision) {
      ensureOpen();
      if (!Number.isSafeInteger(revision) || revision < 0) throw new ValidationError(`compact: revision ${revision} is not a non-negative integer`);
      return db.transaction(() => {
        const upTo = Math.min(revision, meta('revision'));
        const removed = st.compact.run(upTo).changes;
        const compacted = Math.max(upTo, meta('compacted_revision'));
        st.setMeta.run(compacted, 'compacted_revision');
        return { removed, compactedRevision: String(compacted) };
      }).immediate();
    },

    async close() {
      if (closed) return;
      closed = true;
      hub.close();
      db.close();
    },
  };
  return store;
}

// SQLite lock contention is transient (retry); everything else from SQLite is a bug or a broken
// file, while our own typed errors pass through untouched.
function translate(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED'))
    return new RetryableError(`the store is busy (${code}): retry`);
  return err;
}
