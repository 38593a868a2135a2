// The adapters against their real callers' contracts: the server's runAdmission (deny →
// ForbiddenError with policy, rule, message and field; warn → warnings) and the scheduler's
// PolicyHook type.
import { describe, expect, it } from 'vitest';
import { ForbiddenError, ValidationError, type ApiObject } from '../api/index.js';
import type { PolicyHook } from '../scheduler/framework/contract.js';
import { runAdmission, type AdmissionHook, type AdmissionRequest } from '../server/admission.js';
import type { Store } from '../store/store.js';
import { createAdmissionHook, createPlacementHook } from './adapters.js';
import { createPolicyEngine } from './engine.js';
import type { AdmissionDecision } from './types.js';
import { cluster, policy, workload } from './test-helpers.js';

// The hooks only read the request; none of these tests needs a store.
const noStore = {} as Store;
const request = (object: ApiObject, operation: AdmissionRequest['operation'] = 'CREATE'): AdmissionRequest => ({
  operation,
  object,
  actor: 'alice',
  dryRun: false,
  batch: [object],
  location: { file: 'w.yaml', document: 0 },
  store: noStore,
});

function setup() {
  const engine = createPolicyEngine();
  engine.setPolicies([
    policy([{ name: 'replicas', expression: 'object.spec.replicas >= 2', message: 'need two replicas' }], {}, 'ha'),
    policy([{ name: 'digest', expression: "object.spec.image.contains('@sha256:')", message: 'pin by digest' }], { enforcement: 'warn' }, 'pin'),
    policy([{ name: 'audit', expression: 'false', message: 'seen' }], { enforcement: 'audit' }, 'watch'),
  ]);
  const decisions: AdmissionDecision[] = [];
  const hook: AdmissionHook = createAdmissionHook(engine, { onDecision: (d) => decisions.push(d) });
  return { engine, hook, decisions };
}

describe('createAdmissionHook with the server', () => {
  it('denies with a ForbiddenError naming policy, rule, message and field', async () => {
    const { hook, decisions } = setup();
    const err = await runAdmission([hook], [request(workload('x', { replicas: 1 }))]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    const f = err as ForbiddenError;
    expect(f.causes).toEqual([
      { file: 'w.yaml', document: 0, object: 'Workload/default/x', field: 'spec.replicas', message: 'denied by policy ha, rule replicas: need two replicas' },
    ]);
    expect(decisions[0]!.audits.map((v) => v.policy)).toEqual(['watch']);
  });

  it('admits with warnings', async () => {
    const { hook } = setup();
    const warnings = await runAdmission([hook], [request(workload('x', { replicas: 2, image: 'nginx:latest' }))]);
    expect(warnings).toEqual(['Workload/default/x: pin/digest: pin by digest']);
  });

  it('rejects a broken Policy object with a ValidationError, and skips deletes and status writes', async () => {
    const { hook } = setup();
    const broken = policy([{ expression: 'object.spec.replicas +', message: 'm' }], {}, 'broken') as ApiObject;
    await expect(runAdmission([hook], [request(broken)])).rejects.toBeInstanceOf(ValidationError);
    await expect(runAdmission([hook], [{ ...request(workload('x', { replicas: 1 }), 'DELETE'), object: undefined, oldObject: workload('x') }])).resolves.toEqual([]);
    await expect(runAdmission([hook], [{ ...request(workload('x', { replicas: 1 }), 'UPDATE'), subresource: 'status' }])).resolves.toEqual([]);
  });
});

describe('createPlacementHook', () => {
  it('fits the scheduler policy-hook contract and filters with the reason', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([
      policy([{ name: 'high', expression: "has(cluster.metadata.labels) && cluster.metadata.labels['compliance-tier'] == 'high'", message: 'needs compliance-tier=high' }], {
        stage: 'placement',
        match: { kinds: ['Workload'], labelSelector: { matchLabels: { compliance: 'regulated' } } },
      }),
    ]);
    const w = workload('ledger', {}, { compliance: 'regulated' }, 'bank');
    // Typed as the scheduler's PolicyHook: tsc proves the adapter fits the plugin.
    const ask: PolicyHook = createPlacementHook(engine, { workloads: [w], clusters: [cluster('high', { 'compliance-tier': 'high' }), cluster('std')] });
    const asCompiled = (namespace: string, name: string) => ({ namespace, name }) as Parameters<PolicyHook>[0];
    const clusterNamed = (name: string) => ({ name }) as Parameters<PolicyHook>[1];
    expect(ask(asCompiled('bank', 'ledger'), clusterNamed('high'))).toEqual({ allowed: true });
    expect(ask(asCompiled('bank', 'ledger'), clusterNamed('std'))).toEqual({ allowed: false, reason: 'p/high: needs compliance-tier=high' });
    expect(ask(asCompiled('bank', 'ghost'), clusterNamed('std')).allowed).toBe(false);
  });
});
