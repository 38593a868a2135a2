import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { staticWeightsFilter } from './static-weights.js';

describe('static weights filter', () => {
  it('keeps only clusters named in staticWeights', () => {
    const f = staticWeightsFilter();
    const w = cw({ staticWeights: [{ cluster: 'a', weight: 2 }] });
    expect(f.filter(w, cc('a')).code).toBe('Ok');
    expect(f.filter(w, cc('b')).code).toBe('NotInStaticWeights');
    expect(f.filter(cw(), cc('b')).code).toBe('Ok');
  });
});
