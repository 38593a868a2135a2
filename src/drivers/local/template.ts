// The replica template hash: like a ReplicaSet's pod-template-hash, it changes exactly when a
// replica must be replaced (command, env, ports, health check, resources, mode), not on scale.
import { createHash } from 'node:crypto';
import type { ClusterWork } from '../contract.js';

/** Six hex digits identifying what a replica runs; stable across processes and restarts. */
export function templateHash(work: ClusterWork): string {
  const env = Object.keys(work.env)
    .sort()
    .map((k) => [k, work.env[k]]);
  const template = [work.command, env, work.ports, work.healthCheck ?? null, work.resources, work.simulated, work.image ?? null];
  return createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 6);
}

/** The replica name, also exported to the process as `$TRUSTSTRAM_REPLICA`. */
export function replicaName(workload: string, hash: string, ordinal: number): string {
  return `${workload}-${hash}-${ordinal}`;
}
