// Chooses a Store from the `--store` / `--data-dir` string: a data directory, a sqlite:// URL,
// or (later) postgres://.
import { ValidationError } from '../api/index.js';
import { openSqliteStore, type SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/**
 * Opens the store a spec names:
 * - a directory path: SQLite in `<dir>/truststram.db` (the directory is created if absent);
 * - `sqlite:///abs/path.db` (or `sqlite://relative.db`, `sqlite::memory:`): that SQLite file;
 * - `postgres://…`: not implemented yet (a later issue), rejected with a ValidationError.
 * @example const store = await openStore(process.env.TRUSTSTRAM_STORE ?? './data')
 */
export async function openStore(spec: string): Promise<Store> {
  return openSqliteSpec(spec);
}

/** As {@link openStore}, for callers that need the SQLite-specific operations (compaction). */
export async function openSqliteSpec(spec: string): Promise<SqliteStore> {
  const s = spec.trim();
  if (!s) throw new ValidationError('store: empty store location (give a data directory or sqlite:///path.db)', [{ field: 'store', message: 'required' }]);
  if (/^postgres(ql)?:\/\//i.test(s))
    throw new ValidationError('store: the Postgres store is not implemented yet; use a data directory or sqlite:///path.db', [
      { field: 'store', message: 'postgres:// is not supported yet' },
    ]);
  if (s === 'sqlite::memory:') return openSqliteStore({ path: ':memory:' });
  if (/^sqlite:/i.test(s)) {
    const path = s.replace(/^sqlite:(\/\/)?/i, '');
    if (!path) throw new ValidationError(`store: "${spec}" names no file`, [{ field: 'store', message: 'missing path' }]);
    return openSqliteStore({ path });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  if (scheme) throw new ValidationError(`store: unknown store scheme "${scheme[1]}:" (use a data directory or sqlite:///path.db)`, [{ field: 'store', message: 'unknown scheme' }]);
  return openSqliteStore({ dataDir: s });
}
