// Parses Kubernetes-style resource paths under /apis/truststram.io/v1alpha1 into what they
// address (kind, namespace, name, subresource) and which verbs the address supports.
import { BadRequestError, GROUP, KINDS, VERSION, type KindInfo } from '../api/index.js';

export const API_PREFIX = `/apis/${GROUP}/${VERSION}`;

export interface ResourcePath {
  info: KindInfo;
  /** Set for namespaced kinds addressed inside a namespace; absent = all namespaces or cluster-scoped. */
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

const byPlural = new Map(KINDS.map((k) => [k.plural, k]));

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Splits a raw (still percent-encoded) URL path under {@link API_PREFIX} into decoded segments,
 * so an encoded `/` (`..%2Fx`) stays inside its segment instead of shifting the ones after it.
 * Returns `undefined` when the path is not under the prefix or does not decode.
 */
export function resourceSegments(pathname: string): string[] | undefined {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return undefined;
  try {
    return pathname.slice(API_PREFIX.length + 1).split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/**
 * Parses the part of a path after {@link API_PREFIX} (already split and decoded).
 * Throws a BadRequestError for a namespace that is not a DNS-1123 label.
 * Returns `undefined` when no resource lives there (404).
 * @example parseResourcePath(['namespaces', 'team-a', 'workloads', 'api', 'status'])
 */
export function parseResourcePath(segments: string[]): ResourcePath | undefined {
  let rest = segments;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
    // A namespace is a DNS-1123 label; `..`, `a/b` or `A` name no place at all: 400, not 404.
    if (!DNS1123_LABEL.test(namespace) || namespace.length > 63)
      throw new BadRequestError(`invalid namespace ${JSON.stringify(namespace)} in the path: must be a DNS-1123 label (lowercase letters, digits and "-")`, [{ field: 'namespace', message: 'must be a DNS-1123 label' }]);
  }
  const info = byPlural.get(rest[0] ?? '');
  if (!info || rest.length > 3) return undefined;
  // Cluster-scoped kinds do not live in namespaces, exactly as in Kubernetes.
  if (namespace !== undefined && !info.namespaced) return undefined;
  const name = rest[1];
  // A single namespaced object needs its namespace: /workloads/{name} is not an address.
  if (name !== undefined && info.namespaced && namespace === undefined) return undefined;
  if (rest.length === 3 && rest[2] !== 'status') return undefined;
  if (name === '' || namespace === '') return undefined;
  return { info, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}), ...(rest.length === 3 ? { subresource: 'status' as const } : {}) };
}

/** HTTP methods a resource address supports, for 405 and the `Allow` header. */
export function allowedMethods(p: ResourcePath): string[] {
  if (p.subresource) return ['GET', 'PATCH', 'PUT'];
  if (p.name !== undefined) return ['DELETE', 'GET', 'PATCH', 'PUT'];
  // Creating needs a namespace for namespaced kinds; the all-namespaces list is read-only.
  if (p.info.namespaced && p.namespace === undefined) return ['GET'];
  return ['GET', 'POST'];
}
