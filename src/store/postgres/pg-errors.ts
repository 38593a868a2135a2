// Maps node-postgres failures to the store's typed errors: lost or refused connections are
// StoreUnavailableError, lock and serialization contention is retryable, our own errors pass.
import { RetryableError, TrustStramError } from '../../api/index.js';
import { StoreUnavailableError } from '../store-errors.js';

// SQLSTATE classes and socket codes that mean "the database is not there for us right now".
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const UNAVAILABLE_SQLSTATE = new Set(['57P01', '57P02', '57P03', '53300', '3D000', '28000', '28P01', '3F000']);
// Contention: a waiting writer gave up (lock_timeout), or Postgres chose a victim.
const RETRYABLE_SQLSTATE = new Set(['40001', '40P01', '55P03', '57014']);

/** True when `err` says the connection to the database failed (not a bad statement). */
export function isConnectionError(err: unknown): boolean {
  const inner = (err as { errors?: unknown }).errors;
  if (Array.isArray(inner) && inner.some(isConnectionError)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return UNAVAILABLE_SOCKET.has(code) || UNAVAILABLE_SQLSTATE.has(code) || code.startsWith('08');
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed/i.test(message);
}

/** Translates a failure from a store operation; typed TrustStram errors are returned as they are. */
export function translatePgError(err: unknown): unknown {
  if (err instanceof TrustStramError) return err;
  if (isConnectionError(err)) return new StoreUnavailableError(`the Postgres store is unavailable (${describePgError(err)}): retry`);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && RETRYABLE_SQLSTATE.has(code)) return new RetryableError(`the store is busy (${describePgError(err)}): retry`);
  return err;
}

/** A one-line description of a driver error, with its code when it has one. */
export function describePgError(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown };
  // A host that resolves to several addresses fails with an AggregateError of them all.
  if (Array.isArray(e.errors) && e.errors.length) return describePgError(e.errors[0]);
  const msg = typeof e.message === 'string' && e.message ? e.message : String(err);
  return typeof e.code === 'string' && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg;
}
