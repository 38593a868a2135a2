// Server options with documented defaults, compiled once at the boundary so the server inside
// only sees complete, valid values (the Temporal worker-options habit).
import type { InternalCredentials } from './credentials.js';
import type { LeaseTable } from './leases.js';
import type { Store } from '../store/store.js';
import { ValidationError } from '../api/index.js';
import type { AdmissionHook } from './admission.js';
import type { View } from './router.js';

export interface ServerOptions {
  /** `host:port` to bind. Default `127.0.0.1:7400` (loopback: auth is off by default). Port 0 picks a free port. */
  listen?: string;
  /** Directory of the embedded SQLite store. Exactly one of `dataDir`, `storeSpec` and `store`. */
  dataDir?: string;
  /** Store spec for `openStore` (e.g. `postgres://...`). */
  storeSpec?: string;
  /** An open store; the caller keeps ownership (the server does not close it). */
  store?: Store;
  /** Largest request body in bytes. Default 3 MiB (an apply of several 1 MiB documents). */
  maxBodyBytes?: number;
  /** Time allowed to receive request headers. Default 10 s (slowloris guard). */
  headersTimeoutMs?: number;
  /** Time allowed to receive the whole request. Default 30 s. */
  requestTimeoutMs?: number;
  /** Concurrent watch streams; more get 429. Default 1000. */
  maxWatches?: number;
  /** Longest a watch stays open before the server ends it cleanly (clients re-watch). Default 30 min. */
  watchTimeoutMs?: number;
  /** Interval of BOOKMARK heartbeats on watches that ask for them (`allowWatchBookmarks=true`). Default 30 s. */
  bookmarkIntervalMs?: number;
  /** Static tokens, `token,user` per line (Kubernetes token-file format). Absent: auth off. */
  tokenFile?: string;
  /**
   * In-memory credentials the embedding process issues to processes it starts (managed agents),
   * accepted alongside the token file's when auth is on. Default: none.
   */
  credentials?: InternalCredentials;
  /** Admission hooks run in order on every write, after schema validation. */
  admission?: AdmissionHook[];
  /** Extra computed views under `/api/v1alpha1/...` (scheduler explain, cost, compliance). */
  views?: View[];
  /** Lease table for agent heartbeats; pass one to share it with the controllers. Default: a new one. */
  leases?: LeaseTable;
  /** Where unexpected errors are logged. Default: stderr. */
  log?: (message: string, err?: unknown) => void;
  /** Collect Node.js process metrics on /metrics. Default true. */
  processMetrics?: boolean;
}

export interface CompiledServerOptions {
  host: string;
  port: number;
  store: { kind: 'instance'; store: Store } | { kind: 'dataDir'; dataDir: string } | { kind: 'spec'; spec: string };
  maxBodyBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxWatches: number;
  watchTimeoutMs: number;
  bookmarkIntervalMs: number;
  tokenFile: string | undefined;
  credentials: InternalCredentials | undefined;
  admission: AdmissionHook[];
  views: View[];
  leases: LeaseTable | undefined;
  log: (message: string, err?: unknown) => void;
  processMetrics: boolean;
}

export const DEFAULT_LISTEN = '127.0.0.1:7400';
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Fills defaults and rejects impossible values with a ValidationError naming the option. */
export function compileServerOptions(o: ServerOptions): CompiledServerOptions {
  const { host, port } = parseListen(o.listen ?? DEFAULT_LISTEN);
  const sources = [o.store, o.dataDir, o.storeSpec].filter((x) => x !== undefined).length;
  if (sources !== 1) throw invalid('store', 'give exactly one of dataDir, storeSpec or store');
  const store: CompiledServerOptions['store'] = o.store
    ? { kind: 'instance', store: o.store }
    : o.dataDir !== undefined
      ? { kind: 'dataDir', dataDir: nonEmpty('dataDir', o.dataDir) }
      : { kind: 'spec', spec: nonEmpty('storeSpec', o.storeSpec!) };
  const headersTimeoutMs = positiveInt('headersTimeoutMs', o.headersTimeoutMs ?? 10_000);
  const requestTimeoutMs = positiveInt('requestTimeoutMs', o.requestTimeoutMs ?? 30_000);
  // Node requires headersTimeout <= requestTimeout; say so here instead of failing at listen.
  if (headersTimeoutMs > requestTimeoutMs) throw invalid('headersTimeoutMs', 'must not exceed requestTimeoutMs');
  return {
    host,
    port,
    store,
    maxBodyBytes: positiveInt('maxBodyBytes', o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    headersTimeoutMs,
    requestTimeoutMs,
    maxWatches: positiveInt('maxWatches', o.maxWatches ?? 1000),
    watchTimeoutMs: positiveInt('watchTimeoutMs', o.watchTimeoutMs ?? 30 * 60_000),
    bookmarkIntervalMs: positiveInt('bookmarkIntervalMs', o.bookmarkIntervalMs ?? 30_000),
    tokenFile: o.tokenFile,
    credentials: o.credentials,
    admission: [...(o.admission ?? [])],
    views: [...(o.views ?? [])],
    leases: o.leases,
    log: o.log ?? ((m, err) => process.stderr.write(`truststram server: ${m}${err instanceof Error && err.stack ? `\n${err.stack}` : err ? ` ${String(err)}` : ''}\n`)),
    processMetrics: o.processMetrics ?? true,
  };
}

/** Parses `host:port`, `[::1]:port` or `:port` (loopback). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen.trim());
  if (!m) throw invalid('listen', `"${listen}" is not host:port (e.g. 127.0.0.1:7400)`);
  const port = Number(m[3]);
  if (port > 65535) throw invalid('listen', `port ${port} is out of range 0-65535`);
  const host = m[1] ?? (m[2] || '127.0.0.1');
  return { host, port };
}

function positiveInt(field: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw invalid(field, `must be a positive whole number, got ${v}`);
  return v;
}

function nonEmpty(field: string, v: string): string {
  if (!v.trim()) throw invalid(field, 'must not be empty');
  return v;
}

function invalid(field: string, message: string): ValidationError {
  return new ValidationError(`invalid server option ${field}: ${message}`, [{ field, message }]);
}
