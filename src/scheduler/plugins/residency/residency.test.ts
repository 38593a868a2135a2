import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { residencyFilter } from './residency.js';

describe('residency filter', () => {
  const f = residencyFilter();
  it('rejects a cluster outside the jurisdiction with ResidencyMismatch', () => {
    const r = f.filter(cw({ residency: 'eu' }), cc('us', { region: 'us-east-1' }));
    expect(r.code).toBe('ResidencyMismatch');
    expect(r.reason).toContain('us');
  });
  it('accepts a cluster inside one of the listed jurisdictions', () => {
    expect(f.filter(cw({ residency: ['us', 'eu'] }), cc('eu', { region: 'eu-west-1' })).code).toBe('Ok');
  });
  it('uses the declared residency of an on-prem cluster and accepts anything without residency', () => {
    expect(f.filter(cw({ residency: 'eu' }), cc('dc', { provider: 'onprem', residency: 'eu' })).code).toBe('Ok');
    expect(f.filter(cw({}), cc('us', { region: 'us-east-1' })).code).toBe('Ok');
  });
});
