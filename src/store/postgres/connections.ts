// The store's connection pool, with the one retry that is always safe: a pooled connection the
// server closed while it sat idle (database restart, failover, idle timeout) fails on its first
// statement, before anything ran, so the statement is tried again on the next connection.
import pg from 'pg';
import { isConnectionError, translatePgError } from './pg-errors.js';

export interface Connections {
  pool: pg.Pool;
  /** Runs one read-only statement; errors are translated (StoreUnavailableError when down). */
  read<R extends pg.QueryResultRow>(q: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /**
   * Runs one statement in its own transaction, writes included: the retry is as safe as for reads,
   * since a stale connection fails before the statement runs.
   */
  statement<R extends pg.QueryResultRow>(q: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Checks out a connection and runs `beginSql` (BEGIN ...) on it; release it when done. */
  begin(beginSql: string): Promise<pg.PoolClient>;
}

/** Creates the pool. `max` bounds both the pool and the retries (each retry drops one dead connection). */
export function createConnections(config: pg.PoolConfig & { max: number }): Connections {
  const pool = new pg.Pool(config);
  // Idle connections the server drops surface here; the pool discards them, the next query reconnects.
  pool.on('error', () => undefined);
  // A connection checked out of the pool has no listener of the pool's: when the server ends it
  // between two statements (a restart: "terminating connection due to administrator command"),
  // its 'error' event would be an uncaught exception that kills the server. The statement in
  // flight, or the next one, fails as a connection error instead, and the client is discarded.
  pool.on('connect', (client) => void client.on('error', () => undefined));

  async function onFreshClient<T>(first: (c: pg.PoolClient) => Promise<T>): Promise<{ c: pg.PoolClient; out: T }> {
    for (let attempt = 0; ; attempt++) {
      // A failure to connect is not retried: that is the database being down, not a stale connection.
      const c = await pool.connect().catch((err: unknown) => Promise.reject(translatePgError(err)));
      try {
        return { c, out: await first(c) };
      } catch (err) {
        const dead = isConnectionError(err);
        c.release(dead ? (err as Error) : undefined);
        if (!dead || attempt >= config.max) throw translatePgError(err);
      }
    }
  }

  async function statement<R extends pg.QueryResultRow>(q: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const { c, out } = await onFreshClient((client) => client.query<R>(q as string, values));
    c.release();
    return out;
  }

  return {
    pool,
    read: statement,
    statement,
    async begin(beginSql) {
      return (await onFreshClient((client) => client.query(beginSql))).c;
    },
  };
}
