import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { healthFilter } from './health.js';

describe('health filter', () => {
  const f = healthFilter();
  it('excludes NotReady and Unknown clusters', () => {
    expect(f.filter(cw(), cc('a', { phase: 'NotReady' })).code).toBe('ClusterNotReady');
    expect(f.filter(cw(), cc('a', { phase: 'Unknown' })).code).toBe('ClusterNotReady');
  });
  it('counts a cluster without status as Ready and excludes cordoned ones', () => {
    expect(f.filter(cw(), cc('a')).code).toBe('Ok');
    expect(f.filter(cw(), cc('a', { unschedulable: true })).code).toBe('ClusterUnschedulable');
  });
});
