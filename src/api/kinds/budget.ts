// Budget: a monthly USD limit over a scope (team, tenant, namespace, provider, region,
// residency, cluster), alert thresholds, and what to do on breach.
import { z } from 'zod';
import { API_VERSION, dnsLabel, looseStatus, objectMeta } from './common.js';

export const budgetSpec = z.strictObject({
  scope: z
    .strictObject({
      team: z.string().optional(),
      tenant: z.string().optional(),
      namespace: z.string().optional(),
      provider: z.string().optional(),
      region: z.string().optional(),
      residency: z.string().optional(),
      cluster: z.string().optional(),
    })
    .default({}),
  monthlyLimit: z.number().positive('must be a positive amount in USD'),
  currency: z.literal('USD').default('USD'),
  alerts: z
    .strictObject({
      thresholds: z.array(z.number().positive().max(1000)).default([50, 80, 100]),
      weekOverWeekGrowthPercent: z.number().positive().optional(),
    })
    .default({ thresholds: [50, 80, 100] }),
  action: z.enum(['alert', 'block-scale-up']).default('alert'),
  webhook: z.strictObject({ url: z.url() }).optional(),
});
export type BudgetSpec = z.infer<typeof budgetSpec>;

export const budgetSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('Budget'),
  metadata: objectMeta(dnsLabel),
  spec: budgetSpec,
  status: looseStatus.optional(),
});
export type Budget = z.infer<typeof budgetSchema>;
