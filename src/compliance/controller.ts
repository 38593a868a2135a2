// Runtime enforcement: a controller that re-evaluates every policy over everything stored —
// on a timer and whenever a policy or a judged object's spec changes — so a policy added later
// reports the objects that already violate it. It writes each Policy's `status` (counts and a
// bounded list of violators) and one `PolicyViolation` Event per newly seen violation.
import type { ApiObject, Policy, TrustStramEvent } from '../api/index.js';
import { type ControllerSpec, type EventRecorder, type KeyMapper, type Manager } from '../controllers/index.js';
import type { PolicyEngine, PolicyReport, Verdict } from '../policy/index.js';
import type { Mutation, Store } from '../store/store.js';
import { evaluatePolicies } from './policies.js';

export const COMPLIANCE_CONTROLLER = 'compliance';
export const POLICY_VIOLATION = 'PolicyViolation';
const GLOBAL = 'global';
const JUDGED_KINDS = ['Cluster', 'Workload', 'Policy', 'Budget', 'Placement'] as const;

export interface ComplianceControllerOptions {
  store: Store;
  manager: Manager;
  engine: PolicyEngine;
  events: EventRecorder;
  /** Periodic re-evaluation interval. Default 30 s. */
  intervalMs?: number;
  /**
   * Shortest gap between two full passes. A pass judges every object and every placed
   * (workload, cluster) pair; during a rollout Placements change hundreds of times a second,
   * and a pass per change would starve the API. Default 2 s.
   */
  minGapMs?: number;
  /** Violators listed on a Policy's status (the count is always exact). Default 20. */
  maxListed?: number;
  /** Events written per round; the rest follow in later rounds. Default 50. */
  maxEventsPerRound?: number;
}

/** What the controller writes under a Policy's `status`. */
export interface PolicyStatus {
  observedGeneration: number;
  stage: 'admission' | 'placement';
  matched: number;
  pass: number;
  /** Matched objects (placement stage: placed pairs) that fail the policy. */
  violations: number;
  errors: number;
  violators: { object: string; cluster?: string; rule: string; message: string; field?: string }[];
  /** True when `violators` was cut at the bound. */
  truncated: boolean;
}

/** Pure: the status a policy's report implies. */
export function policyStatus(p: Policy, r: PolicyReport, maxListed: number): PolicyStatus {
  const violators = r.violations
    .map((v) => ({ object: v.object, ...(v.cluster ? { cluster: v.cluster } : {}), rule: v.rule, message: v.message, ...(v.field ? { field: v.field } : {}) }))
    .sort((a, b) => `${a.object}/${a.cluster ?? ''}/${a.rule}`.localeCompare(`${b.object}/${b.cluster ?? ''}/${b.rule}`));
  return {
    observedGeneration: p.metadata.generation ?? 0,
    stage: r.stage,
    matched: r.matched,
    pass: r.pass,
    violations: r.matched - r.pass,
    errors: r.errors,
    violators: violators.slice(0, maxListed),
    truncated: violators.length > maxListed,
  };
}

/** Identity of one violation, for "newly seen" (policy, object, cluster, rule). */
export const violationId = (v: Pick<Verdict, 'policy' | 'object' | 'rule'> & { cluster?: string }) => `${v.policy}|${v.object}|${v.cluster ?? ''}|${v.rule}`;

// Only spec changes, creations and deletions can change a verdict worth an immediate pass;
// status churn (heartbeats, readiness) is picked up by the periodic pass.
const specChanged: KeyMapper = (t, o, old) => (t !== 'MODIFIED' || o.metadata.generation !== old?.metadata.generation || o.kind === 'Placement' ? [GLOBAL] : []);

/** The controller spec; add it with `manager.add(complianceController({...}))`. */
export function complianceController(o: ComplianceControllerOptions): ControllerSpec {
  const intervalMs = o.intervalMs ?? 30_000;
  const maxListed = o.maxListed ?? 20;
  const maxEvents = o.maxEventsPerRound ?? 50;
  const minGapMs = o.minGapMs ?? 2000;
  let lastPass = -Infinity;
  let known: Set<string> | undefined;

  const seed = async () => {
    const evs = (await o.store.list('Event', { labelSelector: `truststram.io/reason=${POLICY_VIOLATION}` })).items as TrustStramEvent[];
    return new Set(evs.map((e) => e.spec.data?.violation).filter((x): x is string => typeof x === 'string'));
  };

  return {
    initialKeys: [GLOBAL],
    watches: JUDGED_KINDS.map((kind) => ({ kind, keys: specChanged })),
    reconciler: {
      name: COMPLIANCE_CONTROLLER,
      async reconcile() {
        const wait = lastPass + minGapMs - Date.now();
        if (wait > 0) return { requeueAfterMs: wait };
        lastPass = Date.now();
        known ??= await seed();
        const lists = Object.fromEntries(JUDGED_KINDS.map((k) => [k, o.manager.informer(k).list()])) as Record<(typeof JUDGED_KINDS)[number], ApiObject[]>;
        const section = evaluatePolicies(o.engine, {
          objects: Object.values(lists).flat(),
          placements: lists.Placement as never,
          workloads: lists.Workload as never,
          clusters: lists.Cluster as never,
        });
        const mutations: Mutation[] = [];
        const stored = new Map((lists.Policy as Policy[]).map((p) => [p.metadata.name, p]));
        for (const r of section.policies) {
          const p = stored.get(r.policy);
          if (!p) continue; // installed from elsewhere (tests), not a stored object
          const next = policyStatus(p, r, maxListed);
          const cur = (p.status ?? {}) as Record<string, unknown>;
          if (JSON.stringify(pick(cur)) === JSON.stringify(next)) continue;
          mutations.push({ verb: 'updateStatus', object: { ...p, status: { ...cur, ...next } }, ...(p.metadata.resourceVersion ? { expectedResourceVersion: p.metadata.resourceVersion } : {}) });
        }
        const current = new Set<string>();
        let written = 0;
        const fresh: string[] = [];
        for (const r of section.policies)
          for (const v of r.violations) {
            const id = violationId(v);
            current.add(id);
            if (known.has(id) || written >= maxEvents) continue;
            written++;
            fresh.push(id);
            mutations.push(await o.events.mutation({ involved: involvedOf(v.object), type: 'Warning', reason: POLICY_VIOLATION, message: describe(v), source: 'compliance-controller', subject: `${v.policy}/${v.cluster ?? ''}/${v.rule}`, data: { violation: id, policy: v.policy, rule: v.rule, enforcement: v.enforcement, ...(v.cluster ? { cluster: v.cluster } : {}), ...(v.field ? { field: v.field } : {}) } }));
          }
        if (mutations.length) {
          const applied = await o.store.apply(mutations, { actor: `controller:${COMPLIANCE_CONTROLLER}`, reason: 'runtime policy re-evaluation' });
          // The next round must compare against the status just written, not a stale cache.
          const policies = applied.results.filter((x) => x.ref.kind === 'Policy');
          await o.manager.informer('Policy').waitFor(policies.map((x) => ({ key: `Policy/${x.ref.name}`, resourceVersion: x.object.metadata.resourceVersion ?? '0' })));
        }
        // A violation that went away and comes back is news again; one not yet written stays unknown.
        known = new Set([...current].filter((id) => known!.has(id) || fresh.includes(id)));
        return { requeueAfterMs: written >= maxEvents ? 0 : intervalMs };
      },
    },
  };
}

function pick(s: Record<string, unknown>): Partial<PolicyStatus> {
  const keys: (keyof PolicyStatus)[] = ['observedGeneration', 'stage', 'matched', 'pass', 'violations', 'errors', 'violators', 'truncated'];
  return Object.fromEntries(keys.filter((k) => k in s).map((k) => [k, s[k]])) as Partial<PolicyStatus>;
}

function involvedOf(key: string): { kind: string; namespace?: string; name: string } {
  const parts = key.split('/');
  return parts.length >= 3 ? { kind: parts[0]!, namespace: parts[1]!, name: parts.slice(2).join('/') } : { kind: parts[0]!, name: parts[1] ?? key };
}

function describe(v: Verdict): string {
  return `violates policy ${v.policy} (${v.enforcement}), rule ${v.rule}${v.cluster ? ` on cluster ${v.cluster}` : ''}: ${v.message}${v.field ? ` [${v.field}]` : ''}`;
}
