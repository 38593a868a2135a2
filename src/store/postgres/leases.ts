// Agents' leases shared by every server on one Postgres store: an agent may renew through any
// API replica, and the replica running the health controller sees it. Each renewal is one
// conditional upsert (the holder check and the hand-over on expiry happen in the statement, so
// two replicas cannot both grant a lease). Each server keeps a mirror of the table for its
// synchronous reads: its own writes land in it at once, other servers' within one poll
// (default 100 ms). Polling, not LISTEN: a lost notification cannot leave a stale mirror, and
// the table holds one small row per cluster.
//
// Times are the writing server's clock (milliseconds), as with one server: servers sharing a
// store need synchronised clocks (NTP), and skew between them eats into the lease duration.
import { ConflictError } from '../../api/index.js';
import { createLeaseView, type Lease, type LeaseTable } from '../leases.js';
import type { Connections } from './connections.js';
import type { Tables } from './schema.js';

export interface PostgresLeasesOptions {
  /** Connections of the leases' own (not the store's pool, where writers queue for the write lock). */
  db: Connections;
  tables: Tables;
  /** How often other servers' renewals are read (default 100 ms). */
  pollIntervalMs?: number;
  log: (line: string) => void;
}

export interface PostgresLeases extends LeaseTable {
  /** Reads the table once (the mirror is complete when this resolves) and starts polling. */
  start(): Promise<void>;
  close(): void;
}

interface Row {
  name: string;
  holder: string;
  duration_ms: string;
  acquire_time: string;
  renew_time: string;
  epoch: string | null;
}

const COLUMNS = 'name, holder, duration_ms, acquire_time, renew_time, epoch';
const toLease = (r: Row): Lease => ({
  name: r.name,
  holder: r.holder,
  durationMs: Number(r.duration_ms),
  acquireTime: Number(r.acquire_time),
  renewTime: Number(r.renew_time),
  ...(r.epoch !== null ? { epoch: Number(r.epoch) } : {}),
});

export function createPostgresLeases(o: PostgresLeasesOptions): PostgresLeases {
  const t = o.tables;
  const mirror = createLeaseView((err, e, l) => o.log(`store: a lease listener failed on ${e} ${l.name}: ${(err as Error).message}`));
  // A poll reads a snapshot; a write of this server that completes while the poll is in flight
  // may be newer than the snapshot for that name, so the poll leaves that name alone. One
  // counter orders poll starts and write completions.
  let clock = 0;
  const writtenAt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let viewAsOf = 0;

  /** Puts `next` (or its absence) into the mirror and tells listeners what changed. */
  const settle = (name: string, next: Lease | undefined) => {
    const cur = mirror.get(name);
    if (!next) {
      mirror.delete(name);
      return;
    }
    if (cur && cur.holder === next.holder && cur.renewTime >= next.renewTime) return;
    mirror.set(next, cur && cur.holder === next.holder && cur.acquireTime === next.acquireTime ? 'renewed' : 'acquired');
  };

  const poll = async () => {
    const startedAt = ++clock;
    const asOf = Date.now();
    const rows = (await o.db.read<Row>(`SELECT ${COLUMNS} FROM ${t.leases}`)).rows;
    const seen = new Set<string>();
    for (const r of rows) {
      seen.add(r.name);
      if ((writtenAt.get(r.name) ?? -1) < startedAt) settle(r.name, toLease(r));
    }
    for (const name of mirror.names()) if (!seen.has(name) && (writtenAt.get(name) ?? -1) < startedAt) settle(name, undefined);
    viewAsOf = asOf;
  };

  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      poll()
        .then(() => {
          if (failing) o.log('store: reading shared leases again');
          failing = false;
        })
        .catch((err: unknown) => {
          if (!failing) o.log(`store: cannot read shared leases (${(err as Error).message}); retrying`);
          failing = true;
        })
        .finally(() => timer && schedule(ms));
    }, ms);
    timer.unref();
  };

  // The epoch comparison runs on the locked row, so a deposed leader's renewal that waited for
  // its successor's can never win it back (leases.ts, `supersedes`).
  const renew = async (name: string, holder: string, durationMs: number, now: number, epoch: number | undefined, retried: boolean): Promise<Lease> => {
    const { rows } = await o.db.statement<Row>(
      t.named(
        'lease-renew',
        `INSERT INTO ${t.leases} AS l (name, holder, duration_ms, acquire_time, renew_time, epoch) VALUES ($1, $2, $3, $4, $4, $5)
         ON CONFLICT (name) DO UPDATE SET
           holder = excluded.holder,
           duration_ms = excluded.duration_ms,
           acquire_time = CASE WHEN l.holder = excluded.holder AND l.renew_time + l.duration_ms >= excluded.renew_time THEN l.acquire_time ELSE excluded.acquire_time END,
           renew_time = excluded.renew_time,
           epoch = excluded.epoch
         WHERE l.holder = excluded.holder OR l.renew_time + l.duration_ms < excluded.renew_time
            OR (excluded.epoch IS NOT NULL AND (l.epoch IS NULL OR excluded.epoch > l.epoch))
         RETURNING ${COLUMNS}`,
      ),
      [name, holder, durationMs, now, epoch ?? null],
    );
    writtenAt.set(name, ++clock);
    if (!rows[0]) {
      const cur = (await o.db.read<Row>(`SELECT ${COLUMNS} FROM ${t.leases} WHERE name = $1`, [name])).rows[0];
      // Released between the two statements: the lease is free now, so try once more.
      if (!cur && !retried) return renew(name, holder, durationMs, now, epoch, true);
      const held = cur ? toLease(cur) : undefined;
      if (held) settle(name, held);
      throw new ConflictError(`lease ${name} is held by ${held?.holder ?? 'another agent'}${held ? ` (renewed ${now - held.renewTime} ms ago)` : ''}`);
    }
    const lease = toLease(rows[0]);
    settle(name, lease);
    return lease;
  };

  return {
    async start() {
      await poll();
      schedule(o.pollIntervalMs ?? 100);
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
    },
    renew: (name, holder, durationMs, now = Date.now(), epoch) => renew(name, holder, durationMs, now, epoch, false),
    async release(name, holder) {
      const { rows } = await o.db.statement<Row>(`DELETE FROM ${t.leases} WHERE name = $1 AND holder = $2 RETURNING name`, [name, holder]);
      writtenAt.set(name, ++clock);
      if (rows[0]) settle(name, undefined);
    },
    get: mirror.get,
    list: mirror.list,
    isLive: mirror.isLive,
    viewAsOf: () => viewAsOf,
    onChange: mirror.onChange,
  };
}
