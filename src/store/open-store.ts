// Chooses a Store from the `--store` / `--data-dir` string: a data directory or a sqlite:// URL
// (the embedded SQLite default), or a postgres:// URL (the production store).
import { ValidationError } from '../api/index.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** True when `spec` names a Postgres store (`postgres://` or `postgresql://`). */
export function isPostgresSpec(spec: string): boolean {
  return POSTGRES_URL.test(spec.trim());
}

/**
 * Opens the store a spec names:
 * - a directory path: SQLite in `<dir>/truststram.db` (the directory is created if absent);
 * - `sqlite:///abs/path.db` (or `sqlite://relative.db`, `sqlite::memory:`): that SQLite file;
 * - `postgres://user[:password]@host[:port]/database` (or `postgresql://`): the Postgres store,
 *   tables in schema `truststram`, created on first use. A malformed URL fails with
 *   ValidationError, an unreachable database with StoreUnavailableError.
 * @example const store = await openStore(process.env.TRUSTSTRAM_STORE_URL ?? './data')
 */
export async function openStore(spec: string): Promise<Store> {
  if (isPostgresSpec(spec)) return openPostgresStore({ url: spec.trim() });
  return openSqliteSpec(spec);
}

/** As {@link openStore}, for callers that need the SQLite-specific operations; refuses postgres://. */
export async function openSqliteSpec(spec: string): Promise<SqliteStore> {
  const s = spec.trim();
  if (!s) throw new ValidationError('store: empty store location (give a data directory, sqlite:///path.db or postgres://...)', [{ field: 'store', message: 'required' }]);
  if (isPostgresSpec(s))
    throw new ValidationError('store: this operation needs a SQLite store, not postgres://', [{ field: 'store', message: 'postgres:// is not a SQLite store' }]);
  if (s === 'sqlite::memory:') return openSqliteStore({ path: ':memory:' });
  if (/^sqlite:/i.test(s)) {
    const path = s.replace(/^sqlite:(\/\/)?/i, '');
    if (!path) throw new ValidationError(`store: "${spec}" names no file`, [{ field: 'store', message: 'missing path' }]);
    return openSqliteStore({ path });
  }
  // Anything that starts like a URL is taken for one, never for a directory name: a typo such
  // as `postgres:/db` or `postgress://db` must not quietly open a SQLite store in ./postgres:.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(s);
  if (scheme && /^postgres(ql)?$/i.test(scheme[1]!))
    throw new ValidationError(`store: "${spec}" is not a Postgres URL (expected postgres://user[:password]@host[:port]/database)`, [{ field: 'store', message: 'malformed postgres:// URL' }]);
  if (scheme)
    throw new ValidationError(`store: unknown store scheme "${scheme[1]}:" (use a data directory, sqlite:///path.db or postgres://...; a directory whose name has a colon needs ./ in front)`, [{ field: 'store', message: 'unknown scheme' }]);
  return openSqliteStore({ dataDir: s });
}
