import { describe, expect, it } from 'vitest';
import { deepEqual, diffObjects, userOwned } from './diff.js';

describe('diffObjects', () => {
  it('names every changed, added and removed leaf by its path', () => {
    const before = { spec: { replicas: 2, image: 'a', ports: [{ port: 80 }] }, metadata: { labels: { team: 'x', old: 'y' } } };
    const after = { spec: { replicas: 3, image: 'a', ports: [{ port: 80 }, { port: 443 }] }, metadata: { labels: { team: 'x', tier: '1' } } };
    expect(diffObjects(before, after)).toEqual([
      { path: 'spec.replicas', op: 'replace', before: 2, after: 3 },
      { path: 'spec.ports[1]', op: 'add', after: { port: 443 } },
      { path: 'metadata.labels.tier', op: 'add', after: '1' },
      { path: 'metadata.labels.old', op: 'remove', before: 'y' },
    ]);
  });

  it('finds nothing between equal objects whatever their key order', () => {
    expect(diffObjects({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual([]);
    expect(deepEqual({ a: undefined, b: 1 }, { b: 1 })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
  });

  it('compares only user-owned fields: status and server metadata are ignored', () => {
    const stored = { metadata: { name: 'x', resourceVersion: '7', generation: 3, labels: { a: 'b' } }, spec: { r: 1 }, status: { phase: 'Ready' } };
    const applied = { metadata: { name: 'x', resourceVersion: '9', labels: { a: 'b' } }, spec: { r: 1 } };
    expect(diffObjects(userOwned(stored), userOwned(applied))).toEqual([]);
  });
});
