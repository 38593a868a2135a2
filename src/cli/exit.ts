// Exit codes and error reporting: the one place that decides what a failure means to the
// shell (0 ok, 1 user error, 2 server unreachable, 3 internal error) and how it reads.
import { CommanderError } from 'commander';
import { TrustStramError, UnauthorizedError, formatCause, isUserError } from '../api/index.js';
import { UnreachableError, type ApiError } from './client.js';
import type { Out } from './output.js';

export const ExitCode = { Ok: 0, UserError: 1, Unreachable: 2, Internal: 3 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A user-facing failure raised by the CLI itself (bad flag value, broken audit chain). */
export class CliUserError extends Error {
  constructor(
    message: string,
    readonly lines: string[] = [],
  ) {
    super(message);
    this.name = 'CliUserError';
  }
}

/** A service the command itself needs (the Postgres of `server --store`) cannot be reached: exit 2. */
export class ServiceUnreachableError extends CliUserError {}

/** Maps any thrown value to its exit code. */
export function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof UnreachableError || err instanceof ServiceUnreachableError) return ExitCode.Unreachable;
  if (err instanceof CliUserError) return ExitCode.UserError;
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.UserError;
  if (listenFailure(err)) return ExitCode.UserError;
  if (isUserError(err)) return ExitCode.UserError;
  return ExitCode.Internal;
}

/**
 * Writes an error to stderr. Validation errors print one line per cause as
 * `file: document N: Kind/name: field: message` after a one-line summary.
 */
export function reportError(err: unknown, stderr: Out): void {
  if (err instanceof UnreachableError) {
    stderr.write(
      `error: ${err.message}\n` +
        `  Is a server running? Start one with:  truststram server --listen ${hostPort(err.server)}\n` +
        `  or point the CLI at another one with --server URL or TRUSTSTRAM_SERVER=URL.\n`,
    );
    return;
  }
  const listen = listenFailure(err);
  if (listen) {
    stderr.write(`error: ${listen}\n  Choose another address with --listen (or --gateway-listen); port 0 picks a free one.\n`);
    return;
  }
  if (err instanceof CliUserError) {
    stderr.write(`error: ${err.message}\n`);
    for (const l of err.lines) stderr.write(`${l}\n`);
    return;
  }
  if (err instanceof UnauthorizedError) {
    // A missing or wrong token is the user's to fix (exit 1); say how, and never echo the token.
    const source = (err as ApiError).tokenSource;
    stderr.write(
      source
        ? `error: the server rejected the token from ${source} (${err.message})\n  Check the token; the server accepts those listed in its --token-file.\n`
        : `error: the server requires a token: set TRUSTSTRAM_TOKEN or pass --token-file FILE (${err.message})\n`,
    );
    return;
  }
  if (err instanceof TrustStramError) {
    if (err.causes.length === 0) stderr.write(`error: ${err.message}\n`);
    else {
      const n = err.causes.length;
      const unchanged = err.reason === 'NotFound' ? '' : '; nothing was changed';
      stderr.write(`error: ${REASON_TEXT[err.reason] ?? err.reason}${n > 1 ? ` (${n} problems)` : ''}${unchanged}\n`);
      for (const c of err.causes) stderr.write(`${formatCause(c)}\n`);
    }
    return;
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  stderr.write(`internal error: ${detail}\n  This is a bug in TrustStram; please report it with the command you ran.\n`);
}

/** A listener that could not open (the server's, a gateway's: Node's or HAProxy's), said plainly. */
function listenFailure(err: unknown): string | undefined {
  const e = err as { syscall?: string; code?: string; address?: string; port?: number } | undefined;
  if (e?.syscall !== 'listen' || !e.code) return undefined;
  // Node leaves `port` out of the error when it is 0 (a free port was asked for).
  const where = e.address !== undefined ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port ?? 0}` : 'the requested address';
  const why: Record<string, string> = {
    EADDRINUSE: 'the address is already in use (another process listens there)',
    EACCES: 'permission denied (ports below 1024 need privileges)',
    EADDRNOTAVAIL: 'that address does not belong to this machine',
  };
  return `cannot listen on ${where}: ${why[e.code] ? `${why[e.code]} (${e.code})` : e.code}`;
}

const REASON_TEXT: Partial<Record<string, string>> = {
  Invalid: 'invalid input',
  BadRequest: 'bad request',
  Conflict: 'conflict: the object changed since you read it',
  AlreadyExists: 'already exists',
  NotFound: 'not found',
  Forbidden: 'denied by policy',
  RequestEntityTooLarge: 'input too large',
};

function hostPort(server: string): string {
  try {
    const u = new URL(server);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return '127.0.0.1:7400';
  }
}
