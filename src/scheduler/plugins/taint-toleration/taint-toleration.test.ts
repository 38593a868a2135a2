import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { taintTolerationFilter, tolerates } from './taint-toleration.js';

describe('taint toleration filter', () => {
  const f = taintTolerationFilter();
  const gpu = cc('gpu', { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] });
  it('rejects a NoSchedule taint without toleration', () => {
    expect(f.filter(cw(), gpu).code).toBe('TaintNotTolerated');
  });
  it('accepts Equal and Exists tolerations that match', () => {
    expect(f.filter(cw({ tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true' }] }), gpu).code).toBe('Ok');
    expect(f.filter(cw({ tolerations: [{ key: 'gpu', operator: 'Exists' }] }), gpu).code).toBe('Ok');
    expect(f.filter(cw({ tolerations: [{ key: 'gpu', operator: 'Equal', value: 'false' }] }), gpu).code).toBe('TaintNotTolerated');
  });
  it('ignores PreferNoSchedule and honours an effect restriction', () => {
    expect(f.filter(cw(), cc('soft', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })).code).toBe('Ok');
    expect(tolerates({ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }, { key: 'gpu', effect: 'NoSchedule' })).toBe(false);
    expect(tolerates({ operator: 'Exists' }, { key: 'anything', effect: 'NoSchedule' })).toBe(true);
  });
});
