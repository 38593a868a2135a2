// Who is calling. Loopback default: auth off, the caller may name itself with X-Remote-User
// (recorded in audit, not trusted for anything else). With a token file, every request needs
// `Authorization: Bearer <token>` and the token's user is the actor (`user:alice`); the control
// plane's internal credentials (credentials.ts) authenticate as their identity (`system:agent:c`).
import { readFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { BadRequestError, UnauthorizedError, ValidationError } from '../api/index.js';
import { digest, type InternalCredentials } from './credentials.js';

export const ANONYMOUS = 'anonymous';

export interface Authenticator {
  readonly enabled: boolean;
  /** Returns the actor (`user:alice` or `anonymous`); throws UnauthorizedError when auth is on and fails. */
  authenticate(headers: IncomingHttpHeaders): string;
}

const USER = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;

/**
 * Parses a Kubernetes-style static token file: `token,user[,uid[,groups]]` per line, `#` comments.
 * Only SHA-256 digests of tokens are kept in memory.
 */
export function parseTokenFile(text: string, file = 'token file'): Map<string, string> {
  const tokens = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [token, user] = line.split(',').map((s) => s.trim().replace(/^"|"$/g, ''));
    if (!token || !user || !USER.test(user))
      throw new ValidationError(`${file}: line ${i + 1}: expected "token,user"`, [{ file, field: `line ${i + 1}`, message: 'expected "token,user" with a user of letters, digits, ".", "_", "@", ":" or "-"' }]);
    tokens.set(digest(token), user);
  });
  if (tokens.size === 0) throw new ValidationError(`${file}: no tokens`, [{ file, field: '', message: 'the token file holds no tokens' }]);
  return tokens;
}

/** Reads a token file from disk (see {@link parseTokenFile}). */
export async function loadTokenFile(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ValidationError(`cannot read token file ${path}: ${(err as Error).message}`, [{ file: path, field: '', message: 'cannot read' }]);
  }
  return parseTokenFile(text, path);
}

/**
 * Creates the authenticator; without tokens, auth is off. With auth on, `internal` credentials
 * are accepted too and authenticate as their identity, which no token-file user can take: file
 * users always get the `user:` prefix.
 */
export function createAuthenticator(tokens?: Map<string, string>, internal?: InternalCredentials): Authenticator {
  return {
    enabled: tokens !== undefined,
    authenticate(headers) {
      if (tokens) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(headers.authorization) ?? '');
        const identity = m ? internal?.lookup(m[1]!) : undefined;
        if (identity) return identity;
        const user = m ? tokens.get(digest(m[1]!)) : undefined;
        if (!user) throw new UnauthorizedError(m ? 'invalid bearer token' : 'authentication required: send "Authorization: Bearer <token>"');
        return `user:${user}`;
      }
      const named = headerValue(headers['x-remote-user']);
      if (named === undefined || named === '') return ANONYMOUS;
      if (!USER.test(named)) throw new BadRequestError('X-Remote-User must be 1-128 letters, digits, ".", "_", "@", ":" or "-"');
      return `user:${named}`;
    },
  };
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
