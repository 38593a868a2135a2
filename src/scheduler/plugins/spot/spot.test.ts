import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { spotFilter } from './spot.js';

describe('spot filter', () => {
  const f = spotFilter();
  const spotOnly = cc('s', { cpu: 8, memGiB: 32, spotNodes: 2, spotFactor: 0.3 });
  it('keeps workloads that do not tolerate spot off spot-only clusters', () => {
    expect(spotOnly.odCpu).toBe(0);
    expect(f.filter(cw(), spotOnly).code).toBe('SpotOnly');
    expect(f.filter(cw({ spotTolerant: true }), spotOnly).code).toBe('Ok');
  });
  it('leaves mixed clusters feasible', () => {
    expect(f.filter(cw(), cc('m', { cpu: 16, spotNodes: 2, spotFactor: 0.3 })).code).toBe('Ok');
  });
});
