// Engine semantics: deny/warn/audit, matching, messages, evaluation errors failing closed,
// placement filtering, runtime re-evaluation and a property against a plain TS check.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError, type ApiObject } from '../api/index.js';
import { INPUT_LIMITS } from './cel-types.js';
import { createPolicyEngine } from './engine.js';
import { cluster, policy, workload } from './test-helpers.js';

const r = (name: string, expression: string, message = `${name} failed`, messageExpression?: string) => ({ name, expression, message, ...(messageExpression ? { messageExpression } : {}) });

describe('admit', () => {
  it('deny blocks, warn warns, audit only records', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([
      policy([r('three', 'object.spec.replicas >= 3')], { enforcement: 'deny' }, 'd'),
      policy([r('two', 'object.spec.replicas >= 2')], { enforcement: 'warn' }, 'w'),
      policy([r('one', 'object.spec.replicas >= 10')], { enforcement: 'audit' }, 'a'),
    ]);
    const one = engine.admit({ object: workload('x', { replicas: 1 }), user: 'u', verb: 'create' });
    expect(one.allowed).toBe(false);
    expect(one.denials.map((v) => `${v.policy}/${v.rule}`)).toEqual(['d/three']);
    expect(one.warnings.map((v) => `${v.policy}/${v.rule}`)).toEqual(['w/two']);
    expect(one.audits.map((v) => `${v.policy}/${v.rule}`)).toEqual(['a/one']);
    expect(one.denials[0]).toMatchObject({ enforcement: 'deny', field: 'spec.replicas', object: 'Workload/default/x', message: 'three failed' });

    const five = engine.admit({ object: workload('x', { replicas: 5 }), user: 'u', verb: 'create' });
    expect(five).toMatchObject({ allowed: true, denials: [], warnings: [] });
    expect(five.audits).toHaveLength(1);
  });

  it('matches by kind, namespace and label selector', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([
      policy([r('never', 'false')], { match: { kinds: ['Workload'], namespaces: ['prod'], labelSelector: { matchLabels: { tier: 'web' } } } }),
    ]);
    const denied = (o: ApiObject) => !engine.admit({ object: o, user: 'u', verb: 'create' }).allowed;
    expect(denied(workload('a', {}, { tier: 'web' }, 'prod'))).toBe(true);
    expect(denied(workload('a', {}, { tier: 'db' }, 'prod'))).toBe(false);
    expect(denied(workload('a', {}, { tier: 'web' }, 'dev'))).toBe(false);
    expect(denied(cluster('c', { tier: 'web' }))).toBe(false);
  });

  it('kind-less policies judge every kind', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([policy([r('short', 'object.metadata.name.size() <= 3')], { match: {} })]);
    expect(engine.admit({ object: cluster('long-name'), user: 'u', verb: 'create' }).allowed).toBe(false);
    expect(engine.admit({ object: workload('ok'), user: 'u', verb: 'create' }).allowed).toBe(true);
  });

  it('renders messageExpression, falling back to message when it fails', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([
      policy([
        r('msg', 'object.spec.replicas > 5', 'static', "'has ' + string(object.spec.replicas) + ' replicas, by ' + request.user"),
        r('broken-msg', 'object.spec.replicas > 5', 'static fallback', "object.spec.env[0].name"),
      ]),
    ]);
    const d = engine.admit({ object: workload('x', { replicas: 2 }), user: 'alice', verb: 'create' });
    expect(d.denials.map((v) => v.message)).toEqual(['has 2 replicas, by alice', 'static fallback']);
  });

  it('sees oldObject and request on update', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([policy([r('immutable-image', "oldObject == null || object.spec.image == oldObject.spec.image || request.user == 'admin'")])]);
    const before = workload('x', { image: 'a' });
    const after = workload('x', { image: 'b' });
    expect(engine.admit({ object: after, oldObject: before, user: 'bob', verb: 'update' }).allowed).toBe(false);
    expect(engine.admit({ object: after, oldObject: before, user: 'admin', verb: 'update' }).allowed).toBe(true);
    expect(engine.admit({ object: after, user: 'bob', verb: 'create' }).allowed).toBe(true);
  });

  it('turns evaluation errors into verdicts: fail closed for deny, reported for warn', () => {
    const engine = createPolicyEngine();
    // spec.placement.spread is absent: selecting through it is a runtime error.
    const expr = 'object.spec.placement.spread.minProviders >= 1';
    engine.setPolicies([policy([r('deny-err', expr)], {}, 'd'), policy([r('warn-err', expr)], { enforcement: 'warn' }, 'w')]);
    const d = engine.admit({ object: workload('x'), user: 'u', verb: 'create' });
    expect(d.allowed).toBe(false);
    expect(d.denials[0]).toMatchObject({ error: true, message: 'error evaluating rule "deny-err": No such key: spread' });
    expect(d.warnings[0]).toMatchObject({ error: true, rule: 'warn-err' });
  });

  it('refuses inputs beyond the evaluation bounds instead of running on them', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([policy([r('any', 'true')])]);
    const env = Array.from({ length: INPUT_LIMITS.maxItems + 1 }, (_, i) => ({ name: `V${i}`, value: 'x' }));
    const d = engine.admit({ object: workload('x', { env }), user: 'u', verb: 'create' });
    expect(d.allowed).toBe(false);
    expect(d.denials[0]!.message).toContain('input exceeds the evaluation bounds: spec.env has more than 1024 items');
  });
});

describe('policy set management', () => {
  it('setPolicies is all-or-nothing and validatePolicy never installs', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([policy([r('a', 'true')], {}, 'good')]);
    expect(() => engine.setPolicies([policy([r('a', 'true')], {}, 'other'), policy([r('b', 'nope')], {}, 'bad')])).toThrow(ValidationError);
    expect(engine.policies().map((p) => p.metadata.name)).toEqual(['good']);
    expect(() => engine.validatePolicy(policy([r('b', 'false')], {}, 'unused'))).not.toThrow();
    expect(engine.admit({ object: workload('x'), user: 'u', verb: 'create' }).allowed).toBe(true);
  });

  it('upsert replaces by name and remove uninstalls', () => {
    const engine = createPolicyEngine();
    const v1 = policy([r('a', 'true')], {}, 'p');
    v1.metadata.resourceVersion = '1';
    engine.upsert(v1);
    const v2 = policy([r('a', 'false')], {}, 'p');
    v2.metadata.resourceVersion = '2';
    expect(engine.upsert(v2).resourceVersion).toBe('2');
    expect(engine.admit({ object: workload('x'), user: 'u', verb: 'create' }).allowed).toBe(false);
    engine.remove('p');
    expect(engine.admit({ object: workload('x'), user: 'u', verb: 'create' }).allowed).toBe(true);
  });
});

describe('filterCluster', () => {
  it('applies placement-stage policies only, with the reason', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([
      policy([r('no-spot', "object.spec.priority != 'tier-0' || cluster.spec.nodePools.exists(p, !p.spot)", 'no spot', "'not on ' + cluster.metadata.name")], { stage: 'placement' }, 'place'),
      policy([r('never', 'false')], {}, 'admission-only'),
    ]);
    const critical = workload('w', { priority: 'tier-0' });
    expect(engine.filterCluster(critical, cluster('spotty', {}, true))).toMatchObject({ allowed: false, reason: 'place/no-spot: not on spotty' });
    expect(engine.filterCluster(critical, cluster('steady', {}, false)).allowed).toBe(true);
    expect(engine.filterCluster(workload('w2'), cluster('spotty', {}, true)).allowed).toBe(true);
  });

  it('warn-enforced placement rules keep the cluster but report the verdict', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([policy([r('prefer-high', "has(cluster.metadata.labels) && 'tier' in cluster.metadata.labels")], { stage: 'placement', enforcement: 'warn' })]);
    const d = engine.filterCluster(workload('w'), cluster('c'));
    expect(d.allowed).toBe(true);
    expect(d.verdicts).toHaveLength(1);
    expect(d.verdicts[0]).toMatchObject({ cluster: 'c', enforcement: 'warn' });
  });
});

describe('evaluateAll', () => {
  it('counts pass/fail/warn per policy and lists violators, including ones that predate the policy', () => {
    const objects: ApiObject[] = [];
    for (let i = 0; i < 300; i++) objects.push(workload(`w${i}`, { replicas: i % 3 }, { team: i % 5 === 0 ? '' : 'x' }));
    objects.push(cluster('c1'));
    const engine = createPolicyEngine();
    engine.setPolicies([
      policy([r('replicas', 'object.spec.replicas >= 1')], {}, 'min-replicas'),
      policy([r('team', "object.metadata.labels['team'] != ''")], { enforcement: 'warn' }, 'team-label'),
      policy([r('never', 'false')], { stage: 'placement' }, 'placement-only'),
    ]);
    const report = engine.evaluateAll(objects);
    expect(report.objects).toBe(301);
    expect(report.policies.map((p) => p.policy)).toEqual(['min-replicas', 'team-label']);
    const [min, team] = report.policies;
    expect(min).toMatchObject({ matched: 300, pass: 200, fail: 100, warn: 0, errors: 0 });
    expect(team).toMatchObject({ matched: 300, pass: 240, fail: 0, warn: 60 });
    expect(report.violatingObjects).toHaveLength(100);
    expect(report.violatingObjects).toContain('Workload/default/w0');
    expect(min!.violations.every((v) => v.field === 'spec.replicas')).toBe(true);
  });
});

describe('required-labels property', () => {
  const REQUIRED = ['tenant', 'team', 'data-residency', 'owner', 'risk-tier'];
  it('agrees with a plain TypeScript check on random label maps', () => {
    const engine = createPolicyEngine();
    engine.setPolicies([
      policy([r('labels', "has(object.metadata.labels) && params.labels.all(l, l in object.metadata.labels && object.metadata.labels[l] != '')")], { params: { labels: REQUIRED } }),
    ]);
    const key = fc.constantFrom(...REQUIRED, 'app', 'env', 'team2');
    const value = fc.constantFrom('', 'x', 'eu', 'payments');
    fc.assert(
      fc.property(fc.option(fc.dictionary(key, value), { nil: undefined }), (labels) => {
        const expected = labels !== undefined && REQUIRED.every((k) => Object.hasOwn(labels, k) && labels[k] !== '');
        expect(engine.admit({ object: workload('x', {}, labels), user: 'u', verb: 'create' }).allowed).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
