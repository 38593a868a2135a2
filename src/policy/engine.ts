// The policy engine: holds the compiled policy set and answers admission, placement and
// runtime re-evaluation. Compiled forms are cached by name and resourceVersion, so a
// re-list of unchanged policies compiles nothing.
import type { ApiObject, Cluster, Policy, Workload } from '../api/index.js';
import { compilePolicy, type CompiledPolicy } from './compile.js';
import { evaluatePolicy, prepare, type PreparedObject } from './evaluate.js';
import { buildReport } from './report.js';
import type { AdmissionDecision, AdmissionInput, PlacementDecision, PolicyEngine, Verdict } from './types.js';

export interface PolicyEngineOptions {
  /** `request.user` for runtime re-evaluation (default `system:policy-reevaluation`). */
  reevaluationUser?: string;
}

/**
 * Creates an empty engine.
 * @example
 * const engine = createPolicyEngine();
 * engine.setPolicies(await loadBaselinePolicies());
 * const d = engine.admit({ object: workload, user: 'alice', verb: 'create' });
 */
export function createPolicyEngine(opts: PolicyEngineOptions = {}): PolicyEngine {
  const reevaluationUser = opts.reevaluationUser ?? 'system:policy-reevaluation';
  const installed = new Map<string, { policy: Policy; compiled: CompiledPolicy }>();
  let cache = new Map<string, CompiledPolicy>();
  let admission: CompiledPolicy[] = [];
  let placement: CompiledPolicy[] = [];
  // The scheduler asks about the same objects many times: convert each once.
  const prepared = new WeakMap<object, PreparedObject>();

  const cacheKey = (p: Policy) => `${p.metadata.name}\u0000${p.metadata.resourceVersion ?? JSON.stringify(p.spec)}`;

  function compile(p: Policy): CompiledPolicy {
    const key = cacheKey(p);
    let c = cache.get(key);
    if (!c) cache.set(key, (c = compilePolicy(p)));
    return c;
  }

  function refresh(): void {
    const all = [...installed.values()].map((e) => e.compiled).sort((a, b) => a.name.localeCompare(b.name));
    admission = all.filter((c) => c.stage === 'admission');
    placement = all.filter((c) => c.stage === 'placement');
    // Keep only what is installed, so the cache cannot grow without bound.
    const live = new Set([...installed.values()].map((e) => cacheKey(e.policy)));
    cache = new Map([...cache].filter(([k]) => live.has(k)));
  }

  function preparedOf(o: ApiObject): PreparedObject {
    let p = prepared.get(o);
    if (!p) prepared.set(o, (p = prepare(o)!));
    return p;
  }

  return {
    setPolicies(policies) {
      const next = new Map<string, { policy: Policy; compiled: CompiledPolicy }>();
      for (const p of policies) next.set(p.metadata.name, { policy: p, compiled: compile(p) });
      installed.clear();
      for (const [k, v] of next) installed.set(k, v);
      refresh();
    },
    upsert(policy) {
      const compiled = compile(policy);
      installed.set(policy.metadata.name, { policy, compiled });
      refresh();
      return compiled.summary;
    },
    remove(name) {
      installed.delete(name);
      refresh();
    },
    policies: () => [...installed.values()].map((e) => e.policy),
    validatePolicy: (policy) => compilePolicy(policy).summary,

    admit(req: AdmissionInput): AdmissionDecision {
      const denials: Verdict[] = [];
      const warnings: Verdict[] = [];
      const audits: Verdict[] = [];
      const matching = admission.filter((p) => p.matches(req.object));
      if (matching.length > 0) {
        const object = prepare(req.object)!;
        const oldObject = prepare(req.oldObject);
        const request = { user: req.user, verb: req.verb };
        for (const p of matching) {
          const verdicts = evaluatePolicy(p, { object, oldObject, request });
          (p.enforcement === 'deny' ? denials : p.enforcement === 'warn' ? warnings : audits).push(...verdicts);
        }
      }
      return { allowed: denials.length === 0, denials, warnings, audits };
    },

    filterCluster(workload: Workload, cluster: Cluster): PlacementDecision {
      const w = workload as ApiObject;
      const matching = placement.filter((p) => p.matches(w));
      if (matching.length === 0) return { allowed: true, verdicts: [] };
      const object = preparedOf(w);
      const c = preparedOf(cluster as ApiObject);
      const verdicts: Verdict[] = [];
      for (const p of matching) verdicts.push(...evaluatePolicy(p, { object, request: { user: reevaluationUser, verb: 'schedule' }, cluster: { ...c, name: cluster.metadata.name } }));
      const denial = verdicts.find((v) => v.enforcement === 'deny');
      return denial ? { allowed: false, reason: `${denial.policy}/${denial.rule}: ${denial.message}`, verdicts } : { allowed: true, verdicts };
    },

    evaluateAll(objects) {
      return buildReport(admission, objects, (p, o) => evaluatePolicy(p, { object: o, request: { user: reevaluationUser, verb: 'reevaluate' } }));
    },
  };
}
