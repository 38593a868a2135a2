// The region catalog: every public region of AWS, Azure and GCP with its jurisdiction and
// coordinates. Residency is never guessed: unknown regions must declare it explicitly.
import type { Cluster } from './kinds/cluster.js';
import { REGIONS } from './region-data.js';

export interface RegionInfo {
  provider: 'aws' | 'azure' | 'gcp';
  /** The region name as the provider spells it: `eu-west-1`, `westeurope`, `europe-west1`. */
  name: string;
  /** Human-readable location, e.g. "Ireland (Dublin)". */
  location: string;
  /** ISO 3166-1 alpha-2 country code. */
  country: string;
  /** Data-residency jurisdiction: eu, us, uk, ca, ch, apac, sa, me, af, cn, ... */
  jurisdiction: string;
  lat: number;
  lon: number;
  /** Set for regions outside the provider's public commercial partition (GovCloud, China, sovereign). */
  partition?: 'gov' | 'china' | 'sovereign';
}

export { REGIONS };

const index = new Map<string, RegionInfo>();
for (const r of REGIONS) index.set(`${r.provider}/${r.name}`, r);
const byName = new Map<string, RegionInfo[]>();
for (const r of REGIONS) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);

/** Looks up a provider's region; `undefined` when the catalog does not know it. */
export function lookupRegion(provider: string, region: string): RegionInfo | undefined {
  return index.get(`${provider}/${region}`);
}

/** Finds a region by name alone (for `users:` lists); ambiguous names return the first match. */
export function findRegion(region: string): RegionInfo | undefined {
  return byName.get(region)?.[0];
}

/** Every catalog region, optionally only one provider's and/or one jurisdiction's, in catalog order. */
export function listRegions(filter: { provider?: string; jurisdiction?: string } = {}): RegionInfo[] {
  return REGIONS.filter(
    (r) => (filter.provider === undefined || r.provider === filter.provider) && (filter.jurisdiction === undefined || r.jurisdiction === filter.jurisdiction),
  );
}

/** The jurisdictions the catalog uses, with what each one means (ADR 0002). */
export const JURISDICTIONS: Readonly<Record<string, string>> = {
  eu: 'European Union and EEA (GDPR zone, incl. Norway)',
  uk: 'United Kingdom (UK GDPR)',
  ch: 'Switzerland (FADP)',
  us: 'United States (incl. GovCloud)',
  ca: 'Canada',
  latam: 'Latin America (Mexico, Brazil, Chile)',
  apac: 'Asia-Pacific outside mainland China',
  me: 'Middle East (incl. Israel)',
  af: 'Africa',
  cn: 'Mainland China (separate provider partitions)',
};

/** Great-circle distance in km (haversine), the basis of latency estimates. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const R = 6371;
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

/**
 * Estimated round-trip latency in ms between two points: light in fibre (~200 km/ms) over a
 * path ~1.5x the great circle, both ways, plus a fixed 2 ms for the last mile and processing.
 */
export function estimateRttMs(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  return 2 + (2 * 1.5 * distanceKm(a, b)) / 200;
}

/** A cluster's jurisdiction: declared, else from the region catalog; undefined when unknown (never guessed). */
export function clusterJurisdiction(c: Pick<Cluster, 'spec'> | undefined): string | undefined {
  if (!c) return undefined;
  return c.spec.residency ?? lookupRegion(c.spec.provider, c.spec.region)?.jurisdiction;
}
