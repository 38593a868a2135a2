// The region catalog: complete, unambiguous, spelled as the providers spell it, and covering
// every region the shipped price data names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JURISDICTION_OF_COUNTRY } from './region-data.js';
import { JURISDICTIONS, REGIONS, findRegion, listRegions, lookupRegion } from './regions.js';

describe('region catalog', () => {
  it('has no duplicate provider/name pairs', () => {
    const keys = REGIONS.map((r) => `${r.provider}/${r.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('represents every provider with its full public set', () => {
    // Lower bounds, not exact counts: providers add regions, they rarely remove them.
    expect(listRegions({ provider: 'aws' }).filter((r) => !r.partition).length).toBeGreaterThanOrEqual(34);
    expect(listRegions({ provider: 'azure' }).filter((r) => !r.partition).length).toBeGreaterThanOrEqual(56);
    expect(listRegions({ provider: 'gcp' }).length).toBeGreaterThanOrEqual(43);
  });

  it('spells names the way each provider does', () => {
    const style = { aws: /^[a-z]{2,4}(-[a-z]+)+-\d$/, azure: /^[a-z]+\d?$/, gcp: /^[a-z]+-[a-z]+\d+$/ };
    for (const r of REGIONS) expect(r.name, `${r.provider} ${r.name}`).toMatch(style[r.provider]);
  });

  it('has coordinates in range, a 2-letter country and a known jurisdiction consistent with it', () => {
    for (const r of REGIONS) {
      expect(r.lat, r.name).toBeGreaterThanOrEqual(-90);
      expect(r.lat, r.name).toBeLessThanOrEqual(90);
      expect(r.lon, r.name).toBeGreaterThanOrEqual(-180);
      expect(r.lon, r.name).toBeLessThanOrEqual(180);
      expect(r.country).toMatch(/^[A-Z]{2}$/);
      expect(r.jurisdiction).toBe(JURISDICTION_OF_COUNTRY[r.country]);
      expect(Object.keys(JURISDICTIONS)).toContain(r.jurisdiction);
      expect(r.location.length).toBeGreaterThan(2);
    }
  });

  it.each([
    ['aws', 'eu-west-1', 'eu', 'IE'],
    ['aws', 'eu-west-2', 'uk', 'GB'],
    ['aws', 'eu-central-2', 'ch', 'CH'],
    ['aws', 'ca-central-1', 'ca', 'CA'],
    ['aws', 'us-gov-west-1', 'us', 'US'],
    ['aws', 'af-south-1', 'af', 'ZA'],
    ['aws', 'me-central-1', 'me', 'AE'],
    ['aws', 'il-central-1', 'me', 'IL'],
    ['aws', 'ap-southeast-5', 'apac', 'MY'],
    ['aws', 'mx-central-1', 'latam', 'MX'],
    ['aws', 'ca-west-1', 'ca', 'CA'],
    ['aws', 'cn-north-1', 'cn', 'CN'],
    ['azure', 'uksouth', 'uk', 'GB'],
    ['azure', 'switzerlandnorth', 'ch', 'CH'],
    ['azure', 'westeurope', 'eu', 'NL'],
    ['azure', 'norwayeast', 'eu', 'NO'],
    ['azure', 'swedencentral', 'eu', 'SE'],
    ['azure', 'eastus', 'us', 'US'],
    ['gcp', 'us-central1', 'us', 'US'],
    ['gcp', 'europe-west3', 'eu', 'DE'],
    ['gcp', 'europe-west2', 'uk', 'GB'],
    ['gcp', 'europe-west6', 'ch', 'CH'],
    ['gcp', 'europe-north2', 'eu', 'SE'],
    ['gcp', 'africa-south1', 'af', 'ZA'],
    ['gcp', 'me-central2', 'me', 'SA'],
    ['gcp', 'northamerica-south1', 'latam', 'MX'],
  ])('%s %s is in %s (%s)', (provider, name, jurisdiction, country) => {
    const r = lookupRegion(provider, name);
    expect(r).toMatchObject({ jurisdiction, country });
  });

  it('places eu-west-1 in Ireland', () => {
    expect(lookupRegion('aws', 'eu-west-1')?.location).toMatch(/Ireland/);
  });

  it('flags partitions outside the commercial cloud', () => {
    expect(lookupRegion('aws', 'us-gov-east-1')?.partition).toBe('gov');
    expect(lookupRegion('aws', 'cn-northwest-1')?.partition).toBe('china');
    expect(lookupRegion('aws', 'eu-west-1')?.partition).toBeUndefined();
  });

  it('never guesses: unknown names and wrong providers are undefined', () => {
    expect(lookupRegion('aws', 'eu-west-9')).toBeUndefined();
    expect(lookupRegion('gcp', 'eu-west-1')).toBeUndefined();
    expect(lookupRegion('azure', 'westeurope ')).toBeUndefined();
    expect(findRegion('mars-north1')).toBeUndefined();
  });

  it('filters by provider and jurisdiction', () => {
    const euAzure = listRegions({ provider: 'azure', jurisdiction: 'eu' });
    expect(euAzure.map((r) => r.name)).toContain('germanywestcentral');
    expect(euAzure.every((r) => r.provider === 'azure' && r.jurisdiction === 'eu')).toBe(true);
    expect(listRegions().length).toBe(REGIONS.length);
    expect(listRegions({ jurisdiction: 'xx' })).toEqual([]);
  });

  it('knows every region of the shipped price data', () => {
    const csv = readFileSync(new URL('../../data/prices/cloud-prices.csv', import.meta.url), 'utf8');
    const pairs = new Set(
      csv
        .split(/\r?\n/)
        .slice(1)
        .filter(Boolean)
        .map((l) => l.split(',').slice(0, 2).join('/')),
    );
    expect(pairs.size).toBeGreaterThanOrEqual(13);
    for (const p of pairs) {
      const [provider, region] = p.split('/') as [string, string];
      expect(lookupRegion(provider, region), p).toBeDefined();
    }
  });
});
