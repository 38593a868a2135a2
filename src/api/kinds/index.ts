// The kind registry: the only place that knows every kind, its plural, scope and schema.
import type { z } from 'zod';
import { budgetSchema, type Budget } from './budget.js';
import { clusterSchema, type Cluster } from './cluster.js';
import { eventSchema, type TrustStramEvent } from './event.js';
import { placementSchema, type Placement } from './placement.js';
import { policySchema, type Policy } from './policy.js';
import { workloadSchema, type Workload } from './workload.js';

export * from './common.js';
export * from './cluster.js';
export * from './workload.js';
export * from './policy.js';
export * from './budget.js';
export * from './placement.js';
export * from './event.js';

export interface KindInfo {
  kind: string;
  /** URL path segment, e.g. `workloads`. */
  plural: string;
  /** Lower-case singular and short names accepted by the CLI (`wl`, `cl`, ...). */
  aliases: string[];
  namespaced: boolean;
  /** Owned by controllers: users may read but the CLI warns when they write. */
  controllerOwned: boolean;
  schema: z.ZodType;
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'Cluster', plural: 'clusters', aliases: ['cluster', 'cl'], namespaced: false, controllerOwned: false, schema: clusterSchema },
  { kind: 'Workload', plural: 'workloads', aliases: ['workload', 'wl'], namespaced: true, controllerOwned: false, schema: workloadSchema },
  { kind: 'Policy', plural: 'policies', aliases: ['policy', 'pol'], namespaced: false, controllerOwned: false, schema: policySchema },
  { kind: 'Budget', plural: 'budgets', aliases: ['budget', 'bud'], namespaced: false, controllerOwned: false, schema: budgetSchema },
  { kind: 'Placement', plural: 'placements', aliases: ['placement', 'pl'], namespaced: true, controllerOwned: true, schema: placementSchema },
  { kind: 'Event', plural: 'events', aliases: ['event', 'ev'], namespaced: true, controllerOwned: true, schema: eventSchema },
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));
const byAnyName = new Map<string, KindInfo>();
for (const k of KINDS) for (const n of [k.kind.toLowerCase(), k.plural, ...k.aliases]) byAnyName.set(n, k);

/** Looks a kind up by its exact `kind` (Workload). */
export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

/** Looks a kind up the way kubectl does: `workloads`, `workload`, `wl`, `Workload`. */
export function resolveKind(name: string): KindInfo | undefined {
  return byAnyName.get(name.toLowerCase());
}

export const DEFAULT_NAMESPACE = 'default';

export type KindName = 'Cluster' | 'Workload' | 'Policy' | 'Budget' | 'Placement' | 'Event';
export type AnyObject = Cluster | Workload | Policy | Budget | Placement | TrustStramEvent;

/** The shape every stored object has, whatever its kind. */
export interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
  };
  spec?: unknown;
  status?: unknown;
}

/** `Kind/namespace/name` or `Kind/name`, used in messages, audit entries and keys. */
export function objectKey(o: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}
