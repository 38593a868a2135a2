// Placement: the controller-owned binding of one Workload to clusters, with its explanation.
import { z } from 'zod';
import { API_VERSION, count, dnsLabel, looseStatus, objectMeta } from './common.js';

export const placementSpec = z.strictObject({
  workload: dnsLabel,
  /** Workload generation this placement was computed for. */
  generation: z.number().int().min(0),
  clusters: z.array(z.strictObject({ cluster: dnsLabel, replicas: count })),
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
