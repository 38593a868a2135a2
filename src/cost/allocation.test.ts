import { describe, expect, it } from 'vitest';
import { GiB } from '../api/index.js';
import { UNALLOCATED, allocateRates, lineTotal } from './allocation.js';
import { defaultCatalog } from './catalog/index.js';
import { clusterPricing } from './pricing.js';
import { cluster, placement, usageStatus, workload } from './testing/fixtures.js';

const catalog = defaultCatalog();

describe('allocateRates', () => {
  it('charges requests, splits CPU and memory, and leaves the rest of the nodes as idle and the fee as overhead', () => {
    const c = cluster('aws-eu');
    const p = clusterPricing(c, catalog);
    const { lines, warnings } = allocateRates({ clusters: [c], workloads: [workload('pay', 'api', { cpu: '1', memory: '2Gi', replicas: 2 })], placements: [placement('pay', 'api', { 'aws-eu': 2 })] }, catalog);
    expect(warnings).toEqual([]);
    const alloc = lines.find((l) => l.kind === 'allocation')!;
    expect(alloc.cpuCost).toBeCloseTo(2 * p.onDemand.cpuHour, 9);
    expect(alloc.memoryCost).toBeCloseTo(4 * p.onDemand.memoryGiBHour, 9);
    expect(alloc.team).toBe('pay');
    const idle = lines.find((l) => l.kind === 'idle')!;
    // Two m6i.xlarge in eu-west-1 at $0.214/h: allocation + idle is the node bill.
    expect(lineTotal(alloc) + lineTotal(idle)).toBeCloseTo(2 * 0.214, 9);
    expect(lines.find((l) => l.kind === 'overhead')!.otherCost).toBeCloseTo(0.1, 9);
  });

  it('charges max(request, usage) per replica: usage above the request costs more, below does not cost less', () => {
    const c = cluster('aws-eu', { status: usageStatus({ 'pay/api': [{ cpu: 3, memoryBytes: 1 * GiB }, { cpu: 0.1, memoryBytes: 0.5 * GiB }] }) });
    const p = clusterPricing(c, catalog);
    const { lines } = allocateRates({ clusters: [c], workloads: [workload('pay', 'api', { cpu: '1', memory: '2Gi', replicas: 2 })], placements: [placement('pay', 'api', { 'aws-eu': 2 })] }, catalog);
    const alloc = lines.find((l) => l.kind === 'allocation')!;
    expect(alloc.cpuCores).toBeCloseTo(4, 9);
    expect(alloc.memoryGiB).toBeCloseTo(4, 9);
    expect(alloc.cpuCost).toBeCloseTo(4 * p.onDemand.cpuHour, 9);
  });

  it('passes on how a cluster was priced when it is not the catalog price: an Azure spot pool at on-demand is named', () => {
    const az = cluster('az-spot', { provider: 'azure', region: 'eastus', type: 'Standard_D4s_v5', count: 1, spotType: 'Standard_D4s_v5', spotCount: 2 });
    const r = allocateRates({ clusters: [az], workloads: [], placements: [] }, catalog);
    expect(r.warnings.join('\n')).toMatch(/^cluster az-spot: node pool "spot": no trustworthy spot price for azure Standard_D4s_v5 in eastus; priced at on-demand/m);
  });

  it('attributes unlabelled workloads to __unallocated__', () => {
    const c = cluster('aws-eu');
    const { lines } = allocateRates({ clusters: [c], workloads: [workload('x', 'api', { labels: {} })], placements: [placement('x', 'api', { 'aws-eu': 1 })] }, catalog);
    expect(lines.find((l) => l.kind === 'allocation')).toMatchObject({ team: UNALLOCATED, tenant: UNALLOCATED });
  });

  it('prices spot-tolerant replicas on the spot pool while it holds them, the rest on demand', () => {
    const c = cluster('aws-eu', { spotType: 'c6i.xlarge', spotCount: 1 });
    const p = clusterPricing(c, catalog);
    const { lines } = allocateRates({ clusters: [c], workloads: [workload('b', 'job', { cpu: '2', memory: '2Gi', replicas: 3, spot: true })], placements: [placement('b', 'job', { 'aws-eu': 3 })] }, catalog);
    const alloc = lines.find((l) => l.kind === 'allocation')!;
    // One c6i.xlarge spot node (4 vCPU) holds two 2-core replicas; the third is on demand.
    expect(alloc.spotReplicas).toBe(2);
    expect(alloc.cpuCost).toBeCloseTo(4 * p.spot!.cpuHour + 2 * p.onDemand.cpuHour, 9);
  });

  describe('with the spot split a Placement records', () => {
    // One c6i.xlarge spot node (4 vCPU) and two spot-tolerant workloads of 2 × 2 cores contending for it.
    const c = cluster('aws-eu', { spotType: 'c6i.xlarge', spotCount: 1 });
    const p = clusterPricing(c, catalog);
    const workloads = [workload('a', 'batch', { cpu: '2', memory: '2Gi', replicas: 2, spot: true }), workload('z', 'etl', { cpu: '2', memory: '2Gi', replicas: 2, spot: true })];
    const split = (placements: ReturnType<typeof placement>[]) => {
      const lines = allocateRates({ clusters: [c], workloads, placements }, catalog).lines.filter((l) => l.kind === 'allocation');
      return Object.fromEntries(lines.map((l) => [l.workload, { spot: l.spotReplicas, cpuCost: l.cpuCost }]));
    };

    it('charges the recorded split, where the inference would give the spot pool to the first workload by name', () => {
      // z/etl holds the spot node, as the scheduler decided; a/batch runs on demand.
      const r = split([placement('a', 'batch', { 'aws-eu': 2 }, 0, { 'aws-eu': 0 }), placement('z', 'etl', { 'aws-eu': 2 }, 0, { 'aws-eu': 2 })]);
      expect(r.batch).toEqual({ spot: 0, cpuCost: expect.closeTo(4 * p.onDemand.cpuHour, 9) });
      expect(r.etl).toEqual({ spot: 2, cpuCost: expect.closeTo(4 * p.spot!.cpuHour, 9) });
    });

    it('infers only for Placements without it, from the spot capacity the recorded ones leave', () => {
      expect(split([placement('a', 'batch', { 'aws-eu': 2 }), placement('z', 'etl', { 'aws-eu': 2 })])).toMatchObject({ batch: { spot: 2 }, etl: { spot: 0 } });
      expect(split([placement('a', 'batch', { 'aws-eu': 2 }), placement('z', 'etl', { 'aws-eu': 2 }, 0, { 'aws-eu': 2 })])).toMatchObject({ batch: { spot: 0 }, etl: { spot: 2 } });
    });

    it('charges recorded spot replicas on demand when the cluster no longer has a spot pool', () => {
      const plain = cluster('aws-eu');
      const lines = allocateRates({ clusters: [plain], workloads, placements: [placement('z', 'etl', { 'aws-eu': 2 }, 0, { 'aws-eu': 2 })] }, catalog).lines;
      expect(lines.find((l) => l.kind === 'allocation')).toMatchObject({ spotReplicas: 0, cpuCost: expect.closeTo(4 * clusterPricing(plain, catalog).onDemand.cpuHour, 9) });
    });
  });

  it('warns, never charges zero silently, for unpriceable clusters and missing workloads', () => {
    const bad = cluster('onprem-1');
    (bad.spec as { provider: string }).provider = 'onprem';
    const { lines, warnings } = allocateRates({ clusters: [bad], workloads: [], placements: [placement('a', 'gone', { 'onprem-1': 1 })] }, catalog);
    expect(lines).toEqual([]);
    expect(warnings.join('\n')).toMatch(/onprem-1 is not priced/);
    expect(warnings.join('\n')).toMatch(/workload a\/gone not found/);
  });
});
