// Region catalog data. Seeded with a handful of regions; the full list replaces this file.
import type { RegionInfo } from './regions.js';

export const REGIONS: readonly RegionInfo[] = [
  { provider: 'aws', name: 'us-east-1', location: 'US East (N. Virginia)', country: 'US', jurisdiction: 'us', lat: 38.9, lon: -77.4 },
  { provider: 'aws', name: 'eu-west-1', location: 'Europe (Ireland)', country: 'IE', jurisdiction: 'eu', lat: 53.3, lon: -6.3 },
];
