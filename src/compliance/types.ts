// The compliance report's shape: what `GET /api/v1alpha1/compliance`, `compliance report -o json`
// and the evidence bundle carry. Plain JSON data only, so an auditor's tool can read it.
import type { AuditVerifyResult } from '../audit/index.js';
import type { PolicyReport } from '../policy/index.js';

export const REPORT_KIND = 'ComplianceReport';

/** Per-policy tallies over everything stored (admission stage) and every placed replica set (placement stage). */
export interface PolicySection {
  evaluatedAt: string;
  /** Stored objects judged by admission-stage policies. */
  objects: number;
  /** Placed (workload, cluster) pairs judged by placement-stage policies. */
  placedPairs: number;
  policies: PolicyReport[];
  /** `Kind/ns/name` of objects failing at least one deny rule (placement denials included). */
  violatingObjects: string[];
}

/** Why something of a workload is where it is, and whether that is inside its residency. */
export interface ResidencyTarget {
  /** `replica` (placed replicas on a cluster), `route` (a gateway endpoint), `sink` (telemetry, backup, artifact). */
  type: 'replica' | 'route' | 'sink';
  /** Cluster name, endpoint address or sink endpoint. */
  target: string;
  /** The cluster for replicas and routes. */
  cluster?: string;
  /** Sink kind (`logs`, `backup`...) or route host+prefix. */
  detail?: string;
  /** Replicas placed on the cluster, or routing weight of the endpoint. */
  amount?: number;
  jurisdiction: string;
  /** False when the jurisdiction is outside the workload's residency. */
  inside: boolean;
}

export interface ResidencyCrossing {
  workload: string;
  type: ResidencyTarget['type'];
  target: string;
  jurisdiction: string;
  residency: string[];
  message: string;
}

export interface ResidencyRow {
  /** `namespace/name`. */
  workload: string;
  /** Allowed jurisdictions; absent when the workload declares none (unrestricted). */
  residency?: string[];
  replicas: ResidencyTarget[];
  routes: ResidencyTarget[];
  sinks: ResidencyTarget[];
}

export interface ResidencyMap {
  workloads: ResidencyRow[];
  crossings: ResidencyCrossing[];
  /** Where the routes come from (the gateway's route-table builder). */
  routeSource: string;
}

export interface RecoveryMeasurement {
  /** `namespace/name`. */
  workload: string;
  /** Replicas the workload had on the failed cluster when it failed. */
  replicasLost: number;
  /** `FailedOver` or `Degraded` (the placement controller's event), when one was recorded. */
  outcome?: string;
  /** The placement controller's message for that event. */
  message?: string;
  /** First time the workload's status showed fewer ready replicas than desired after the failure. */
  degradedAt?: string;
  /** First time after that all desired replicas were ready again. */
  recoveredAt?: string;
  /** `recoveredAt - clusterNotReadyAt` in ms; absent while not recovered. */
  recoveryMs?: number;
}

export interface FailoverIncident {
  cluster: string;
  /** The ClusterNotReady transition. */
  notReadyAt: string;
  /** The next ClusterReady transition of the same cluster, when there was one. */
  readyAgainAt?: string;
  reason?: string;
  /** The Event that reports it (`truststram-system/<name>`). */
  event?: string;
  workloads: RecoveryMeasurement[];
}

export interface FailoverHistory {
  since: string;
  incidents: FailoverIncident[];
  /** How recovery is measured, written into every report so a reader need not look it up. */
  method: string;
}

/** The whole report. */
export interface ComplianceReportDoc {
  apiVersion: string;
  kind: typeof REPORT_KIND;
  generatedAt: string;
  /** Store revision the report was computed at. */
  resourceVersion: string;
  summary: {
    policies: number;
    pass: number;
    fail: number;
    warn: number;
    audit: number;
    violatingObjects: number;
    residencyCrossings: number;
    auditChainOk: boolean;
    failovers: number;
  };
  policies: PolicySection;
  residency: ResidencyMap;
  audit: AuditVerifyResult & { headSeq: number };
  failovers: FailoverHistory;
}
