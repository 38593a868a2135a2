// Malformed policies are rejected when applied, never at evaluation time, with the rule's
// field path and the position inside the expression.
import { describe, expect, it } from 'vitest';
import { ValidationError, type Policy } from '../api/index.js';
import { compilePolicy } from './compile.js';
import { policy } from './test-helpers.js';

function rejection(p: Policy): ValidationError {
  try {
    compilePolicy(p);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected the policy to be rejected');
}

const rule = (expression: string, extra: Partial<Policy['spec']['rules'][number]> = {}) => [{ name: 'r', expression, message: 'm', ...extra }];

describe('compilePolicy rejects', () => {
  it('a syntax error, with line and column', () => {
    const e = rejection(policy(rule('object.spec.image.startsWith("a") &&\n  object.spec.replicas >')));
    expect(e.causes[0]).toMatchObject({ field: 'spec.rules[0].expression', object: 'Policy/p' });
    expect(e.causes[0]!.message).toMatch(/^line 2, column 25: syntax error: /);
    expect(e.message).toContain('spec.rules[0].expression');
  });

  it('an unknown variable, listing the declared ones', () => {
    const e = rejection(policy(rule('objekt.spec.replicas > 1')));
    expect(e.causes[0]!.message).toBe('line 1, column 1: type error: Unknown variable: objekt; the variables are object, oldObject, params, request');
  });

  it('cluster outside the placement stage', () => {
    expect(rejection(policy(rule('cluster.metadata.name != ""'))).causes[0]!.message).toContain('Unknown variable: cluster');
  });

  it('an unknown field of the matched kind', () => {
    expect(rejection(policy(rule('object.spec.imag == "x"'))).causes[0]!.message).toBe('line 1, column 13: type error: No such key: imag');
  });

  it('a type error against the kind schema', () => {
    expect(rejection(policy(rule('object.spec.replicas == "3"'))).causes[0]!.message).toContain('type error: no such overload: int == string');
  });

  it('a typo in params, whose types are inferred from their values', () => {
    const e = rejection(policy(rule('object.spec.image in params.registires'), { params: { registries: ['a'] } }));
    expect(e.causes[0]!.message).toContain('No such key: registires');
  });

  it('a non-boolean result, and a non-string messageExpression', () => {
    expect(rejection(policy(rule('object.spec.replicas'))).causes[0]!.message).toBe('must evaluate to bool, but evaluates to int');
    const e = rejection(policy(rule('true', { messageExpression: 'object.spec.replicas' })));
    expect(e.causes[0]).toMatchObject({ field: 'spec.rules[0].messageExpression', message: 'must evaluate to string, but evaluates to int' });
  });

  it('runaway cost: nested comprehensions over object lists', () => {
    const e = rejection(policy(rule('object.spec.ports.all(a, object.spec.env.all(b, object.spec.command.all(c, a.name == b.name && b.value == c)))')));
    expect(e.causes[0]!.message).toMatch(/^estimated cost [\d,]+ exceeds the limit of 2,000,000 \(line 1, column 1\)/);
  });

  it('runaway cost: even the smallest body nested over two object lists', () => {
    expect(rejection(policy(rule('object.spec.env.all(a, object.spec.ports.exists(b, true))'))).causes[0]!.message).toContain('exceeds the limit');
    expect(compilePolicy(policy(rule('object.spec.sinks.all(s, s.residency in object.spec.placement.residency)'))).rules[0]!.cost).toBeLessThan(2_000_000);
  });

  it('unsafe and non-literal regular expressions', () => {
    expect(rejection(policy(rule('object.spec.image.matches("(a+)+$")'))).causes[0]!.message).toContain('nested quantifiers');
    expect(rejection(policy(rule('object.spec.image.matches(object.metadata.name)'))).causes[0]!.message).toContain('must be a string literal');
    expect(rejection(policy(rule('object.spec.image.matches("[")'))).causes[0]!.message).toContain('invalid regular expression');
  });

  it('unknown kinds, and reports every broken rule at once', () => {
    const e = rejection(policy([...rule('1'), { expression: 'nope', message: 'm' }], { match: { kinds: ['Workload', 'Pod'] } }));
    expect(e.causes.map((c) => c.field)).toEqual(['spec.match.kinds[1]']);
    const both = rejection(policy([...rule('1'), { expression: 'nope', message: 'm' }]));
    expect(both.causes.map((c) => c.field)).toEqual(['spec.rules[0].expression', 'spec.rules[1].expression']);
    expect(both.message).toContain('(and 1 more)');
  });

  it('a rule that is invalid for one of several matched kinds', () => {
    const e = rejection(policy(rule('object.spec.replicas > 0'), { match: { kinds: ['Workload', 'Cluster'] } }));
    expect(e.causes[0]!.message).toContain('(when matching Cluster)');
  });
});

describe('compilePolicy accepts', () => {
  it('typed rules, bounded comprehensions over params and oldObject comparisons', () => {
    const c = compilePolicy(
      policy(
        [
          { name: 'labels', expression: 'params.required.all(l, has(object.metadata.labels) && l in object.metadata.labels)', message: 'm' },
          { name: 'immutable-image', expression: 'oldObject == null || object.spec.image == oldObject.spec.image', message: 'm' },
          { name: 'one-level', expression: 'object.spec.ports.all(p, p.port > 1024 && p.name in params.required)', message: 'm' },
        ],
        { params: { required: ['team', 'owner'] } },
      ),
    );
    expect(c.rules.map((r) => r.field)).toEqual(['metadata.labels', 'spec.image', 'spec.ports']);
  });

  it('kind-less policies over the fields every object has', () => {
    expect(compilePolicy(policy(rule('object.metadata.name.size() < 40'), { match: {} })).rules).toHaveLength(1);
    expect(rejection(policy(rule('object.metadata.nam == ""'), { match: {} })).causes[0]!.message).toContain('No such key: nam');
  });
});
