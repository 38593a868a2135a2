// The shared test suite every PriceCatalog implementation runs (shipped data, imported files,
// and any production catalog later): no zero prices, complete network and fee data, filters.
import { describe, expect, it } from 'vitest';
import type { PriceCatalog } from './contract.js';

/** Registers the PriceCatalog conformance tests for one implementation. */
export function describeCatalogConformance(name: string, make: () => PriceCatalog): void {
  describe(`PriceCatalog conformance: ${name}`, () => {
    it('prices every instance above zero, with its shape, source and date', () => {
      const all = make().instances();
      expect(all.length).toBeGreaterThan(0);
      for (const i of all) {
        expect(i.onDemandHourly, i.instanceType).toBeGreaterThan(0);
        expect(i.vcpu).toBeGreaterThan(0);
        expect(i.memoryGiB).toBeGreaterThan(0);
        if (i.spotHourly !== undefined) {
          expect(i.spotHourly).toBeGreaterThan(0);
          expect(i.spotHourly).toBeLessThanOrEqual(i.onDemandHourly);
        }
        expect(i.source.length).toBeGreaterThan(0);
        expect(i.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    });

    it('finds each listed instance by provider, region and type, and nothing else', () => {
      const c = make();
      for (const i of c.instances()) expect(c.instance(i.provider, i.region, i.instanceType)).toEqual(i);
      expect(c.instance('aws', 'eu-west-1', 'no-such.type')).toBeUndefined();
      expect(c.instance('gcp', 'mars-north1', 'e2-standard-4')).toBeUndefined();
    });

    it('filters instances and lists regions consistently', () => {
      const c = make();
      for (const r of c.regions()) {
        const inRegion = c.instances({ provider: r.provider, region: r.region });
        expect(inRegion.length).toBeGreaterThan(0);
        expect(inRegion.every((i) => i.provider === r.provider && i.region === r.region)).toBe(true);
      }
      const regionCount = new Set(c.instances().map((i) => `${i.provider}/${i.region}`)).size;
      expect(c.regions().length).toBe(regionCount);
      expect(c.regions('aws').every((r) => r.provider === 'aws')).toBe(true);
    });

    it('has network prices and a control-plane fee with sources for every provider', () => {
      const c = make();
      for (const p of ['aws', 'azure', 'gcp'] as const) {
        const n = c.network(p);
        expect(n.internetEgressPerGB).toBeGreaterThan(0);
        expect(n.interRegionPerGB).toBeGreaterThan(0);
        expect(n.crossZonePerGB).toBeGreaterThanOrEqual(0);
        expect(n.source.length).toBeGreaterThan(0);
        expect(c.controlPlaneFeePerHour(p)).toBeGreaterThanOrEqual(0);
      }
      expect(c.meta.version.length).toBeGreaterThan(0);
      expect(c.meta.sources.length).toBeGreaterThan(0);
    });
  });
}
