import { describe, expect, it } from 'vitest';
import type { Placement } from '../api/index.js';
import { createFailbackWatch } from './failbacks.js';

const placement = (name: string, split: Record<string, number>) => ({ metadata: { name, namespace: 'shop' }, spec: { workload: name, clusters: Object.entries(split).map(([cluster, replicas]) => ({ cluster, replicas })) } }) as unknown as Placement;

describe('createFailbackWatch', () => {
  it('sees a workload that left a failed cluster and came back onto it, once per return', () => {
    const w = createFailbackWatch();
    w.fault(['gcp-us'], ['shop/web']);
    w.observe(1, [placement('web', { 'gcp-us': 2 })]);
    w.observe(2, [placement('web', { 'aws-us': 2 })]);
    expect(w.failbacks()).toEqual([]);
    // The surge of a failback (old ∪ new) already puts replicas back.
    w.observe(3, [placement('web', { 'aws-us': 2, 'gcp-us': 2 })]);
    w.observe(4, [placement('web', { 'gcp-us': 2 })]);
    expect(w.failbacks()).toEqual([{ workload: 'shop/web', cluster: 'gcp-us', at: 3 }]);
    w.observe(5, [placement('web', { 'aws-us': 2, 'gcp-us': 0 })]);
    w.observe(6, [placement('web', { 'gcp-us': 1, 'aws-us': 1 })]);
    expect(w.failbacks().map((b) => b.at)).toEqual([3, 6]);
  });

  it('is no failback when the replicas never left (restored before failover), nor for workloads the fault did not hit', () => {
    const w = createFailbackWatch();
    w.fault(['gcp-us'], ['shop/web']);
    w.observe(1, [placement('web', { 'gcp-us': 2 }), placement('api', { 'aws-us': 1 })]);
    w.observe(2, [placement('web', { 'gcp-us': 2 }), placement('api', { 'gcp-us': 1 })]);
    expect(w.failbacks()).toEqual([]);
    // A placement missing from one sample (deleted, or a partial list) is not a departure.
    w.observe(3, [placement('api', { 'gcp-us': 1 })]);
    w.observe(4, [placement('web', { 'gcp-us': 2 })]);
    expect(w.failbacks()).toEqual([]);
  });
});
