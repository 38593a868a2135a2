// Cluster: a member of the fleet — where it is (provider, region, residency), what it holds
// (capacity or node pools), what it costs (pricing override) and how to reach it (driver).
import { z } from 'zod';
import { API_VERSION, count, cpuField, dnsLabel, jurisdiction, looseStatus, objectMeta, provider, quantityField, taint } from './common.js';

export const nodePool = z.strictObject({
  name: dnsLabel.optional(),
  instanceType: z.string().min(1),
  count: count,
  spot: z.boolean().default(false),
});
export type NodePool = z.infer<typeof nodePool>;

export const clusterSpec = z
  .strictObject({
    provider,
    region: z.string().min(1, 'must name the provider region, e.g. eu-west-1, westeurope, europe-west1'),
    zones: z.array(z.string().min(1)).optional(),
    /** Jurisdiction; derived from the region catalog when omitted, required for unknown regions. */
    residency: jurisdiction.optional(),
    capacity: z
      .strictObject({ cpu: cpuField, memory: quantityField, pods: count.optional() })
      .optional(),
    nodePools: z.array(nodePool).optional(),
    pricing: z
      .strictObject({
        cpuHour: z.number().min(0),
        memoryGiBHour: z.number().min(0),
        /** Fraction of on-demand paid for spot capacity (0.3 = 70% off); default from the catalog. */
        spotFactor: z.number().gt(0).max(1).optional(),
        currency: z.literal('USD').default('USD'),
      })
      .optional(),
    controlPlane: z.strictObject({ managed: z.boolean().default(true), feePerHour: z.number().min(0).optional() }).optional(),
    driver: z
      .strictObject({
        type: z.enum(['local', 'kubernetes']).default('local'),
        kubeconfig: z.string().optional(),
        context: z.string().optional(),
        namespace: z.string().optional(),
        /** Local driver: run replicas as in-process HTTP responders instead of OS processes. */
        simulated: z.boolean().optional(),
        /** Local driver: the server starts this cluster's agent itself (default true). */
        managed: z.boolean().optional(),
      })
      .default({ type: 'local' }),
    taints: z.array(taint).optional(),
    /** Cordoned clusters keep running what they have but receive no new replicas. */
    unschedulable: z.boolean().optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.capacity && !(s.nodePools && s.nodePools.length > 0))
      ctx.addIssue({ code: 'custom', path: ['capacity'], message: 'a cluster needs capacity (cpu, memory, pods) or nodePools' });
  });
export type ClusterSpec = z.infer<typeof clusterSpec>;

export const clusterSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Cluster'),
  metadata: objectMeta(dnsLabel),
  spec: clusterSpec,
  status: looseStatus.optional(),
});
export type Cluster = z.infer<typeof clusterSchema>;

/** Cluster status as written by the health controller and the agents. */
export interface ClusterStatus {
  /** Ready, NotReady (missed heartbeats or failed by chaos) or Unknown (never heard from). */
  phase?: 'Ready' | 'NotReady' | 'Unknown';
  lastHeartbeatTime?: string;
  allocatable?: { cpu: number; memory: number; pods: number };
  allocated?: { cpu: number; memory: number; pods: number };
  conditions?: { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastTransitionTime?: string }[];
  [key: string]: unknown;
}
