import { describe, expect, it } from 'vitest';
import { allowedMethods, API_PREFIX, parseResourcePath, resourceSegments } from './paths.js';

const parse = (p: string) => parseResourcePath(p.split('/').filter(Boolean));

describe('parseResourcePath', () => {
  it('addresses cluster-scoped collections, objects and status', () => {
    expect(parse('clusters')).toMatchObject({ info: { kind: 'Cluster' } });
    expect(parse('clusters/aws-eu')).toMatchObject({ name: 'aws-eu' });
    expect(parse('clusters/aws-eu/status')).toMatchObject({ name: 'aws-eu', subresource: 'status' });
  });

  it('addresses namespaced kinds in a namespace and across all namespaces', () => {
    expect(parse('namespaces/team-a/workloads')).toMatchObject({ info: { kind: 'Workload' }, namespace: 'team-a' });
    expect(parse('namespaces/team-a/workloads/pay/status')).toMatchObject({ namespace: 'team-a', name: 'pay', subresource: 'status' });
    const all = parse('workloads')!;
    expect(all.namespace).toBeUndefined();
    expect(allowedMethods(all)).toEqual(['GET']);
  });

  it('rejects addresses that do not exist', () => {
    expect(parse('widgets')).toBeUndefined();
    expect(parse('namespaces/team-a/clusters')).toBeUndefined(); // cluster-scoped kind in a namespace
    expect(parse('workloads/pay')).toBeUndefined(); // namespaced object without namespace
    expect(parse('clusters/aws-eu/scale')).toBeUndefined();
    expect(parse('clusters/aws-eu/status/extra')).toBeUndefined();
    expect(parse('')).toBeUndefined();
  });

  it('refuses a namespace that is not a DNS-1123 label instead of calling it missing', () => {
    for (const ns of ['..', 'Team-A', 'a.b', 'x'.repeat(64)]) expect(() => parseResourcePath(['namespaces', ns, 'workloads']), ns).toThrow(/invalid namespace/);
  });

  it('keeps an encoded "/" inside its segment', () => {
    expect(resourceSegments(`${API_PREFIX}/namespaces/..%2Fx/workloads`)).toEqual(['namespaces', '../x', 'workloads']);
    expect(resourceSegments(`${API_PREFIX}/clusters/a%zz`)).toBeUndefined();
    expect(resourceSegments('/api/v1alpha1/apply')).toBeUndefined();
  });

  it('lists the methods each address supports', () => {
    expect(allowedMethods(parse('clusters')!)).toEqual(['GET', 'POST']);
    expect(allowedMethods(parse('clusters/x')!)).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
    expect(allowedMethods(parse('clusters/x/status')!)).toEqual(['GET', 'PATCH', 'PUT']);
  });
});
