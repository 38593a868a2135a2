// The production Store on PostgreSQL (node-postgres): several API server replicas share one
// database. Each apply is one transaction holding the objects, the revision log and the audit
// entries; writers queue on one row lock so revisions commit in order (ADR 0015).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { InternalError, ValidationError, type ApiObject } from '../../api/index.js';
import { normaliseTime } from '../audit-row.js';
import { planMutation, refKey, refOf, stampRevision } from '../mutation.js';
import type { ActorContext, ApplyResult, AuditEntry, CampaignOptions, Fence, HistoryEntry, LeaderElection, Mutation, MutationResult, ObjectRef, Store, WatchEventType } from '../store.js';
import { FencedError, StoreUnavailableError } from '../store-errors.js';
import { DryRunRollback, checkActor, checkDecision, compileSelector, decisionEntry, mutationEntry, type RevisionRow } from '../store-helpers.js';
import { createWatchHub, type LoggedEvent } from '../watch-hub.js';
import { createChainBuilder, queryAudit, verifyAuditTables, type ChainHead } from './audit-tables.js';
import { createChangeFeed } from './change-feed.js';
import { createConnections } from './connections.js';
import { campaign } from './leader.js';
import { createPostgresLeases } from './leases.js';
import type { LeaseTable } from '../leases.js';
import { describePgError, isConnectionError, translatePgError } from './pg-errors.js';
import { DEFAULT_SCHEMA, channelOf, ensureSchema, tableNames, type Tables } from './schema.js';

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:5432/database` (any libpq-style URL node-postgres accepts). */
  url: string;
  /** Postgres schema holding the tables (default `truststram`); created when absent. */
  schema?: string;
  /** Connections in the pool (default 10). One more is kept for LISTEN, two for leases and one for a leader election. */
  poolSize?: number;
  /** How often other servers' lease renewals are read (default 100 ms). */
  leasePollIntervalMs?: number;
  /** How often the change log is read without a notification (default 1000 ms). */
  pollIntervalMs?: number;
  /** How long a writer waits for the write lock before failing with RetryableError (default 10000 ms). */
  lockTimeoutMs?: number;
  /** How long opening a connection may take (default 10000 ms). */
  connectTimeoutMs?: number;
  /** Live events buffered per watcher before the watch ends with ExpiredError (default 10000). */
  watchBufferSize?: number;
  /** Log rows read per watch replay page (default 500). */
  watchPageSize?: number;
  /** Where connection trouble is reported (default stderr). */
  log?: (line: string) => void;
}

/** The Postgres store: the Store contract plus history compaction. */
export interface PostgresStore extends Store {
  /** The URL with its password hidden, for logs. */
  readonly location: string;
  /** Always present on Postgres: every server on the store shares it. */
  readonly sharedLeases: LeaseTable;
  /** Always present on Postgres: servers on the store elect one to run the controllers. */
  campaign(name: string, opts?: CampaignOptions): LeaderElection;
  /** As SqliteStore.compact: drops history rows at or below `revision`; watches from there expire. */
  compact(revision: number): Promise<{ removed: number; compactedRevision: string }>;
}

interface WriteStart {
  revision: number;
  /** The recorded chain head, read after the lock. */
  head: ChainHead | undefined;
  /** The transaction's time: the database clock, never before the newest audit entry. */
  time: string;
}

/**
 * Connects, creates the tables when absent, and starts following the change log.
 * Fails with ValidationError for a malformed URL and StoreUnavailableError when the database
 * cannot be reached.
 * @example const store = await openPostgresStore({ url: 'postgres://truststram@127.0.0.1:5432/truststram' })
 */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  checkUrl(opts.url);
  const location = redactUrl(opts.url);
  const schema = opts.schema ?? DEFAULT_SCHEMA;
  const t = tableNames(schema);
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const config: pg.ClientConfig = {
    connectionString: opts.url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    lock_timeout: opts.lockTimeoutMs ?? 10_000,
    // A writer that stalls inside its transaction (paused VM) would hold the write lock forever.
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'truststram',
  };
  const db = createConnections({ ...config, max: opts.poolSize ?? 10 });
  const pool = db.pool;
  const hubRef: { publish(events: LoggedEvent[]): void } = { publish: () => undefined };
  const feed = createChangeFeed({
    read: db.read,
    listenConfig: config,
    tables: t,
    channel: channelOf(schema),
    pageSize: opts.watchPageSize ?? 500,
    pollIntervalMs: opts.pollIntervalMs ?? 1000,
    publish: (events) => hubRef.publish(events),
    log,
  });
  try {
    const c = await pool.connect();
    try {
      await ensureSchema(c, schema);
    } finally {
      c.release();
    }
    await feed.start();
  } catch (err) {
    await feed.close();
    await pool.end().catch(() => undefined);
    if (isConnectionError(err)) throw new StoreUnavailableError(`cannot connect to the Postgres store at ${location}: ${describePgError(err)}`);
    // Connected, but the database refused the setup (no CREATE privilege, read-only replica...):
    // the operator's to fix, so say what and where, without a stack.
    if (err instanceof pg.DatabaseError)
      throw new ValidationError(`store: cannot set up the Postgres store at ${location} (schema "${schema}"): ${describePgError(err)}`, [
        { field: 'store', message: describePgError(err) },
      ]);
    throw err;
  }
  const hub = createWatchHub(
    {
      asyncReads: true,
      currentRevision: () => feed.last,
      compactedRevision: () => feed.compacted,
      readAfter: (filter, after, limit) => feed.readAfter(filter, after, limit).catch((err: unknown) => Promise.reject(translatePgError(err))),
    },
    { bufferSize: opts.watchBufferSize, pageSize: opts.watchPageSize },
  );
  hubRef.publish = (events) => hub.publish(events);
  const elections = new Set<LeaderElection>();
  // Leases get connections of their own: renewals and the mirror's reads must not queue behind
  // writers waiting for the write lock (a lease is 1.5 s; the lock may be waited for 10 s).
  const leaseDb = createConnections({ ...config, max: 2 });
  const leases = createPostgresLeases({ db: leaseDb, tables: t, log, ...(opts.leasePollIntervalMs ? { pollIntervalMs: opts.leasePollIntervalMs } : {}) });
  try {
    await leases.start();
  } catch (err) {
    hub.close();
    await feed.close();
    await pool.end().catch(() => undefined);
    await leaseDb.pool.end().catch(() => undefined);
    throw translatePgError(err);
  }
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new InternalError('the store is closed');
  };

  // Every write runs here: BEGIN, take the write lock (the revision row), read the clock and
  // the chain head on a snapshot taken after the lock, run `body`, COMMIT (or roll back).
  // A write with a leader's fencing token commits only if no newer leader has claimed an epoch:
  // claims take the same lock (claimEpoch), so every write is wholly before or after one.
  async function write<T>(body: (c: pg.PoolClient, w: WriteStart) => Promise<T>, fence?: Fence): Promise<T> {
    // READ COMMITTED whatever the database's default: each statement after the lock must see the
    // commits the lock waited for (the previous writer's, and a new leader's epoch).
    const c = await db.begin('BEGIN ISOLATION LEVEL READ COMMITTED');
    let broken: unknown;
    try {
      // The lock alone first: a statement that waited for it must not read other tables on the
      // snapshot it started with. The next statement's snapshot sees the previous writer's commit.
      const lock = await c.query<{ value: string }>(t.named('lock', `SELECT value FROM ${t.meta} WHERE key = 'revision' FOR UPDATE`));
      if (fence) {
        const r = await c.query<{ value: string }>({ ...t.named('fence', `SELECT value FROM ${t.meta} WHERE key = $1`), values: [epochKey(fence.name)] });
        const newest = Number(r.rows[0]?.value ?? 0);
        if (newest !== fence.epoch) throw new FencedError(`leadership of ${fence.name} has passed to a newer leader (epoch ${newest}; this server's was ${fence.epoch}): the write was not made`);
      }
      const clock = await c.query<{ now: string; last: string | null; seq: string | null; hash: string | null }>(
        t.named(
          'start',
          `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now, (SELECT time FROM ${t.audit} ORDER BY seq DESC LIMIT 1) AS last, h.seq, h.hash
             FROM (SELECT 1) one LEFT JOIN ${t.head} h ON h.id = 1`,
        ),
      );
      const { now, last, seq, hash } = clock.rows[0]!;
      const head = seq !== null && hash !== null ? { seq: Number(seq), hash } : undefined;
      // Entry times never go backwards (the verifier treats that as tampering), whatever the clock does.
      const out = await body(c, { revision: Number(lock.rows[0]!.value), head, time: last && last > now ? last : now });
      await c.query('COMMIT');
      return out;
    } catch (err) {
      if (isConnectionError(err)) broken = err;
      else await c.query('ROLLBACK').catch((e: unknown) => (broken = e));
      throw err instanceof DryRunRollback ? err : translatePgError(err);
    } finally {
      c.release(broken instanceof Error ? broken : undefined);
    }
  }

  async function applyIn(c: pg.PoolClient, w: WriteStart, mutations: Mutation[], ctx: ActorContext) {
    const refs = mutations.map(refOf);
    const current = await readObjects(c, t, refs);
    const audit = createChainBuilder(w.head);
    let revision = w.revision;
    const results: MutationResult[] = [];
    const events: LoggedEvent[] = [];
    const finals = new Map<string, FinalState>();
    const history: RevisionInsert[] = [];
    mutations.forEach((m, i) => {
      const ref = refs[i]!;
      const key = refKey(ref);
      const stored = current.get(key);
      const plan = planMutation(m, stored, { now: w.time, newUid: randomUUID });
      if (plan.outcome === 'unchanged') {
        results.push({ verb: m.verb, ref, outcome: 'unchanged', object: stored! });
        return;
      }
      revision++;
      const json = JSON.stringify(stampRevision(plan.after!, revision));
      // Digest and return the stored form itself, so verification recomputes the same digest.
      const after = JSON.parse(json) as ApiObject;
      current.set(key, plan.type === 'DELETED' ? undefined : after);
      finals.set(key, plan.type === 'DELETED' ? { ref } : { ref, put: { revision, json } });
      audit.append(mutationEntry(m, ref, plan, after, ctx, revision, w.time));
      results.push({ verb: m.verb, ref, outcome: plan.outcome, object: plan.type === 'DELETED' ? plan.before! : after });
      const prevLabels = plan.type === 'MODIFIED' ? plan.before!.metadata.labels : undefined;
      // Labels are copied: the caller owns `after` (returned in results) and may edit it.
      const labels = after.metadata.labels ? { ...after.metadata.labels } : undefined;
      events.push({ revision, type: plan.type!, kind: ref.kind, namespace: ref.namespace ?? '', json, labels, prevLabels: prevLabels ? { ...prevLabels } : undefined });
      history.push({ revision, type: plan.type!, ref, json, prevLabels: prevLabels ? JSON.stringify(prevLabels) : null });
    });
    for (const d of ctx.decisions ?? []) audit.append(decisionEntry(d, w.time));
    const result: ApplyResult = { results, resourceVersion: String(revision) };
    if (ctx.dryRun) throw new DryRunRollback(result);
    await writeObjects(c, t, finals);
    await insertRevisions(c, t, w.time, history);
    await audit.flush(c, t);
    if (revision !== w.revision) {
      // The NOTIFY reaches every LISTENing replica when (and only if) this transaction commits.
      await c.query({
        ...t.named('advance', `WITH moved AS (UPDATE ${t.meta} SET value = $1 WHERE key = 'revision' RETURNING value) SELECT pg_notify($2, value::text) FROM moved`),
        values: [revision, channelOf(schema)],
      });
    }
    return { result, events };
  }

  const store: PostgresStore = {
    location,
    sharedLeases: leases,
    campaign(name, c = {}) {
      ensureOpen();
      const election = campaign({ config, name: `${schema}:${name}`, log: c.log ?? log, claim: (session) => claimEpoch(session, t, `${schema}:${name}`), ...c });
      elections.add(election);
      return election;
    },

    async get(ref) {
      ensureOpen();
      const r = await query<{ json: string }>(`SELECT json FROM ${t.objects} WHERE kind = $1 AND namespace = $2 AND name = $3`, [ref.kind, ref.namespace ?? '', ref.name]);
      return r.rows[0] ? (JSON.parse(r.rows[0].json) as ApiObject) : undefined;
    },

    async list(kind, opts = {}) {
      ensureOpen();
      const match = compileSelector(opts.labelSelector);
      // One statement, one snapshot: the objects and the revision they were read at agree.
      const args = opts.namespace ? [kind, opts.namespace] : [kind];
      const r = await query<{ rev: string; json: string | null }>(
        `SELECT m.value AS rev, o.json FROM ${t.meta} m LEFT JOIN ${t.objects} o ON o.kind = $1${opts.namespace ? ' AND o.namespace = $2' : ''}
          WHERE m.key = 'revision' ORDER BY o.namespace, o.name`,
        args,
      );
      const items: ApiObject[] = [];
      for (const row of r.rows) {
        if (row.json === null) continue;
        const o = JSON.parse(row.json) as ApiObject;
        if (!match || match(o.metadata.labels)) items.push(o);
      }
      return { items, resourceVersion: String(r.rows[0]?.rev ?? '0') };
    },

    watch(kind, opts) {
      ensureOpen();
      return hub.watch(kind, opts);
    },

    async apply(mutations, ctx) {
      ensureOpen();
      checkActor(ctx.actor);
      for (const d of ctx.decisions ?? []) checkDecision(d);
      let out: Awaited<ReturnType<typeof applyIn>>;
      try {
        out = await write((c, w) => applyIn(c, w, mutations, ctx), ctx.fence);
      } catch (err) {
        if (err instanceof DryRunRollback) return err.result;
        throw err;
      }
      // Committed: this instance's watchers see the change before apply returns (as in SQLite);
      // other replicas' feeds are woken by the NOTIFY.
      if (out.events.length && !feed.offer(out.events)) await feed.waitFor(out.events.at(-1)!.revision).catch(() => undefined);
      return out.result;
    },

    async recordDecision(decision, opts = {}) {
      ensureOpen();
      checkDecision(decision);
      return write(async (c, w): Promise<AuditEntry> => {
        const audit = createChainBuilder(w.head);
        const entry = audit.append(decisionEntry(decision, w.time));
        await audit.flush(c, t);
        return entry;
      }, opts.fence);
    },

    async auditLog(q) {
      ensureOpen();
      try {
        return await queryAudit(db.read, t, q);
      } catch (err) {
        throw translatePgError(err);
      }
    },

    async verifyAudit() {
      ensureOpen();
      return snapshot((c) => verifyAuditTables(c, t));
    },

    async history(kind, opts) {
      ensureOpen();
      const since = normaliseTime(opts.since, 'since');
      const until = opts.until === undefined ? '9999-12-31T23:59:59.999Z' : normaliseTime(opts.until, 'until');
      const ns = opts.namespace;
      const nsWhere = ns !== undefined ? ' AND namespace = $3' : '';
      const args = ns !== undefined ? [kind, since, ns] : [kind, since];
      // Both reads on one snapshot, so no write can fall between the state at `since` and the window.
      const rows = await snapshot(async (c) => [
        ...(opts.includeStateAtSince
          ? (
              await c.query<RevisionRow>(
                `SELECT * FROM (SELECT DISTINCT ON (namespace, name) * FROM ${t.revisions} WHERE kind = $1 AND time < $2${nsWhere} ORDER BY namespace, name, revision DESC) s
                  WHERE type <> 'DELETED' ORDER BY revision`,
                args,
              )
            ).rows
          : []),
        ...(await c.query<RevisionRow>(`SELECT * FROM ${t.revisions} WHERE kind = $1 AND time >= $2${nsWhere} AND time <= $${args.length + 1} ORDER BY revision`, [...args, until])).rows,
      ]);
      return rows.map((r): HistoryEntry => ({ resourceVersion: String(r.revision), time: r.time, type: r.type as WatchEventType, object: JSON.parse(r.json) as ApiObject }));
    },

    async revision() {
      ensureOpen();
      return String((await query<{ value: string }>(`SELECT value FROM ${t.meta} WHERE key = 'revision'`)).rows[0]!.value);
    },

    async compact(revision) {
      ensureOpen();
      if (!Number.isSafeInteger(revision) || revision < 0) throw new ValidationError(`compact: revision ${revision} is not a non-negative integer`);
      const out = await write(async (c, w) => {
        const upTo = Math.min(revision, w.revision);
        const removed = (await c.query(`DELETE FROM ${t.revisions} WHERE revision <= $1`, [upTo])).rowCount ?? 0;
        const r = await c.query<{ value: string }>(`UPDATE ${t.meta} SET value = GREATEST(value, $1) WHERE key = 'compacted_revision' RETURNING value`, [upTo]);
        return { removed, compactedRevision: String(r.rows[0]!.value) };
      });
      feed.setCompacted(Number(out.compactedRevision));
      return out;
    },

    async close() {
      if (closed) return;
      closed = true;
      leases.close();
      await Promise.all([...elections].map((e) => e.close()));
      hub.close();
      await feed.close();
      await pool.end();
      await leaseDb.pool.end();
    },
  };

  async function query<R extends pg.QueryResultRow>(sql: string, args: unknown[] = []): Promise<pg.QueryResult<R>> {
    return db.read<R>(sql, args);
  }

  // Read-only work on one consistent snapshot.
  async function snapshot<T>(body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await db.begin('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    let broken: Error | undefined;
    try {
      const out = await body(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      if (isConnectionError(err)) broken = err as Error;
      else await c.query('ROLLBACK').catch(() => undefined);
      throw translatePgError(err);
    } finally {
      c.release(broken);
    }
  }

  return store;
}

// The stored objects the mutations name, read in one statement (the write lock is held).
async function readObjects(c: pg.ClientBase, t: Tables, refs: ObjectRef[]): Promise<Map<string, ApiObject | undefined>> {
  const out = new Map<string, ApiObject | undefined>();
  if (!refs.length) return out;
  const r = await c.query<{ json: string }>({
    ...t.named(
      'read-objects',
      `SELECT o.json FROM ${t.objects} o JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(kind, namespace, name)
         ON o.kind = k.kind AND o.namespace = k.namespace AND o.name = k.name`,
    ),
    values: [refs.map((x) => x.kind), refs.map((x) => x.namespace ?? ''), refs.map((x) => x.name)],
  });
  for (const row of r.rows) {
    const o = JSON.parse(row.json) as ApiObject;
    out.set(refKey({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }), o);
  }
  return out;
}

type FinalState = { ref: ObjectRef; put?: { revision: number; json: string } };
type RevisionInsert = { revision: number; type: WatchEventType; ref: ObjectRef; json: string; prevLabels: string | null };

// The final state of each touched object after the whole apply: one delete and one upsert statement.
async function writeObjects(c: pg.ClientBase, t: Tables, finals: Map<string, FinalState>): Promise<void> {
  const all = [...finals.values()];
  const dels = all.filter((f) => !f.put).map((f) => f.ref);
  const puts = all.filter((f) => f.put);
  if (dels.length)
    await c.query({
      ...t.named(
        'delete-objects',
        `DELETE FROM ${t.objects} o USING unnest($1::text[], $2::text[], $3::text[]) AS k(kind, namespace, name)
          WHERE o.kind = k.kind AND o.namespace = k.namespace AND o.name = k.name`,
      ),
      values: [dels.map((x) => x.kind), dels.map((x) => x.namespace ?? ''), dels.map((x) => x.name)],
    });
  if (puts.length)
    await c.query({
      ...t.named(
        'put-objects',
        `INSERT INTO ${t.objects} (kind, namespace, name, revision, json) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
          ON CONFLICT (kind, namespace, name) DO UPDATE SET revision = excluded.revision, json = excluded.json`,
      ),
      values: [puts.map((p) => p.ref.kind), puts.map((p) => p.ref.namespace ?? ''), puts.map((p) => p.ref.name), puts.map((p) => p.put!.revision), puts.map((p) => p.put!.json)],
    });
}

async function insertRevisions(c: pg.ClientBase, t: Tables, time: string, rows: RevisionInsert[]): Promise<void> {
  if (!rows.length) return;
  await c.query({
    ...t.named(
      'insert-revisions',
      `INSERT INTO ${t.revisions} (revision, time, type, kind, namespace, name, json, prev_labels)
       SELECT r, $2, ty, k, ns, n, j, pl FROM unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS x(r, ty, k, ns, n, j, pl)`,
    ),
    values: [rows.map((e) => e.revision), time, rows.map((e) => e.type), rows.map((e) => e.ref.kind), rows.map((e) => e.ref.namespace ?? ''), rows.map((e) => e.ref.name), rows.map((e) => e.json), rows.map((e) => e.prevLabels)],
  });
}

/** The URL with any password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** Rejects what is not a postgres:// or postgresql:// URL, before any connection attempt. */
export function checkUrl(url: string): void {
  let u: URL | undefined;
  try {
    u = new URL(url);
  } catch {
    u = undefined;
  }
  if (!u || !/^postgres(ql)?:$/.test(u.protocol) || (!u.hostname && !u.searchParams.get('host')))
    throw new ValidationError(`store: "${redactUrl(url)}" is not a Postgres URL (expected postgres://user[:password]@host[:port]/database)`, [
      { field: 'store', message: 'malformed postgres:// URL' },
    ]);
}

/** The meta row holding the newest epoch of an election. */
function epochKey(election: string): string {
  return `leader-epoch:${election}`;
}

/**
 * Numbers a new leader's win, on its lock session: the next epoch of `election`. It takes the
 * write lock first, so a deposed leader's write in progress commits before the new number exists
 * and every later one reads it (and is refused).
 */
async function claimEpoch(session: pg.Client, t: Tables, election: string): Promise<number> {
  await session.query('BEGIN ISOLATION LEVEL READ COMMITTED');
  try {
    await session.query(`SELECT value FROM ${t.meta} WHERE key = 'revision' FOR UPDATE`);
    const r = await session.query<{ value: string }>(
      `INSERT INTO ${t.meta} (key, value) VALUES ($1, 1) ON CONFLICT (key) DO UPDATE SET value = ${t.meta}.value + 1 RETURNING value`,
      [epochKey(election)],
    );
    await session.query('COMMIT');
    return Number(r.rows[0]!.value);
  } catch (err) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
