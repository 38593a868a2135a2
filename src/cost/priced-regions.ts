// The regions the price catalog covers, joined with the region catalog (jurisdiction,
// coordinates): what benchmarks and generators build realistic fleets from.
import { lookupRegion, type RegionInfo } from '../api/index.js';
import type { InstancePrice, PriceCatalog } from './catalog/contract.js';

export interface PricedRegion {
  region: RegionInfo;
  /** Instance types priced there, cheapest per vCPU first. */
  instances: InstancePrice[];
}

/**
 * Every region with prices in `catalog`, in catalog order, with its region-catalog entry.
 * Regions the region catalog does not know are skipped (the importer refuses them anyway).
 * @example pricedRegions(defaultCatalog()).filter((r) => r.region.jurisdiction === 'eu')
 */
export function pricedRegions(catalog: PriceCatalog): PricedRegion[] {
  const out: PricedRegion[] = [];
  for (const { provider, region } of catalog.regions()) {
    const info = lookupRegion(provider, region);
    if (!info) continue;
    const instances = catalog
      .instances({ provider, region })
      .sort((a, b) => a.onDemandHourly / a.vcpu - b.onDemandHourly / b.vcpu || a.instanceType.localeCompare(b.instanceType));
    out.push({ region: info, instances });
  }
  return out;
}
