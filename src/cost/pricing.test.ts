// The cost model core on real catalog figures: split prices sum back to node prices, spot is
// kept apart, overrides win, and anything unpriceable is a ValidationError, never a zero.
import { describe, expect, it } from 'vitest';
import { ValidationError, validateObject, type Cluster } from '../api/index.js';
import { defaultCatalog } from './catalog/import.js';
import { priceFleet } from './fleet.js';
import { CPU_RAM_COST_RATIO, HOURS_PER_MONTH, clusterPricing, monthlyCost, replicaCostPerHour, splitNodePrice } from './pricing.js';

const catalog = defaultCatalog();

function cluster(name: string, spec: Record<string, unknown>): Cluster {
  const r = validateObject({ apiVersion: 'truststram.io/v1alpha1', kind: 'Cluster', metadata: { name }, spec });
  if (!r.ok) throw new Error(JSON.stringify(r.causes));
  return r.object as Cluster;
}

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('splitNodePrice', () => {
  it('uses the OpenCost CPU:RAM ratio and sums back to the node price', () => {
    expect(CPU_RAM_COST_RATIO).toBeCloseTo(7.4607, 3);
    const p = splitNodePrice(0.214, 4, 16); // m6i.xlarge, eu-west-1
    expect(p.cpuHour / p.memoryGiBHour).toBeCloseTo(CPU_RAM_COST_RATIO, 9);
    expect(4 * p.cpuHour + 16 * p.memoryGiBHour).toBeCloseTo(0.214, 12);
  });
});

describe('clusterPricing from the catalog', () => {
  it('prices m6i.xlarge nodes in eu-west-1 so the split prices sum back to the node price', () => {
    const p = clusterPricing(cluster('aws-eu', { provider: 'aws', region: 'eu-west-1', nodePools: [{ instanceType: 'm6i.xlarge', count: 3 }] }), catalog);
    expect(p.source).toBe('catalog');
    expect(p.capacity).toEqual({ cpu: 12, memoryGiB: 48, pods: 330 });
    expect(4 * p.onDemand.cpuHour + 16 * p.onDemand.memoryGiBHour).toBeCloseTo(0.214, 12);
    expect(p.nodeCostPerHour).toBeCloseTo(3 * 0.214, 12);
    expect(p.feePerHour).toBe(0.1);
    expect(p.spot).toBeUndefined();
    expect(p.warnings).toEqual([]);
    // One whole node's worth of requests costs exactly one node.
    expect(replicaCostPerHour(p, 4, 16, false)).toBeCloseTo(0.214, 12);
  });

  it('pools several instance types into one on-demand price that still sums to the node cost', () => {
    const p = clusterPricing(
      cluster('gcp-eu', { provider: 'gcp', region: 'europe-west1', nodePools: [{ instanceType: 'n2-standard-4', count: 2 }, { instanceType: 'n2-highmem-8', count: 1 }] }),
      catalog,
    );
    const n2 = catalog.instance('gcp', 'europe-west1', 'n2-standard-4')!;
    const hm = catalog.instance('gcp', 'europe-west1', 'n2-highmem-8')!;
    expect(p.capacity.cpu).toBe(16);
    expect(p.capacity.memoryGiB).toBe(2 * n2.memoryGiB + hm.memoryGiB);
    expect(p.nodeCostPerHour).toBeCloseTo(2 * n2.onDemandHourly + hm.onDemandHourly, 12);
  });

  it('keeps spot capacity and prices apart; only spot-tolerant replicas pay spot prices', () => {
    const p = clusterPricing(
      cluster('aws-us', {
        provider: 'aws',
        region: 'us-east-1',
        nodePools: [{ instanceType: 'm6i.xlarge', count: 2 }, { name: 'batch', instanceType: 'c6i.xlarge', count: 4, spot: true }],
      }),
      catalog,
    );
    expect(p.capacity).toEqual({ cpu: 24, memoryGiB: 64, pods: 660 });
    expect(p.spot).toMatchObject({ cpu: 16, memoryGiB: 32 });
    expect(4 * p.spot!.cpuHour + 8 * p.spot!.memoryGiBHour).toBeCloseTo(0.0632, 12); // c6i.xlarge spot, us-east-1
    expect(4 * p.onDemand.cpuHour + 16 * p.onDemand.memoryGiBHour).toBeCloseTo(0.192, 12); // m6i.xlarge
    expect(p.nodeCostPerHour).toBeCloseTo(2 * 0.192 + 4 * 0.0632, 12);
    expect(replicaCostPerHour(p, 1, 2, true)).toBeLessThan(replicaCostPerHour(p, 1, 2, false));
    expect(p.pools.find((x) => x.name === 'batch')).toMatchObject({ spot: true, hourlyPerNode: 0.0632 });
  });

  it('prices an Azure spot pool at on-demand with a warning: Azure spot is unknown', () => {
    const p = clusterPricing(
      cluster('az-us', { provider: 'azure', region: 'westus2', nodePools: [{ instanceType: 'Standard_D4s_v5', count: 2, spot: true }] }),
      catalog,
    );
    expect(4 * p.spot!.cpuHour + 16 * p.spot!.memoryGiBHour).toBeCloseTo(0.192, 12);
    expect(p.onDemand).toEqual({ cpuHour: p.spot!.cpuHour, memoryGiBHour: p.spot!.memoryGiBHour }); // spot-only: never 0
    expect(p.warnings.join()).toMatch(/no trustworthy spot price for azure Standard_D4s_v5 in westus2/);
  });

  it('uses spec.capacity over the pools and honours control-plane overrides', () => {
    const p = clusterPricing(
      cluster('aws-small', {
        provider: 'aws',
        region: 'eu-west-1',
        capacity: { cpu: '6', memory: '24Gi' },
        nodePools: [{ instanceType: 'm6i.xlarge', count: 3 }],
        controlPlane: { feePerHour: 0 },
      }),
      catalog,
    );
    expect(p.capacity).toEqual({ cpu: 6, memoryGiB: 24, pods: 330 });
    expect(p.nodeCostPerHour).toBeCloseTo(1.5 * 0.214, 12);
    expect(p.feePerHour).toBe(0);
    const unmanaged = clusterPricing(cluster('gcp-self', { provider: 'gcp', region: 'us-central1', nodePools: [{ instanceType: 'e2-standard-4', count: 1 }], controlPlane: { managed: false } }), catalog);
    expect(unmanaged.feePerHour).toBe(0);
  });
});

describe('clusterPricing with a pricing override', () => {
  it('takes unit prices from spec.pricing and capacity from spec.capacity', () => {
    const p = clusterPricing(
      cluster('dc1', { provider: 'onprem', region: 'fra-dc1', residency: 'eu', capacity: { cpu: '64', memory: '256Gi' }, pricing: { cpuHour: 0.02, memoryGiBHour: 0.003 } }),
      catalog,
    );
    expect(p).toMatchObject({ source: 'override', onDemand: { cpuHour: 0.02, memoryGiBHour: 0.003 }, feePerHour: 0, capacity: { cpu: 64, memoryGiB: 256, pods: 1760 } });
    expect(p.nodeCostPerHour).toBeCloseTo(64 * 0.02 + 256 * 0.003, 12);
    expect(replicaCostPerHour(p, 0.5, 1, true)).toBeCloseTo(0.5 * 0.02 + 0.003, 12); // no spot part: on-demand
  });

  it('discounts spot pools by spotFactor, else by the catalog spot discount of their types', () => {
    const spec = { provider: 'gcp', region: 'us-central1', nodePools: [{ instanceType: 'e2-standard-4', count: 2 }, { instanceType: 'e2-standard-4', count: 2, spot: true }] };
    const withFactor = clusterPricing(cluster('g1', { ...spec, pricing: { cpuHour: 0.03, memoryGiBHour: 0.004, spotFactor: 0.4 } }), catalog);
    expect(withFactor.spot).toMatchObject({ cpu: 8, memoryGiB: 32 });
    expect(withFactor.spot!.cpuHour).toBeCloseTo(0.012, 12);
    const fromCatalog = clusterPricing(cluster('g2', { ...spec, pricing: { cpuHour: 0.03, memoryGiBHour: 0.004 } }), catalog);
    expect(fromCatalog.spot!.cpuHour).toBeCloseTo(0.03 * (0.080424 / 0.13402284), 12);
  });
});

describe('clusterPricing refuses what it cannot price', () => {
  it('names cluster, pool and instance type for an unknown instance type', () => {
    const e = validationError(() =>
      clusterPricing(cluster('aws-eu', { provider: 'aws', region: 'eu-west-1', nodePools: [{ name: 'general', instanceType: 'm7i.xlarge', count: 2 }] }), catalog),
    );
    expect(e.message).toMatch(/cluster aws-eu/);
    expect(e.message).toMatch(/instance type "m7i.xlarge" of node pool "general" is not in the price catalog for aws eu-west-1/);
    expect(e.causes[0]).toMatchObject({ object: 'Cluster/aws-eu', field: 'spec.nodePools[0].instanceType' });
  });

  it('says the region has no prices for a known region outside the price data', () => {
    const e = validationError(() => clusterPricing(cluster('aws-in', { provider: 'aws', region: 'ap-south-1', nodePools: [{ instanceType: 'm6i.xlarge', count: 1 }] }), catalog));
    expect(e.message).toMatch(/no prices for aws region "ap-south-1"/);
  });

  it('needs a pricing override for onprem clusters and for bare capacity', () => {
    const onprem = validationError(() => clusterPricing(cluster('dc1', { provider: 'onprem', region: 'dc1', residency: 'eu', capacity: { cpu: 8, memory: '32Gi' } }), catalog));
    expect(onprem.causes[0]).toMatchObject({ object: 'Cluster/dc1', field: 'spec.pricing' });
    expect(onprem.message).toMatch(/onprem clusters need a pricing override/);
    const bare = validationError(() => clusterPricing(cluster('aws-x', { provider: 'aws', region: 'eu-west-1', capacity: { cpu: 8, memory: '32Gi' } }), catalog));
    expect(bare.message).toMatch(/needs a pricing override .* or node pools/);
  });

  it('asks for spec.capacity when an override cannot tell the shape of an unknown type', () => {
    const e = validationError(() =>
      clusterPricing(cluster('aws-o', { provider: 'aws', region: 'eu-west-1', nodePools: [{ instanceType: 'x9.huge', count: 1 }], pricing: { cpuHour: 0.03, memoryGiBHour: 0.004 } }), catalog),
    );
    expect(e.message).toMatch(/vCPU and memory are unknown; fix the type or declare spec.capacity/);
  });
});

describe('priceFleet', () => {
  it('prices every cluster or reports every failure at once', () => {
    const ok = cluster('ok', { provider: 'aws', region: 'eu-west-1', nodePools: [{ instanceType: 'm6i.xlarge', count: 1 }] });
    expect(priceFleet([ok], catalog).get('ok')?.source).toBe('catalog');
    const bad1 = cluster('bad1', { provider: 'aws', region: 'eu-west-1', nodePools: [{ instanceType: 'nope', count: 1 }] });
    const bad2 = cluster('bad2', { provider: 'onprem', region: 'dc', residency: 'us', capacity: { cpu: 1, memory: '1Gi' } });
    const e = validationError(() => priceFleet([ok, bad1, bad2], catalog));
    expect(e.causes.map((c) => c.object)).toEqual(['Cluster/bad1', 'Cluster/bad2']);
    expect(e.message).toMatch(/^2 clusters cannot be priced/);
  });
});

describe('monthlyCost', () => {
  it('uses 730 hours per month', () => {
    expect(HOURS_PER_MONTH).toBe(730);
    expect(monthlyCost(0.1)).toBeCloseTo(73, 12);
  });
});
