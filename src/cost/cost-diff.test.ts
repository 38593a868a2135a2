import { describe, expect, it } from 'vitest';
import { defaultCatalog } from './catalog/index.js';
import { costDiff, formatCostDiff } from './cost-diff.js';
import { clusterPricing } from './pricing.js';
import { cluster, placement, workload } from './testing/fixtures.js';

describe('costDiff', () => {
  it('reports per workload and in total, per hour and month, and the clusters that change', () => {
    const before = [placement('pay', 'api', { a: 2, b: 2 }, 0.4), placement('pay', 'web', { a: 1 }, 0.1), placement('old', 'x', { a: 1 }, 0.05)];
    const after = [placement('pay', 'api', { a: 1, c: 3 }, 0.3), placement('pay', 'web', { a: 1 }, 0.1), placement('new', 'y', { c: 1 }, 0.2)];
    const d = costDiff(before, after);
    expect(d.workloads.map((w) => [w.workload, w.change])).toEqual([
      ['new/y', 'added'],
      ['old/x', 'removed'],
      ['pay/api', 'changed'],
      ['pay/web', 'unchanged'],
    ]);
    const api = d.workloads.find((w) => w.workload === 'pay/api')!;
    expect(api.clusters).toEqual([
      { cluster: 'a', before: 2, after: 1 },
      { cluster: 'b', before: 2, after: 0 },
      { cluster: 'c', before: 0, after: 3 },
    ]);
    expect(api.deltaMonthly).toBeCloseTo(-0.1 * 730, 9);
    expect(d.total.beforePerHour).toBeCloseTo(0.55, 9);
    expect(d.total.afterPerHour).toBeCloseTo(0.6, 9);
    expect(d.total.afterMonthly).toBeCloseTo(0.6 * 730, 9);
    const text = formatCostDiff(d);
    expect(text).toMatch(/pay\/api: \$292\.00\/mo → \$219\.00\/mo \(-\$73\.00\)  \[a 2→1, b 2→0, c 0→3\]/);
    expect(text).not.toMatch(/pay\/web/);
  });

  it('re-prices from requests when asked, ignoring stale costPerHour', () => {
    const c = cluster('aws-eu');
    const p = clusterPricing(c, defaultCatalog());
    const w = [workload('pay', 'api', { cpu: '1', memory: '1Gi' })];
    const d = costDiff([placement('pay', 'api', { 'aws-eu': 1 }, 99)], [placement('pay', 'api', { 'aws-eu': 2 }, 99)], { price: { clusters: [c], before: w, after: w, catalog: defaultCatalog() } });
    const one = p.onDemand.cpuHour + p.onDemand.memoryGiBHour;
    expect(d.total.beforePerHour).toBeCloseTo(one, 9);
    expect(d.total.afterPerHour).toBeCloseTo(2 * one, 9);
  });
});
