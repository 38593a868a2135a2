// Placement: the controller-owned binding of one Workload to clusters, with its explanation.
import { z } from 'zod';
import { API_VERSION, count, dnsLabel, looseStatus, objectMeta } from './common.js';

/**
 * One cluster of a Placement. `spotReplicas` is the part of `replicas` the scheduler put on the
 * cluster's spot pool; optional because Placements written before it was recorded lack it
 * (consumers then infer the split, see {@link recordedSpot}).
 */
export const placementCluster = z
  .strictObject({ cluster: dnsLabel, replicas: count, spotReplicas: count.optional() })
  .refine((e) => e.spotReplicas === undefined || e.spotReplicas <= e.replicas, { message: 'spotReplicas must not exceed replicas', path: ['spotReplicas'] });
export type PlacementCluster = z.infer<typeof placementCluster>;

/**
 * The recorded spot replicas of a spec.clusters entry (at most its replicas), or undefined when
 * the Placement predates the field: the one place that decides whether a consumer infers.
 */
export function recordedSpot(e: { replicas: number; spotReplicas?: number }): number | undefined {
  return e.spotReplicas === undefined ? undefined : Math.max(0, Math.min(e.replicas, e.spotReplicas));
}

export const placementSpec = z.strictObject({
  workload: dnsLabel,
  /** Workload generation this placement was computed for. */
  generation: z.number().int().min(0),
  clusters: z.array(placementCluster),
  costPerHour: z.number().min(0),
  /** Why: per-cluster filter verdicts and scores, bound gap (see scheduler explanation). */
  explanation: z.unknown().optional(),
  unschedulable: z.strictObject({ reason: z.string(), message: z.string() }).optional(),
});
export type PlacementSpec = z.infer<typeof placementSpec>;

export const placementSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Placement'),
  metadata: objectMeta(dnsLabel),
  spec: placementSpec,
  status: looseStatus.optional(),
});
export type Placement = z.infer<typeof placementSchema>;
