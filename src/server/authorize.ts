// Authorization of internal identities. Users from the token file may do everything (there is no
// RBAC: see ADR 0013); a managed agent's credential (`system:agent:<cluster>`) may only do what
// an agent does, so a leaked agent credential cannot apply, delete or inject chaos.
import { ForbiddenError } from '../api/index.js';
import { agentClusterOf } from './credentials.js';
import { parseResourcePath } from './paths.js';
import type { Method, View } from './router.js';

/** Kinds an agent reads (its informers and its own Cluster). */
const AGENT_READS = new Set(['Cluster', 'Workload', 'Placement']);

/**
 * Throws ForbiddenError when `actor` may not call `view`. Only agent identities are restricted:
 * their own cluster's lease (renew, release), their own Cluster (read, write its status), and
 * reading Workloads and Placements (list and watch included); public views stay open.
 */
export function authorize(actor: string, method: Method, view: View, params: Record<string, string>): void {
  const cluster = agentClusterOf(actor);
  if (cluster === undefined || view.public === true || agentMay(cluster, method, view, params)) return;
  throw new ForbiddenError(`${actor} may only renew its cluster's lease, write its cluster's status and read workloads and placements`);
}

function agentMay(cluster: string, method: Method, view: View, params: Record<string, string>): boolean {
  if (view.name === 'lease') return (method === 'PUT' || method === 'DELETE') && params.name === cluster;
  if (view.name !== 'resources') return false;
  const p = parseResourcePath((params['*'] ?? '').split('/').filter(Boolean));
  if (!p) return true; // a 404 tells nothing
  if (p.info.kind === 'Cluster') {
    if (p.name !== cluster) return false;
    return method === 'GET' || (p.subresource === 'status' && (method === 'PATCH' || method === 'PUT'));
  }
  return method === 'GET' && AGENT_READS.has(p.info.kind) && p.subresource === undefined;
}
