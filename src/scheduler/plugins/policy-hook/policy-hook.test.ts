import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { policyHookFilter } from './policy-hook.js';

describe('policy hook filter', () => {
  it('allows everything without a hook', () => {
    expect(policyHookFilter().filter(cw(), cc('a')).code).toBe('Ok');
  });
  it('turns a denial into PolicyDenied with the hook reason', () => {
    const f = policyHookFilter((_w, c) => (c.provider === 'aws' ? { allowed: false, reason: 'no aws for this team' } : { allowed: true }));
    expect(f.filter(cw(), cc('a')).reason).toBe('no aws for this team');
    expect(f.filter(cw(), cc('g', { provider: 'gcp' })).code).toBe('Ok');
  });
});
