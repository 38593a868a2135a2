import { describe, expect, it } from 'vitest';
import { cc, cw } from '../../testing/compiled.js';
import { clusterAffinityFilter } from './cluster-affinity.js';

describe('cluster affinity filter', () => {
  const f = clusterAffinityFilter();
  const c = cc('prod-1', { labels: { env: 'prod', tier: 'gold' } });
  it('applies clusterSelector', () => {
    expect(f.filter(cw({ clusterSelector: { env: 'prod' } }), c).code).toBe('Ok');
    expect(f.filter(cw({ clusterSelector: { env: 'dev' } }), c).code).toBe('ClusterSelectorMismatch');
  });
  it('applies names, providers, regions and label selectors', () => {
    expect(f.filter(cw({ clusterAffinity: { clusterNames: ['other'] } }), c).code).toBe('ClusterAffinityMismatch');
    expect(f.filter(cw({ clusterAffinity: { providers: ['gcp'] } }), c).code).toBe('ClusterAffinityMismatch');
    expect(f.filter(cw({ clusterAffinity: { regions: ['eu-west-1'] } }), c).code).toBe('Ok');
    expect(f.filter(cw({ clusterAffinity: { labelSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] } } }), c).code).toBe('Ok');
  });
  it('lets exclude win over a positive match', () => {
    expect(f.filter(cw({ clusterAffinity: { clusterNames: ['prod-1'], exclude: ['prod-1'] } }), c).code).toBe('ClusterExcluded');
  });
});
