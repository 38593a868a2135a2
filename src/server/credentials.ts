// Internal credentials: random bearer tokens the control plane issues in memory to processes it
// starts itself (the agents of managed local clusters), as Kubernetes gives kubelets their own
// identity. Never written to disk or logged; gone when the process that issued them stops.
import { createHash, randomBytes } from 'node:crypto';

/** Identities of server-managed agents: `system:agent:<cluster>`. */
export const AGENT_IDENTITY_PREFIX = 'system:agent:';

/** The identity (audit actor) of the managed agent of `cluster`. */
export const agentIdentity = (cluster: string): string => `${AGENT_IDENTITY_PREFIX}${cluster}`;

/** The cluster an agent identity speaks for, or undefined for any other actor. */
export function agentClusterOf(actor: string): string | undefined {
  return actor.startsWith(AGENT_IDENTITY_PREFIX) ? actor.slice(AGENT_IDENTITY_PREFIX.length) : undefined;
}

/** Bytes of randomness in one credential (256 bits, as a Kubernetes bootstrap token has more than enough of). */
const CREDENTIAL_BYTES = 32;

export interface InternalCredentials {
  /**
   * Issues a fresh credential for `identity`, revoking the one it held before (one live
   * credential per identity). Returns the token: hand it over through an environment variable.
   */
  issue(identity: string): string;
  /** Revokes the credential of `identity`, if any. */
  revoke(identity: string): void;
  /** Revokes every credential (the control plane stops). */
  revokeAll(): void;
  /** The identity holding `token`, or undefined. */
  lookup(token: string): string | undefined;
}

/**
 * Creates an empty credential registry; only SHA-256 digests of the tokens are kept.
 * @example
 * const creds = createInternalCredentials();
 * const token = creds.issue(agentIdentity('aws-eu-1')); // -> TRUSTSTRAM_TOKEN of that agent
 * creds.lookup(token); // 'system:agent:aws-eu-1'
 */
export function createInternalCredentials(): InternalCredentials {
  const byDigest = new Map<string, string>();
  const byIdentity = new Map<string, string>();
  const revoke = (identity: string) => {
    const d = byIdentity.get(identity);
    if (d !== undefined) byDigest.delete(d);
    byIdentity.delete(identity);
  };
  return {
    issue(identity) {
      revoke(identity);
      const token = randomBytes(CREDENTIAL_BYTES).toString('base64url');
      const d = digest(token);
      byDigest.set(d, identity);
      byIdentity.set(identity, d);
      return token;
    },
    revoke,
    revokeAll() {
      byDigest.clear();
      byIdentity.clear();
    },
    lookup: (token) => byDigest.get(digest(token)),
  };
}

/**
 * SHA-256 hex digest of a token: what the authenticator keeps and compares, never the token.
 * Lookup by digest keeps the comparison independent of how many leading characters match.
 */
export function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
