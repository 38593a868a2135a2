// Event: what happened, to what, why — scheduling, crashes, evictions, failovers, denials, alerts.
import { z } from 'zod';
import { API_VERSION, dnsSubdomain, looseStatus, objectMeta } from './common.js';

export const eventSpec = z.strictObject({
  involvedObject: z.strictObject({ kind: z.string(), namespace: z.string().optional(), name: z.string() }),
  type: z.enum(['Normal', 'Warning']).default('Normal'),
  reason: z.string().min(1),
  message: z.string(),
  source: z.string().optional(),
  count: z.number().int().min(1).default(1),
  firstTimestamp: z.string().optional(),
  lastTimestamp: z.string().optional(),
  /** Measurements attached to the event, e.g. failover recovery milliseconds. */
  data: z.record(z.string(), z.unknown()).optional(),
});
export type EventSpec = z.infer<typeof eventSpec>;

export const eventSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Event'),
  metadata: objectMeta(dnsSubdomain),
  spec: eventSpec,
  status: looseStatus.optional(),
});
export type TrustStramEvent = z.infer<typeof eventSchema>;
