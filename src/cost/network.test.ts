// Transfer prices follow who sends: cross-zone, inter-region, or the sender's internet egress.
import { describe, expect, it } from 'vitest';
import { defaultCatalog } from './catalog/import.js';
import { transferPricePerGB } from './network.js';
import { pricedRegions } from './priced-regions.js';

const catalog = defaultCatalog();

describe('transferPricePerGB', () => {
  it('prices each kind of transfer from the catalog', () => {
    expect(transferPricePerGB(catalog, { provider: 'aws', region: 'eu-west-1' }, { provider: 'aws', region: 'eu-west-1' })).toEqual({ kind: 'same-region', perGB: 0.01 });
    expect(transferPricePerGB(catalog, { provider: 'aws', region: 'eu-west-1' }, { provider: 'aws', region: 'eu-central-1' })).toEqual({ kind: 'inter-region', perGB: 0.02 });
    expect(transferPricePerGB(catalog, { provider: 'gcp', region: 'europe-west1' }, { provider: 'aws', region: 'eu-west-1' })).toEqual({ kind: 'cross-cloud', perGB: 0.12 });
    expect(transferPricePerGB(catalog, { provider: 'azure', region: 'westeurope' }, { provider: 'gcp', region: 'europe-west1' }).perGB).toBe(0.087);
    expect(transferPricePerGB(catalog, { provider: 'onprem', region: 'dc1' }, { provider: 'aws', region: 'eu-west-1' })).toEqual({ kind: 'free', perGB: 0 });
  });
});

describe('pricedRegions', () => {
  it('joins every priced region with its jurisdiction, cheapest per vCPU first', () => {
    const regions = pricedRegions(catalog);
    expect(regions).toHaveLength(13);
    expect(regions.filter((r) => r.region.jurisdiction === 'eu').map((r) => `${r.region.provider}/${r.region.name}`).sort()).toEqual([
      'aws/eu-central-1',
      'aws/eu-west-1',
      'azure/germanywestcentral',
      'azure/northeurope',
      'azure/westeurope',
      'gcp/europe-west1',
      'gcp/europe-west3',
    ]);
    for (const r of regions) {
      const perVcpu = r.instances.map((i) => i.onDemandHourly / i.vcpu);
      expect(perVcpu).toEqual([...perVcpu].sort((a, b) => a - b));
    }
  });
});
