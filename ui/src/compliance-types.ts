// The shapes the dashboard reads from computed views. They mirror src/compliance/types.ts,
// src/cost/views.ts and src/policy/types.ts; copied (not imported) so the browser bundle
// never pulls server code.

export interface PolicyReport {
  policy: string;
  enforcement: 'deny' | 'warn' | 'audit';
  stage: 'admission' | 'placement';
  matched: number;
  pass: number;
  fail: number;
  warn: number;
  audit: number;
  errors: number;
  violations: { policy: string; rule: string; enforcement: string; message: string; field?: string; object: string; cluster?: string }[];
}

export interface ResidencyTarget {
  type: 'replica' | 'route' | 'sink';
  target: string;
  cluster?: string;
  detail?: string;
  amount?: number;
  jurisdiction: string;
  inside: boolean;
}

export interface RecoveryMeasurement {
  workload: string;
  replicasLost: number;
  outcome?: string;
  message?: string;
  degradedAt?: string;
  recoveredAt?: string;
  recoveryMs?: number;
}

export interface FailoverIncident {
  cluster: string;
  notReadyAt: string;
  readyAgainAt?: string;
  reason?: string;
  event?: string;
  workloads: RecoveryMeasurement[];
}

export interface ComplianceReport {
  generatedAt: string;
  summary: { policies: number; pass: number; fail: number; warn: number; audit: number; violatingObjects: number; residencyCrossings: number; auditChainOk: boolean; failovers: number };
  policies: { evaluatedAt: string; objects: number; placedPairs: number; policies: PolicyReport[]; violatingObjects: string[] };
  residency: {
    workloads: { workload: string; residency?: string[]; replicas: ResidencyTarget[]; routes: ResidencyTarget[]; sinks: ResidencyTarget[] }[];
    crossings: { workload: string; type: string; target: string; jurisdiction: string; residency: string[]; message: string }[];
    routeSource: string;
  };
  audit: AuditVerify & { headSeq: number };
  failovers: { since: string; incidents: FailoverIncident[]; method: string };
}

export interface CostRow {
  name: string;
  cpuCost: number;
  memoryCost: number;
  sharedCost: number;
  /** Idle capacity and control-plane fees of the row's clusters (by cluster, provider, region, residency). */
  idleCost: number;
  overheadCost: number;
  egressCost: number;
  totalCost: number;
  share: number;
  costPerHour: number;
  projectedMonthly: number;
}

export interface CostReport {
  by: string;
  window: string;
  rows: CostRow[];
  totals: { totalCost: number; allocated: number; idle: number; overhead: number; egress: number; costPerHour: number; projectedMonthly: number };
  notes: string[];
}

export interface Recommendation {
  id: string;
  /** rightsize, spot, cheaper-cluster, consolidate. */
  type: string;
  workloads: string[];
  clusters: string[];
  monthlySaving: number;
  risk: 'low' | 'medium' | 'high';
  reason: string;
}

export interface RecommendationList {
  monthlyBefore: number;
  monthlyAfter: number;
  monthlySaving: number;
  items: Recommendation[];
}

export interface AuditVerify {
  ok: boolean;
  entries: number;
  headHash?: string;
  firstBad?: { seq: number; problem: string };
}

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  verb: string;
  kind?: string;
  namespace?: string;
  name?: string;
  hash: string;
  prevHash: string;
  details?: Record<string, unknown>;
}
