// The change feed of one Postgres store instance: it reads the revision log in order, from the
// last revision it published, whenever LISTEN/NOTIFY (or a slow poll, or a local commit) says
// there is more, and hands the rows to the watch hub. Every replica runs one, so each sees every
// change of every replica, in revision order.
import pg from 'pg';
import { rowToLogged, type RevisionRow } from '../store-helpers.js';
import type { LoggedEvent } from '../watch-hub.js';
import type { Tables } from './schema.js';

export interface ChangeFeedOptions {
  /** Runs a read statement on the store's pool (see connections.ts). */
  read<R extends pg.QueryResultRow>(q: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Connection settings of the dedicated LISTEN connection (the pool's own). */
  listenConfig: pg.ClientConfig;
  tables: Tables;
  channel: string;
  /** Rows read per query (default 500). */
  pageSize: number;
  /** Reads the log this often even without a notification: a safety net for lost LISTEN connections. */
  pollIntervalMs: number;
  /** Receives committed events in revision order (the watch hub's publish). */
  publish(events: LoggedEvent[]): void;
  log(line: string): void;
}

export interface ChangeFeed {
  /** The last revision handed to `publish`: watchers "from now" start here. */
  readonly last: number;
  /** The compaction point last read from the database. */
  readonly compacted: number;
  /** Reads the current revision and starts listening. */
  start(): Promise<void>;
  /** Reads and publishes everything committed after `last`. Concurrent calls share rounds. */
  pump(): Promise<void>;
  /** Resolves once `last >= revision` (pumping as needed). */
  waitFor(revision: number): Promise<void>;
  /**
   * Publishes a local commit's events directly when they follow `last` and no read is in flight,
   * saving a query; returns false when the caller must `waitFor` instead.
   */
  offer(events: LoggedEvent[]): boolean;
  /** Log rows after a revision, filtered as a watch asks, for the hub's replay. */
  readAfter(filter: { kind?: string; namespace?: string }, after: number, limit: number): Promise<LoggedEvent[]>;
  /** Notes a compaction done by this instance. */
  setCompacted(revision: number): void;
  close(): Promise<void>;
}

const RECONNECT_MS = 1000;

/** Creates the feed; call `start()` before use. */
export function createChangeFeed(o: ChangeFeedOptions): ChangeFeed {
  const t = o.tables;
  let last = 0;
  let compacted = 0;
  let closed = false;
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let listener: pg.Client | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let lostLogged = false;
  const noop = () => undefined;

  async function round(): Promise<void> {
    const c = await o.read<{ value: string }>(t.named('feed-compacted', `SELECT value FROM ${t.meta} WHERE key = 'compacted_revision'`));
    compacted = Math.max(compacted, Number(c.rows[0]?.value ?? 0));
    // Rows compacted before this feed read them are gone: continue after them (watchers that
    // still needed them get ExpiredError when they replay; live ones cannot be given them).
    if (compacted > last) last = compacted;
    for (;;) {
      const rows = (await o.read<RevisionRow>({ ...t.named('feed-read', `SELECT * FROM ${t.revisions} WHERE revision > $1 ORDER BY revision LIMIT $2`), values: [last, o.pageSize] })).rows;
      if (closed) return;
      // Writers hold the revision row lock until they commit, so commits become visible in
      // revision order: the rows after `last` that one statement sees have no holes (ADR 0015).
      const events = rows.map(rowToLogged).filter((e) => e.revision > last);
      if (events.length) {
        last = events.at(-1)!.revision;
        o.publish(events);
      }
      if (rows.length < o.pageSize) return;
    }
  }

  function pump(): Promise<void> {
    if (closed) return Promise.resolve();
    if (!running) {
      running = round().finally(() => (running = undefined));
      return running;
    }
    // A round is in flight and may have read before the caller's commit: run one more after it.
    queued ??= running.catch(noop).then(() => {
      queued = undefined;
      return pump();
    });
    return queued;
  }

  async function listen(): Promise<void> {
    const client = new pg.Client(o.listenConfig);
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      void client.end().catch(noop);
      if (listener === client) listener = undefined;
      if (closed) return;
      if (!lostLogged) o.log(`store: lost the Postgres LISTEN connection (${err?.message ?? 'closed'}); reconnecting, polling meanwhile`);
      lostLogged = true;
      scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (n) => {
      // The payload is the committed revision: skip our own commits, already published.
      if (!(Number(n.payload) <= last)) void pump().catch(noop);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(o.channel)}`);
    } catch (err) {
      lost = true;
      await client.end().catch(noop);
      throw err;
    }
    if (closed) {
      await client.end().catch(noop);
      return;
    }
    listener = client;
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      listen()
        .then(() => {
          if (lostLogged) o.log('store: Postgres LISTEN connection restored');
          lostLogged = false;
          // Whatever was notified while we were away is read now.
          return pump();
        })
        .catch(() => scheduleReconnect());
    }, RECONNECT_MS);
    reconnectTimer.unref();
  }

  const poll = setInterval(() => void pump().catch(noop), o.pollIntervalMs);
  poll.unref();

  return {
    get last() {
      return last;
    },
    get compacted() {
      return compacted;
    },
    async start() {
      const r = await o.read<{ key: string; value: string }>(`SELECT key, value FROM ${t.meta} WHERE key IN ('revision', 'compacted_revision')`);
      for (const row of r.rows) {
        if (row.key === 'revision') last = Number(row.value);
        else compacted = Number(row.value);
      }
      await listen();
    },
    pump,
    async waitFor(revision) {
      // One round started after the commit normally suffices; the bound keeps a surprise from spinning.
      for (let round = 0; last < revision && !closed && round < 5; round++) await pump();
    },
    offer(events) {
      if (closed || running || queued || !events.length || events[0]!.revision !== last + 1) return false;
      last = events.at(-1)!.revision;
      o.publish(events);
      return true;
    },
    async readAfter(filter, after, limit) {
      const where = ['revision > $1'];
      const args: (string | number)[] = [after];
      if (filter.kind !== undefined) where.push(`kind = $${args.push(filter.kind)}`);
      if (filter.namespace !== undefined) where.push(`namespace = $${args.push(filter.namespace)}`);
      // The compaction point comes from the same snapshot as the rows (one row even when there
      // are none), so the hub can tell "nothing after R" from "rows after R were compacted".
      const sql = `SELECT m.value AS compacted, r.* FROM ${t.meta} m
        LEFT JOIN LATERAL (SELECT * FROM ${t.revisions} WHERE ${where.join(' AND ')} ORDER BY revision LIMIT $${args.push(limit)}) r ON true
        WHERE m.key = 'compacted_revision' ORDER BY r.revision`;
      const rows = (await o.read<RevisionRow & { compacted: string; revision: string | null }>(sql, args)).rows;
      compacted = Math.max(compacted, Number(rows[0]?.compacted ?? 0));
      return rows.filter((r) => r.revision !== null).map(rowToLogged);
    },
    setCompacted(revision) {
      compacted = Math.max(compacted, revision);
    },
    async close() {
      closed = true;
      clearInterval(poll);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      await running?.catch(noop);
      const l = listener;
      listener = undefined;
      l?.removeAllListeners();
      l?.on('error', noop);
      await l?.end().catch(noop);
    },
  };
}
