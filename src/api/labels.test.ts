import { describe, expect, it } from 'vitest';
import { compileSelector, parseSelector } from './labels.js';

const labels = { team: 'payments', tier: '0', env: 'prod' };

describe('parseSelector', () => {
  it.each([
    ['', true],
    ['team=payments', true],
    ['team==payments', true],
    ['team!=payments', false],
    ['team=catalog', false],
    ['tier in (0,1)', true],
    ['tier notin (0,1)', false],
    ['env', true],
    ['!env', false],
    ['!legacy', true],
    ['team=payments,tier in (1, 2)', false],
    ['team=payments, env in (prod,staging), !legacy', true],
  ])('%j matches %s', (sel, expected) => {
    expect(parseSelector(sel)(labels)).toBe(expected);
  });

  it('treats missing labels as not equal for !=', () => {
    expect(parseSelector('region!=eu')({})).toBe(true);
  });

  it.each(['team=pay ments', 'a b', 'tier in 0,1', '=x', 'Bad Key=1'])('rejects malformed %j', (sel) => {
    expect(() => parseSelector(sel)).toThrow(/invalid label/);
  });
});

describe('compileSelector', () => {
  it('combines matchLabels and matchExpressions', () => {
    const m = compileSelector({ matchLabels: { team: 'payments' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] });
    expect(m(labels)).toBe(true);
    expect(m({ team: 'payments', env: 'dev' })).toBe(false);
  });
  it('matches everything when empty', () => {
    expect(compileSelector(undefined)(undefined)).toBe(true);
  });
});
