// Adapters from the engine to its two callers: the server's admission hook list and the
// scheduler's policy-hook filter. The shapes are declared here structurally (the server and
// scheduler import us, never the reverse), so there is no import cycle.
import { objectKey, type ApiObject, type Cause, type Cluster, type Policy, type Workload } from '../api/index.js';
import type { AdmissionDecision, PolicyEngine, Verdict } from './types.js';

/** Structurally the server's `AdmissionRequest` (src/server/admission.ts), minus what we ignore. */
export interface AdmissionHookRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  object?: ApiObject;
  oldObject?: ApiObject;
  subresource?: 'status';
  actor: string;
  dryRun: boolean;
}

/** Structurally the server's `AdmissionResult`. */
export interface AdmissionHookResult {
  verdict: 'allow' | 'warn' | 'deny';
  messages?: string[];
  causes?: Cause[];
}

export interface AdmissionHookOptions {
  /** Called with every decision that has verdicts (audit-enforced ones are only reported here). */
  onDecision?: (decision: AdmissionDecision, req: AdmissionHookRequest) => void;
}

/** `policy/rule: message`, the one-line form used in warnings, reasons and causes. */
export function formatVerdict(v: Verdict): string {
  return `${v.policy}/${v.rule}: ${v.message}`;
}

/**
 * The admission hook for `createServer({ admission: [...] })`. A Policy object is compiled
 * first (a broken one throws ValidationError, HTTP 422); then every admission-stage policy
 * judges the object: deny → `deny` with one cause per failed rule (field = the rule's
 * field, message names policy and rule), warn → `warn` messages, audit → `onDecision` only.
 * Status writes and deletes are not judged.
 */
export function createAdmissionHook(engine: PolicyEngine, opts: AdmissionHookOptions = {}): (req: AdmissionHookRequest) => Promise<AdmissionHookResult> {
  // The executor runs synchronously and turns a thrown ValidationError into a rejection.
  return (req) => new Promise((resolve) => resolve(decide(engine, opts, req)));
}

function decide(engine: PolicyEngine, opts: AdmissionHookOptions, req: AdmissionHookRequest): AdmissionHookResult {
  if (req.subresource === 'status' || req.operation === 'DELETE' || !req.object) return { verdict: 'allow' };
  if (req.object.kind === 'Policy') engine.validatePolicy(req.object as Policy);
  const d = engine.admit({ object: req.object, oldObject: req.oldObject ?? null, user: req.actor, verb: req.operation.toLowerCase() });
  if (d.denials.length + d.warnings.length + d.audits.length > 0) opts.onDecision?.(d, req);
  if (!d.allowed) {
    return {
      verdict: 'deny',
      messages: d.denials.map(formatVerdict),
      causes: d.denials.map((v) => ({ field: v.field ?? '', message: `denied by policy ${v.policy}, rule ${v.rule}: ${v.message}` })),
    };
  }
  if (d.warnings.length > 0) return { verdict: 'warn', messages: d.warnings.map(formatVerdict) };
  return { verdict: 'allow' };
}

/** The objects the scheduler is placing, so the hook can hand the engine the real kinds. */
export interface PlacementObjects {
  workloads: Iterable<Workload>;
  clusters: Iterable<Cluster>;
}

/**
 * The decision function for the scheduler's `policy-hook` filter plugin: pass it as
 * `policy` when building the pipeline. Accepts the scheduler's compiled workload (by
 * `namespace`/`name`) and cluster (by `name`). An object the hook was not given fails closed.
 */
export function createPlacementHook(
  engine: PolicyEngine,
  objects: PlacementObjects,
): (workload: { namespace: string; name: string }, cluster: { name: string }) => { allowed: boolean; reason?: string } {
  const workloads = new Map<string, Workload>();
  for (const w of objects.workloads) workloads.set(objectKey(w), w);
  const clusters = new Map<string, Cluster>();
  for (const c of objects.clusters) clusters.set(c.metadata.name, c);
  return (w, c) => {
    const workload = workloads.get(`Workload/${w.namespace}/${w.name}`);
    const cluster = clusters.get(c.name);
    if (!workload || !cluster) return { allowed: false, reason: `policy engine was not given ${workload ? `Cluster/${c.name}` : `Workload/${w.namespace}/${w.name}`}` };
    const d = engine.filterCluster(workload, cluster);
    return d.allowed ? { allowed: true } : { allowed: false, reason: d.reason };
  };
}
