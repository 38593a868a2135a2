// Runtime re-evaluation of every policy: admission-stage policies over every stored object
// (the engine's evaluateAll) and placement-stage policies over every placed (workload, cluster)
// pair, so a policy added later reports what already violates it. Pure: reads, never writes.
import { objectKey, type ApiObject, type Cluster, type Placement, type Policy, type Workload } from '../api/index.js';
import { compilePolicy, type PolicyEngine, type PolicyReport } from '../policy/index.js';
import type { PolicySection } from './types.js';

/** Kinds the runtime pass skips: Events are records of the past, not desired state. */
export const SKIPPED_KINDS: ReadonlySet<string> = new Set(['Event']);

export interface PolicyInputs {
  /** Every stored object to judge (Events are skipped). */
  objects: readonly ApiObject[];
  placements: readonly Placement[];
  workloads: readonly Workload[];
  clusters: readonly Cluster[];
}

/**
 * Judges everything with the engine's current policy set.
 * @example const s = evaluatePolicies(engine, { objects, placements, workloads, clusters }); s.policies[0].fail
 */
export function evaluatePolicies(engine: PolicyEngine, inputs: PolicyInputs): PolicySection {
  const judged = inputs.objects.filter((o) => !SKIPPED_KINDS.has(o.kind));
  const admission = engine.evaluateAll(judged);
  const placement = evaluatePlacementStage(engine, inputs);
  const violating = new Set(admission.violatingObjects);
  for (const r of placement.reports) if (r.enforcement === 'deny') for (const v of r.violations) violating.add(v.object);
  const policies = [...admission.policies, ...placement.reports].sort((a, b) => a.policy.localeCompare(b.policy));
  return { evaluatedAt: admission.evaluatedAt, objects: admission.objects, placedPairs: placement.pairs, policies, violatingObjects: [...violating].sort() };
}

/**
 * Placement-stage policies judged per placed (workload, cluster): a replica placed before a
 * policy forbade that cluster shows up here as a violation with the cluster named.
 */
export function evaluatePlacementStage(engine: PolicyEngine, inputs: Omit<PolicyInputs, 'objects'>): { pairs: number; reports: PolicyReport[] } {
  const policies = engine.policies().filter((p: Policy) => p.spec.stage === 'placement');
  const compiled = policies.flatMap((p) => {
    try {
      return [compilePolicy(p)];
    } catch {
      return []; // the engine refused it too: it is not enforced, so it is not reported
    }
  });
  const reports: PolicyReport[] = compiled.map((c) => ({ policy: c.name, enforcement: c.enforcement, stage: 'placement', matched: 0, pass: 0, fail: 0, warn: 0, audit: 0, errors: 0, violations: [] }));
  const workloads = new Map(inputs.workloads.map((w) => [`${w.metadata.namespace ?? 'default'}/${w.metadata.name}`, w]));
  const clusters = new Map(inputs.clusters.map((c) => [c.metadata.name, c]));
  let pairs = 0;
  for (const p of [...inputs.placements].sort((a, b) => objectKey(a).localeCompare(objectKey(b)))) {
    const w = workloads.get(`${p.metadata.namespace ?? 'default'}/${p.spec.workload}`);
    if (!w) continue;
    for (const e of p.spec.clusters) {
      const c = clusters.get(e.cluster);
      if (!c || e.replicas <= 0) continue;
      pairs++;
      const matching = compiled.map((x, i) => [x, i] as const).filter(([x]) => x.matches(w as ApiObject));
      if (matching.length === 0) continue;
      const verdicts = engine.filterCluster(w, c).verdicts;
      for (const [x, i] of matching) {
        const r = reports[i]!;
        r.matched++;
        const mine = verdicts.filter((v) => v.policy === x.name).map((v) => ({ ...v, cluster: e.cluster }));
        if (mine.length === 0) {
          r.pass++;
          continue;
        }
        if (mine.some((v) => v.error)) r.errors++;
        if (x.enforcement === 'deny') r.fail++;
        else if (x.enforcement === 'warn') r.warn++;
        else r.audit++;
        r.violations.push(...mine);
      }
    }
  }
  return { pairs, reports };
}

/** Sums of a policy section, for the report summary. */
export function tallies(s: PolicySection): { pass: number; fail: number; warn: number; audit: number } {
  const t = { pass: 0, fail: 0, warn: 0, audit: 0 };
  for (const p of s.policies) {
    t.pass += p.pass;
    t.fail += p.fail;
    t.warn += p.warn;
    t.audit += p.audit;
  }
  return t;
}
