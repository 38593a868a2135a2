import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { capacityFilter, replicasThatFit } from './capacity.js';

describe('capacity filter', () => {
  const f = capacityFilter();
  it('rejects a cluster where not even one replica fits', () => {
    const r = f.filter(cw({}, 1, 8, 1), cc('small', { cpu: 4 }));
    expect(r.code).toBe('InsufficientCapacity');
    expect(r.reason).toContain('8 CPU');
  });
  it('needs room for all replicas of a Duplicated workload', () => {
    expect(f.filter(cw({ mode: 'Duplicated' }, 5, 1, 1), cc('c', { cpu: 4 })).code).toBe('InsufficientCapacity');
    expect(f.filter(cw({ mode: 'Duplicated' }, 4, 1, 1), cc('c', { cpu: 4 })).code).toBe('Ok');
  });
  it('counts cpu, memory, pods and maxReplicasPerCluster', () => {
    expect(replicasThatFit(cw({}, 1, 1, 8), cc('c', { cpu: 16, memGiB: 32 }))).toBe(4);
    expect(replicasThatFit(cw({}, 1, 1, 1), cc('c', { cpu: 16, memGiB: 32, pods: 3 }))).toBe(3);
    expect(replicasThatFit(cw({ spread: { maxReplicasPerCluster: 2 } }, 1, 1, 1), cc('c'))).toBe(2);
  });
});
