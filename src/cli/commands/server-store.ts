// Where `truststram server` keeps its state: `--store URL` / TRUSTSTRAM_STORE_URL (Postgres, or a
// sqlite:// file) or `--data-dir DIR` / TRUSTSTRAM_DATA_DIR (embedded SQLite, the default), and
// what a failure to open it tells the user (the option to fix; exit 2 when the database is down).
import { resolve } from 'node:path';
import { CliUserError, ServiceUnreachableError } from '../exit.js';
import { pathOptionError } from '../fs-options.js';

export const DEFAULT_DATA_DIR = './truststram-data';

// better-sqlite3's codes for a database file that cannot be opened or written where it is.
const SQLITE_FILE_CODES = new Set(['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_PERM', 'SQLITE_NOTADB']);

/** The store the server opens, and where that choice came from (for messages). */
export type ServerStore =
  | { kind: 'dataDir'; dataDir: string; source: string }
  | { kind: 'spec'; storeSpec: string; source: string; label: string };

/**
 * Picks the store: flags before environment, `--store` before `--data-dir`; both flags at once is
 * an error. A postgres:// value must parse as a URL with a host (checked before connecting).
 * @example chooseServerStore({ store: 'postgres://truststram@db:5432/truststram' }, process.env)
 */
export function chooseServerStore(opts: { store?: string; dataDir?: string }, env: Record<string, string | undefined>): ServerStore {
  if (opts.store !== undefined && opts.dataDir !== undefined) throw new CliUserError('give either --store or --data-dir, not both');
  if (opts.store !== undefined) return fromSpec(opts.store, '--store');
  if (opts.dataDir !== undefined) return { kind: 'dataDir', dataDir: resolve(opts.dataDir), source: '--data-dir' };
  const url = env.TRUSTSTRAM_STORE_URL?.trim();
  if (url) return fromSpec(url, 'TRUSTSTRAM_STORE_URL');
  if (env.TRUSTSTRAM_DATA_DIR) return { kind: 'dataDir', dataDir: resolve(env.TRUSTSTRAM_DATA_DIR), source: 'TRUSTSTRAM_DATA_DIR' };
  return { kind: 'dataDir', dataDir: resolve(DEFAULT_DATA_DIR), source: 'the default data directory' };
}

function fromSpec(raw: string, source: string): ServerStore {
  const spec = raw.trim();
  if (!spec) throw new CliUserError(`${source} is empty: give postgres://user@host:5432/database, sqlite:///path.db or a directory`);
  if (!/^postgres(ql)?:\/\//i.test(spec)) return { kind: 'spec', storeSpec: spec, source, label: `state in ${spec}` };
  let host = '';
  try {
    host = new URL(spec).hostname;
  } catch {
    /* reported below */
  }
  if (!host) throw new CliUserError(`${source}: "${redact(spec)}" is not a valid Postgres URL`, ['  Expected postgres://user[:password]@host[:port]/database, e.g. postgres://truststram@127.0.0.1:5432/truststram']);
  return { kind: 'spec', storeSpec: spec, source, label: `state in Postgres at ${redact(spec)}` };
}

/**
 * Rewrites a failure to open the store into a message naming the option: a malformed location
 * stays a user error (exit 1), an unreachable database becomes ServiceUnreachableError (exit 2),
 * and a data directory the OS refuses (EEXIST, EACCES, EPERM...) is a user error naming it.
 * Anything else is returned unchanged.
 */
export function explainStoreFailure(err: unknown, choice: ServerStore, isUnavailable: (e: unknown) => boolean): unknown {
  // A data directory the OS refuses (a file in the way, no permission): name the option and path.
  if (choice.kind === 'dataDir') {
    const code = (err as { code?: unknown }).code;
    // SQLite's own refusals of the database file in it (a directory in its place, read-only).
    if (typeof code === 'string' && SQLITE_FILE_CODES.has(code))
      return new CliUserError(`${choice.source} ${choice.dataDir}: cannot open the SQLite database in it: ${(err as Error).message} (${code})`);
    return pathOptionError(choice.source, choice.dataDir, err, 'cannot use it as the data directory') ?? err;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (isUnavailable(err))
    return new ServiceUnreachableError(`${choice.source}: ${message}`, [
      '  Check that PostgreSQL is running and reachable, and that the URL (user, password, host, port, database) is right;',
      '  the database must exist (createdb NAME); TrustStram creates its tables in schema "truststram" itself.',
    ]);
  const field = (err as { causes?: { field?: string }[] }).causes?.[0]?.field;
  if (field === 'store') return new CliUserError(`${choice.source}: ${message.replace(/^store: /, '')}`);
  return err;
}

function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}
