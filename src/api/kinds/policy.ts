// Policy: CEL rules matched to objects by kind, namespace and labels; deny, warn or audit.
import { z } from 'zod';
import { API_VERSION, dnsLabel, labelSelector, looseStatus, objectMeta } from './common.js';

export const policySpec = z.strictObject({
  match: z
    .strictObject({
      kinds: z.array(z.string().min(1)).optional(),
      namespaces: z.array(z.string().min(1)).optional(),
      labelSelector: labelSelector.optional(),
    })
    .default({}),
  /** Where a rule applies: at admission, when placing onto a cluster, or both. */
  stage: z.enum(['admission', 'placement']).default('admission'),
  params: z.unknown().optional(),
  rules: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        expression: z.string().min(1),
        message: z.string().min(1),
        messageExpression: z.string().optional(),
      }),
    )
    .min(1, 'a policy needs at least one rule'),
  enforcement: z.enum(['deny', 'warn', 'audit']).default('deny'),
});
export type PolicySpec = z.infer<typeof policySpec>;

export const policySchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Policy'),
  metadata: objectMeta(dnsLabel),
  spec: policySpec,
  status: looseStatus.optional(),
});
export type Policy = z.infer<typeof policySchema>;
