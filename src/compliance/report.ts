// Assembles the compliance report from a store and the live policy engine: policy verdicts,
// residency map, audit chain verification and failover history. Reads only.
import { API_VERSION, type ApiObject, type Cluster, type Placement, type Workload } from '../api/index.js';
import type { PolicyEngine } from '../policy/index.js';
import type { Store } from '../store/store.js';
import { computeFailoverHistory, loadFailoverInputs } from './failover.js';
import { evaluatePolicies, tallies } from './policies.js';
import { buildResidencyMap, type RouteBuilder } from './residency.js';
import { REPORT_KIND, type ComplianceReportDoc } from './types.js';

/** Kinds the report reads (every user kind plus Placements). */
export const REPORTED_KINDS = ['Cluster', 'Workload', 'Policy', 'Budget', 'Placement'] as const;

/** Default failover history window. */
export const DEFAULT_HISTORY_MS = 7 * 24 * 3_600_000;

export interface ReportOptions {
  /** Failover history from this ISO time (default: 7 days back). */
  since?: string;
  /** The route-table builder (default: the gateway's). */
  routes?: RouteBuilder;
  now?: () => Date;
}

/**
 * Computes the whole report at the store's current revision.
 * @example const doc = await buildComplianceReport(store, engine); doc.summary.residencyCrossings
 */
export async function buildComplianceReport(store: Store, engine: PolicyEngine, opts: ReportOptions = {}): Promise<ComplianceReportDoc> {
  const now = (opts.now ?? (() => new Date()))();
  const since = opts.since ?? new Date(now.getTime() - DEFAULT_HISTORY_MS).toISOString();
  // The chain is verified first: the bundle's audit slice, read later, must reach this head.
  const audit = await store.verifyAudit();
  const resourceVersion = await store.revision();
  const lists = await Promise.all(REPORTED_KINDS.map((k) => store.list(k)));
  const byKind = Object.fromEntries(REPORTED_KINDS.map((k, i) => [k, lists[i]!.items])) as Record<(typeof REPORTED_KINDS)[number], ApiObject[]>;
  const workloads = byKind.Workload as Workload[];
  const placements = byKind.Placement as Placement[];
  const clusters = byKind.Cluster as Cluster[];
  const policies = evaluatePolicies(engine, { objects: Object.values(byKind).flat(), placements, workloads, clusters });
  const residency = buildResidencyMap(workloads, placements, clusters, opts.routes);
  const failovers = computeFailoverHistory(await loadFailoverInputs(store, since));
  const t = tallies(policies);
  return {
    apiVersion: API_VERSION,
    kind: REPORT_KIND,
    generatedAt: now.toISOString(),
    resourceVersion,
    summary: {
      policies: policies.policies.length,
      ...t,
      violatingObjects: policies.violatingObjects.length,
      residencyCrossings: residency.crossings.length,
      auditChainOk: audit.ok,
      failovers: failovers.incidents.length,
    },
    policies,
    residency,
    // A chain verified from entry 1 without gaps ends at seq = number of entries.
    audit: { ...audit, headSeq: audit.ok ? audit.entries : (audit.firstBad?.seq ?? 1) - 1 },
    failovers,
  };
}
