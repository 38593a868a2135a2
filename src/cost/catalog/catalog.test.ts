// The shipped catalog: real figures from data/prices, Azure spot treated as unknown, and the
// conformance suite for both the shipped catalog and an imported file.
import { describe, expect, it } from 'vitest';
import { createPriceCatalog } from './catalog.js';
import { describeCatalogConformance } from './catalog.conformance.js';
import { loadPriceFile } from './import.js';
import { defaultCatalog } from './import.js';
import { packageDataDir, shippedPriceData } from './shipped.js';

describeCatalogConformance('shipped data', defaultCatalog);
describeCatalogConformance('imported price file', () => loadPriceFile(`${packageDataDir()}/cloud-prices.csv`, { readOn: '2026-11-21' }));

describe('shipped catalog', () => {
  it('holds every row of cloud-prices.csv across the 13 regions', () => {
    const c = defaultCatalog();
    expect(c.instances()).toHaveLength(147);
    expect(c.regions()).toHaveLength(13);
    expect(c.regions('gcp').map((r) => r.region).sort()).toEqual(['europe-west1', 'europe-west3', 'us-central1', 'us-west1']);
  });

  it('returns the real figures with their source and date', () => {
    const c = defaultCatalog();
    expect(c.instance('aws', 'eu-west-1', 'm6i.xlarge')).toMatchObject({ vcpu: 4, memoryGiB: 16, onDemandHourly: 0.214, asOf: '2026-11-21' });
    expect(c.instance('aws', 'eu-west-1', 'm6i.xlarge')?.source).toMatch(/skypilot-catalog/);
    expect(c.instance('azure', 'eastus', 'Standard_D4s_v5')).toMatchObject({ onDemandHourly: 0.192, asOf: '2026-06-18' });
    expect(c.instance('gcp', 'us-central1', 'e2-standard-4')).toMatchObject({ onDemandHourly: 0.13402284, spotHourly: 0.080424, asOf: '2026-07-30' });
  });

  it('treats Azure spot as unknown, keeping AWS and GCP spot', () => {
    const c = defaultCatalog();
    expect(c.instance('azure', 'westus2', 'Standard_D4s_v5')?.spotHourly).toBeUndefined();
    expect(c.instances({ provider: 'azure' }).some((i) => i.spotHourly !== undefined)).toBe(false);
    expect(c.instance('aws', 'us-east-1', 'c6i.2xlarge')?.spotHourly).toBe(0.1611);
    expect(c.notes.join(' ')).toMatch(/azure spot/);
  });

  it('has the network and control-plane figures of the reference table', () => {
    const c = defaultCatalog();
    expect(c.network('aws')).toMatchObject({ internetEgressPerGB: 0.09, interRegionPerGB: 0.02, crossZonePerGB: 0.01 });
    expect(c.network('azure')).toMatchObject({ internetEgressPerGB: 0.087, crossZonePerGB: 0 });
    expect(c.network('gcp').internetEgressPerGB).toBe(0.12);
    expect(c.controlPlaneFeePerHour('aws')).toBe(0.1);
    expect(c.controlPlaneFee('azure').offer).toMatch(/Standard/);
  });

  it('is loaded once', () => {
    expect(defaultCatalog()).toBe(defaultCatalog());
    expect(defaultCatalog().meta.version).toMatch(/^shipped-2026-11-21\+sha256:[0-9a-f]{12}$/);
  });

  it('refuses incomplete or duplicated data', () => {
    const d = shippedPriceData();
    expect(() => createPriceCatalog({ ...d, instances: [...d.instances, d.instances[0]!] })).toThrow(/appears twice/);
    const { gcp: _gcp, ...noGcp } = d.network;
    expect(() => createPriceCatalog({ ...d, network: noGcp as typeof d.network })).toThrow(/no network prices for gcp/);
  });
});
