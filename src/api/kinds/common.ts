// Schema pieces shared by every kind: object metadata, names, quantities, selectors, durations.
import { z } from 'zod';
import { isValidLabelKey, isValidLabelValue } from '../labels.js';
import { MAX_CPU_CORES, parseQuantity } from '../quantity.js';
import { JURISDICTIONS } from '../regions.js';

export const API_VERSION = 'truststram.io/v1alpha1';
export const GROUP = 'truststram.io';
export const VERSION = 'v1alpha1';

/**
 * An RFC 1123 host name, optionally fully qualified (trailing dot): what the gateway matches the
 * Host header against and what agents' endpoints may name (both are written into HAProxy's files).
 */
export const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 label: the name of clusters, workloads, namespaces (used in hostnames and env). */
export const dnsLabel = z
  .string()
  .max(63, 'must be no more than 63 characters')
  .regex(DNS1123_LABEL, 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit');

export const dnsSubdomain = z
  .string()
  .max(253, 'must be no more than 253 characters')
  .regex(DNS1123_SUBDOMAIN, 'must be a DNS-1123 subdomain: lowercase letters, digits, "-" and "."');

export const labelMap = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [k, v] of Object.entries(labels)) {
    if (!isValidLabelKey(k)) ctx.addIssue({ code: 'custom', path: [k], message: `invalid label key "${k}"` });
    else if (!isValidLabelValue(v))
      ctx.addIssue({ code: 'custom', path: [k], message: `invalid label value "${v}": at most 63 characters, alphanumerics, "-", "_", "."` });
  }
});

/** Object metadata. Server-owned fields are accepted on input and overwritten by the store. */
export const objectMeta = (nameSchema: z.ZodString) =>
  z.strictObject({
    name: nameSchema,
    namespace: z.string().optional(),
    labels: labelMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    // Store revisions are decimal; anything else can never match and used to read as a conflict.
    resourceVersion: z.string().regex(/^\d{1,19}$/, 'must be a decimal revision such as "42"').optional(),
    generation: z.number().int().optional(),
    uid: z.string().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
  });
export type ObjectMeta = z.infer<ReturnType<typeof objectMeta>>;

/** A Kubernetes quantity kept in its user-written form; validated here, parsed where used. */
export const quantityField = z.union([z.string(), z.number()]).superRefine((v, ctx) => {
  const r = parseQuantity(v);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.error });
  else if (r.value < 0) ctx.addIssue({ code: 'custom', message: 'must not be negative' });
});
/** A CPU quantity: at most {@link MAX_CPU_CORES} cores, so its millicores stay exact integers. */
export const cpuField = quantityField.superRefine((v, ctx) => {
  const r = parseQuantity(v);
  if (r.ok && r.value > MAX_CPU_CORES) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is out of range: CPU must be at most ${MAX_CPU_CORES} cores (${MAX_CPU_CORES * 1000}m)` });
});
export type Quantity = z.infer<typeof quantityField>;

/** Largest count (replicas, pods) accepted: Kubernetes' int32 replica counts, far beyond any fleet. */
export const MAX_COUNT = 2_147_483_647;
const countTooBig = `out of range: must be at most ${MAX_COUNT}`;

/** Non-negative whole count (replicas, pods): rejects -1, 1.5 and 1e308 each with its own message. */
export const count = z
  .number({ error: 'must be a whole number' })
  // zod's int check also refuses unsafe integers (1e308): say "too big" there, not "a fraction".
  .int({ error: (iss) => (iss.code === 'too_big' ? countTooBig : 'must be a whole number, not a fraction') })
  .min(0, 'must not be negative')
  .max(MAX_COUNT, countTooBig);

const DURATION = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/;
const DAY_MS = 86_400_000;
/** Longest duration of any field: a year (RTO/RPO of a backup-restore tier fit well inside). */
export const MAX_DURATION_MS = 365 * DAY_MS;
/** Longest health-check interval or timeout: a day; a probe rarer than that probes nothing. */
export const MAX_PROBE_DURATION_MS = DAY_MS;

/** A Go-style duration (`30s`, `5m`, `1h30m`, `250ms`) of at most `maxMs`, named `maxText` in errors. */
export function durationUpTo(maxMs: number, maxText: string) {
  return z
    .string()
    .regex(DURATION, 'must be a duration such as 250ms, 30s, 5m or 1h')
    // Only well-formed durations are measured: a malformed one already has its error.
    .refine((d) => !DURATION.test(d) || parseDuration(d) <= maxMs, `out of range: must be at most ${maxText}`);
}

/** A Go-style duration (`30s`, `5m`, `1h30m`, `250ms`), at most {@link MAX_DURATION_MS}. */
export const duration = durationUpTo(MAX_DURATION_MS, '365d');
/** A health-check interval or timeout, at most {@link MAX_PROBE_DURATION_MS}. */
export const probeDuration = durationUpTo(MAX_PROBE_DURATION_MS, '24h');

/** Milliseconds of a duration the schema accepted (a huge digit string gives Infinity, never NaN). */
export function parseDuration(d: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * units[m[2]!]!;
  return total;
}

export const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});

/** Jurisdiction codes: `eu`, `us`, `uk`, `ca`, `ch`, `apac`, `sa`, `me`, `af`, `cn`, ... */
/** A jurisdiction of the region catalog (ADR 0002); a typo such as `euu` must not pass as a boundary no cluster is in. */
export const jurisdiction = z.string().superRefine((j, ctx) => {
  if (!Object.hasOwn(JURISDICTIONS, j)) ctx.addIssue({ code: 'custom', message: `unknown jurisdiction ${JSON.stringify(j)}: expected one of ${Object.keys(JURISDICTIONS).join(', ')} (truststram get regions)` });
});

export const providers = ['aws', 'azure', 'gcp', 'onprem'] as const;
export const provider = z.enum(providers);
export type Provider = z.infer<typeof provider>;

export const taint = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});
export type Taint = z.infer<typeof taint>;

export const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Equal', 'Exists']).default('Equal'),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});
export type Toleration = z.infer<typeof toleration>;

export const condition = z.strictObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastTransitionTime: z.string().optional(),
});
export type Condition = z.infer<typeof condition>;

/** Status is controller-owned and free-form per kind; only its shape as an object is enforced. */
export const looseStatus = z.record(z.string(), z.unknown());
