// The policy engine's contract: what admission, placement and the compliance report ask of
// it and what it answers. Only plain data crosses this seam, so the server and the scheduler
// depend on these types and never on the engine's internals.
import type { ApiObject, Cluster, Policy, Workload } from '../api/index.js';

export type Enforcement = 'deny' | 'warn' | 'audit';

/** One rule's judgement of one object: the evidence behind every deny, warning and audit. */
export interface Verdict {
  policy: string;
  /** The rule's name, or `rule-<index>` when it has none. */
  rule: string;
  enforcement: Enforcement;
  message: string;
  /** The field the rule is about (e.g. `spec.image`), when it can be read off the expression. */
  field?: string;
  /** `Kind/namespace/name` of the judged object. */
  object: string;
  /** The cluster judged against, for placement-stage rules. */
  cluster?: string;
  /** True when the rule could not be evaluated (the verdict then fails closed for deny). */
  error?: boolean;
}

/** What admission evaluates: the object as it would be stored and who is storing it. */
export interface AdmissionInput {
  object: ApiObject;
  /** The stored object on update; absent or null on create. */
  oldObject?: ApiObject | null;
  user: string;
  /** `create`, `update` or `delete` (lower-case, as in Kubernetes' `request.operation`). */
  verb: string;
}

export interface AdmissionDecision {
  /** False when any deny-enforced rule failed or could not be evaluated. */
  allowed: boolean;
  denials: Verdict[];
  warnings: Verdict[];
  audits: Verdict[];
}

/** Placement-stage answer for one workload on one cluster. */
export interface PlacementDecision {
  allowed: boolean;
  /** Why the cluster was filtered: `policy/rule: message` of the first denial. */
  reason?: string;
  verdicts: Verdict[];
}

/** Per-policy tallies of a runtime re-evaluation. */
export interface PolicyReport {
  policy: string;
  enforcement: Enforcement;
  stage: 'admission' | 'placement';
  /** Objects the policy matched. */
  matched: number;
  pass: number;
  /** Matched objects failing a deny rule. */
  fail: number;
  /** Matched objects failing a warn rule. */
  warn: number;
  /** Matched objects failing an audit rule. */
  audit: number;
  /** Rules that could not be evaluated on some object. */
  errors: number;
  violations: Verdict[];
}

/** The result of `evaluateAll`: what `compliance report`, `plan` and `--dry-run` show. */
export interface ComplianceReport {
  evaluatedAt: string;
  objects: number;
  policies: PolicyReport[];
  /** Objects that fail at least one deny rule. */
  violatingObjects: string[];
}

/** A policy compiled once: its programs are cached by name and resourceVersion. */
export interface CompiledPolicySummary {
  name: string;
  resourceVersion?: string;
  stage: 'admission' | 'placement';
  enforcement: Enforcement;
  rules: { name: string; cost: number; field?: string }[];
}

/** The CEL policy engine. Create with `createPolicyEngine()`. */
export interface PolicyEngine {
  /** Replaces the whole policy set (e.g. after listing the store). Throws on the first broken policy. */
  setPolicies(policies: readonly Policy[]): void;
  /** Adds or replaces one policy (compiled unless cached under the same name and resourceVersion). */
  upsert(policy: Policy): CompiledPolicySummary;
  remove(name: string): void;
  policies(): Policy[];
  /** Compiles without installing: the admission check for Policy objects themselves. Throws ValidationError. */
  validatePolicy(policy: Policy): CompiledPolicySummary;
  admit(req: AdmissionInput): AdmissionDecision;
  /** Placement-stage policies for `workload` on `cluster`. */
  filterCluster(workload: Workload, cluster: Cluster): PlacementDecision;
  /** Admission-stage policies over every object: the periodic runtime re-evaluation. */
  evaluateAll(objects: Iterable<ApiObject>): ComplianceReport;
}
