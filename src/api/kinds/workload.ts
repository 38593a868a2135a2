// Workload: what to run (image, command, resources), where it may run (placement policy,
// residency), how available it must be, how traffic reaches it and what it may cost.
import { z } from 'zod';
import { API_VERSION, HOST_NAME, count, cpuField, dnsLabel, duration, probeDuration, jurisdiction, labelSelector, looseStatus, objectMeta, quantityField, toleration } from './common.js';

/** An absolute URL path of RFC 3986 path characters: no spaces, quotes or control characters. */
const urlPath = z.string().regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/, 'must be an absolute URL path such as /api (RFC 3986 path characters only: no spaces, quotes or control characters)');

const residencyList = z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(jurisdiction).min(1));

export const placementPolicy = z.strictObject({
  /** Jurisdictions the workload may run in (`eu`, or `[eu, ch]`). A hard boundary everywhere. */
  residency: residencyList.optional(),
  /** Clusters must carry all these labels. */
  clusterSelector: z.record(z.string(), z.string()).optional(),
  /** Karmada-style affinity: explicit cluster names, a label selector, and exclusions. */
  clusterAffinity: z
    .strictObject({
      clusterNames: z.array(dnsLabel).optional(),
      labelSelector: labelSelector.optional(),
      exclude: z.array(dnsLabel).optional(),
      providers: z.array(z.enum(['aws', 'azure', 'gcp', 'onprem'])).optional(),
      regions: z.array(z.string()).optional(),
    })
    .optional(),
  tolerations: z.array(toleration).optional(),
  spread: z
    .strictObject({
      minProviders: count.optional(),
      minRegions: count.optional(),
      minClusters: count.optional(),
      maxReplicasPerCluster: count.min(1, 'must be at least 1').optional(),
    })
    .optional(),
  mode: z.enum(['Divided', 'Duplicated']).default('Divided'),
  /** Static weights divide replicas Webster/Sainte-Laguë style, as Karmada does. */
  staticWeights: z.array(z.strictObject({ cluster: dnsLabel, weight: z.number().int().min(1) })).optional(),
  optimizeFor: z.enum(['cost', 'latency', 'balanced']).default('cost'),
  spotTolerant: z.boolean().default(false),
  /** Where the users are, for latency scoring: provider regions with relative weights. */
  users: z.array(z.strictObject({ region: z.string().min(1), weight: z.number().positive().default(1) })).optional(),
});
export type PlacementPolicy = z.infer<typeof placementPolicy>;

export const workloadSpec = z.strictObject({
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  env: z.array(z.strictObject({ name: z.string().min(1), value: z.string() })).optional(),
  replicas: count.default(1),
  /** Requests per replica. */
  resources: z.strictObject({ cpu: cpuField.optional(), memory: quantityField.optional() }).optional(),
  ports: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        port: z.number().int().min(1).max(65535),
        protocol: z.enum(['http', 'tcp']).default('http'),
      }),
    )
    .optional(),
  healthCheck: z
    .strictObject({
      path: urlPath.default('/healthz'),
      interval: probeDuration.default('1s'),
      timeout: probeDuration.default('500ms'),
      failureThreshold: z.number().int().min(1).default(3),
      successThreshold: z.number().int().min(1).default(1),
    })
    .optional(),
  /** Scheduling priority under contention: tier-0 is placed (and failed over) first. */
  priority: z.enum(['tier-0', 'tier-1', 'tier-2', 'tier-3']).default('tier-2'),
  placement: placementPolicy.default({ mode: 'Divided', optimizeFor: 'cost', spotTolerant: false }),
  availability: z
    .strictObject({
      tier: z.enum(['active-active', 'warm-standby', 'backup-restore']).default('active-active'),
      survive: z.enum(['cluster', 'region', 'provider']).optional(),
      rto: duration.optional(),
      rpo: duration.optional(),
    })
    .optional(),
  traffic: z
    .strictObject({
      host: z.string().regex(HOST_NAME, 'must be a DNS host name such as shop.example.com (letters, digits, hyphens and dots; no port, scheme or path)'),
      pathPrefix: urlPath.optional(),
      routing: z.enum(['weighted', 'locality']).default('weighted'),
      slo: z.number().gt(0).lt(1).default(0.999),
    })
    .optional(),
  autoscaling: z
    .strictObject({
      minReplicas: count,
      maxReplicas: count,
      targetCPUUtilization: z.number().int().min(1).max(100).default(70),
    })
    .refine((a) => a.maxReplicas >= a.minReplicas, { message: 'maxReplicas must be >= minReplicas', path: ['maxReplicas'] })
    .optional(),
  burst: z.strictObject({ enabled: z.boolean().default(false), maxExtraReplicas: count.optional() }).optional(),
  /** Telemetry, backup and artifact endpoints the workload sends data to, with their jurisdiction. */
  sinks: z
    .array(
      z.strictObject({
        kind: z.enum(['telemetry', 'logs', 'metrics', 'traces', 'backup', 'artifact']),
        endpoint: z.string().min(1),
        residency: jurisdiction,
      }),
    )
    .optional(),
  securityContext: z
    .strictObject({
      privileged: z.boolean().optional(),
      hostNetwork: z.boolean().optional(),
      hostPID: z.boolean().optional(),
      hostPath: z.array(z.string()).optional(),
    })
    .optional(),
  /** Local driver: run replicas as simulated in-agent responders (scale tests). */
  simulated: z.boolean().optional(),
});
export type WorkloadSpec = z.infer<typeof workloadSpec>;

export const workloadSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Workload'),
  metadata: objectMeta(dnsLabel),
  spec: workloadSpec,
  status: looseStatus.optional(),
});
export type Workload = z.infer<typeof workloadSchema>;
