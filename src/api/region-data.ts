// Region catalog data: every public region of AWS, Azure and GCP, spelled as each provider
// spells it, with location, ISO country, jurisdiction and city-level coordinates.
// Jurisdiction is derived from the country (one table, below) so the two can never disagree;
// docs/adr/0002-region-catalog-and-residency.md explains the set of jurisdictions.
import type { RegionInfo } from './regions.js';

/**
 * Country → data-residency jurisdiction. `eu` is the GDPR zone (EU + EEA: Norway, Iceland,
 * Liechtenstein); the UK and Switzerland have their own data-protection laws and are their
 * own jurisdictions; `latam`, `apac`, `me` and `af` group countries only so that a workload
 * can say "somewhere in Asia-Pacific" — a country-level rule needs the `country` field too.
 */
export const JURISDICTION_OF_COUNTRY: Readonly<Record<string, string>> = {
  // EU / EEA
  AT: 'eu', BE: 'eu', DE: 'eu', DK: 'eu', ES: 'eu', FI: 'eu', FR: 'eu', IE: 'eu', IT: 'eu', NL: 'eu', NO: 'eu', PL: 'eu', SE: 'eu',
  GB: 'uk',
  CH: 'ch',
  US: 'us',
  CA: 'ca',
  // Latin America (Mexico is not South America, so `sa` would be wrong for it)
  BR: 'latam', CL: 'latam', MX: 'latam',
  // Asia-Pacific outside the mainland-China partitions
  AU: 'apac', HK: 'apac', ID: 'apac', IN: 'apac', JP: 'apac', KR: 'apac', MY: 'apac', NZ: 'apac', SG: 'apac', TH: 'apac', TW: 'apac',
  // Middle East
  AE: 'me', BH: 'me', IL: 'me', QA: 'me', SA: 'me',
  // Africa
  ZA: 'af',
  // Mainland China: separate partitions (AWS China, Azure operated by 21Vianet)
  CN: 'cn',
};

type Row = [name: string, location: string, country: string, lat: number, lon: number, partition?: RegionInfo['partition']];

// AWS: the commercial partition (opt-in regions included), GovCloud, China and the European
// Sovereign Cloud — each a separate partition, flagged so `get regions` can show it.
const AWS: Row[] = [
  ['us-east-1', 'US East (N. Virginia)', 'US', 39.04, -77.49],
  ['us-east-2', 'US East (Ohio)', 'US', 39.96, -83.0],
  ['us-west-1', 'US West (N. California)', 'US', 37.34, -121.89],
  ['us-west-2', 'US West (Oregon)', 'US', 45.84, -119.7],
  ['af-south-1', 'Africa (Cape Town)', 'ZA', -33.92, 18.42],
  ['ap-east-1', 'Asia Pacific (Hong Kong)', 'HK', 22.32, 114.17],
  ['ap-east-2', 'Asia Pacific (Taipei)', 'TW', 25.03, 121.57],
  ['ap-south-1', 'Asia Pacific (Mumbai)', 'IN', 19.08, 72.88],
  ['ap-south-2', 'Asia Pacific (Hyderabad)', 'IN', 17.39, 78.49],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)', 'JP', 35.68, 139.69],
  ['ap-northeast-2', 'Asia Pacific (Seoul)', 'KR', 37.57, 126.98],
  ['ap-northeast-3', 'Asia Pacific (Osaka)', 'JP', 34.69, 135.5],
  ['ap-southeast-1', 'Asia Pacific (Singapore)', 'SG', 1.35, 103.82],
  ['ap-southeast-2', 'Asia Pacific (Sydney)', 'AU', -33.87, 151.21],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)', 'ID', -6.21, 106.85],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)', 'AU', -37.81, 144.96],
  ['ap-southeast-5', 'Asia Pacific (Malaysia)', 'MY', 3.14, 101.69],
  ['ap-southeast-6', 'Asia Pacific (New Zealand)', 'NZ', -36.85, 174.76],
  ['ap-southeast-7', 'Asia Pacific (Thailand)', 'TH', 13.76, 100.5],
  ['ca-central-1', 'Canada (Central)', 'CA', 45.5, -73.57],
  ['ca-west-1', 'Canada West (Calgary)', 'CA', 51.05, -114.07],
  ['eu-central-1', 'Europe (Frankfurt)', 'DE', 50.11, 8.68],
  ['eu-central-2', 'Europe (Zurich)', 'CH', 47.38, 8.54],
  ['eu-west-1', 'Europe (Ireland)', 'IE', 53.35, -6.26],
  ['eu-west-2', 'Europe (London)', 'GB', 51.51, -0.13],
  ['eu-west-3', 'Europe (Paris)', 'FR', 48.86, 2.35],
  ['eu-south-1', 'Europe (Milan)', 'IT', 45.46, 9.19],
  ['eu-south-2', 'Europe (Spain)', 'ES', 41.65, -0.88],
  ['eu-north-1', 'Europe (Stockholm)', 'SE', 59.33, 18.07],
  ['il-central-1', 'Israel (Tel Aviv)', 'IL', 32.09, 34.78],
  ['me-south-1', 'Middle East (Bahrain)', 'BH', 26.07, 50.56],
  ['me-central-1', 'Middle East (UAE)', 'AE', 25.2, 55.27],
  ['mx-central-1', 'Mexico (Central)', 'MX', 20.59, -100.39],
  ['sa-east-1', 'South America (São Paulo)', 'BR', -23.55, -46.63],
  ['us-gov-east-1', 'AWS GovCloud (US-East)', 'US', 39.96, -83.0, 'gov'],
  ['us-gov-west-1', 'AWS GovCloud (US-West)', 'US', 45.84, -119.7, 'gov'],
  ['cn-north-1', 'China (Beijing)', 'CN', 39.9, 116.4, 'china'],
  ['cn-northwest-1', 'China (Ningxia)', 'CN', 38.47, 106.26, 'china'],
  ['eusc-de-east-1', 'AWS European Sovereign Cloud (Brandenburg)', 'DE', 52.41, 12.53, 'sovereign'],
];

// Azure: names as `az account list-locations` prints them (the public cloud), plus the
// Azure Government and Azure China clouds, flagged.
const AZURE: Row[] = [
  ['eastus', 'East US (Virginia)', 'US', 37.37, -79.82],
  ['eastus2', 'East US 2 (Virginia)', 'US', 36.67, -78.39],
  ['centralus', 'Central US (Iowa)', 'US', 41.59, -93.62],
  ['northcentralus', 'North Central US (Illinois)', 'US', 41.88, -87.63],
  ['southcentralus', 'South Central US (Texas)', 'US', 29.42, -98.5],
  ['westcentralus', 'West Central US (Wyoming)', 'US', 40.89, -110.23],
  ['westus', 'West US (California)', 'US', 37.78, -122.42],
  ['westus2', 'West US 2 (Washington)', 'US', 47.23, -119.85],
  ['westus3', 'West US 3 (Phoenix)', 'US', 33.45, -112.07],
  ['canadacentral', 'Canada Central (Toronto)', 'CA', 43.65, -79.38],
  ['canadaeast', 'Canada East (Quebec City)', 'CA', 46.82, -71.22],
  ['brazilsouth', 'Brazil South (São Paulo State)', 'BR', -23.55, -46.63],
  ['brazilsoutheast', 'Brazil Southeast (Rio de Janeiro)', 'BR', -22.9, -43.21],
  ['mexicocentral', 'Mexico Central (Querétaro)', 'MX', 20.59, -100.39],
  ['chilecentral', 'Chile Central (Santiago)', 'CL', -33.45, -70.67],
  ['northeurope', 'North Europe (Ireland)', 'IE', 53.35, -6.26],
  ['westeurope', 'West Europe (Netherlands)', 'NL', 52.37, 4.9],
  ['uksouth', 'UK South (London)', 'GB', 50.94, -0.8],
  ['ukwest', 'UK West (Cardiff)', 'GB', 53.43, -3.08],
  ['francecentral', 'France Central (Paris)', 'FR', 46.38, 2.37],
  ['francesouth', 'France South (Marseille)', 'FR', 43.83, 2.2],
  ['germanywestcentral', 'Germany West Central (Frankfurt)', 'DE', 50.11, 8.68],
  ['germanynorth', 'Germany North (Berlin)', 'DE', 53.07, 8.81],
  ['switzerlandnorth', 'Switzerland North (Zurich)', 'CH', 47.45, 8.56],
  ['switzerlandwest', 'Switzerland West (Geneva)', 'CH', 46.2, 6.14],
  ['norwayeast', 'Norway East (Oslo)', 'NO', 59.91, 10.75],
  ['norwaywest', 'Norway West (Stavanger)', 'NO', 58.97, 5.73],
  ['swedencentral', 'Sweden Central (Gävle)', 'SE', 60.67, 17.14],
  ['swedensouth', 'Sweden South (Malmö)', 'SE', 55.6, 13.0],
  ['polandcentral', 'Poland Central (Warsaw)', 'PL', 52.23, 21.02],
  ['italynorth', 'Italy North (Milan)', 'IT', 45.47, 9.18],
  ['spaincentral', 'Spain Central (Madrid)', 'ES', 40.42, -3.7],
  ['austriaeast', 'Austria East (Vienna)', 'AT', 48.21, 16.37],
  ['belgiumcentral', 'Belgium Central (Brussels)', 'BE', 50.85, 4.35],
  ['denmarkeast', 'Denmark East (Copenhagen)', 'DK', 55.68, 12.57],
  ['eastasia', 'East Asia (Hong Kong)', 'HK', 22.27, 114.19],
  ['southeastasia', 'Southeast Asia (Singapore)', 'SG', 1.28, 103.83],
  ['australiaeast', 'Australia East (New South Wales)', 'AU', -33.86, 151.21],
  ['australiasoutheast', 'Australia Southeast (Victoria)', 'AU', -37.81, 144.96],
  ['australiacentral', 'Australia Central (Canberra)', 'AU', -35.37, 149.07],
  ['australiacentral2', 'Australia Central 2 (Canberra)', 'AU', -35.31, 149.12],
  ['japaneast', 'Japan East (Tokyo, Saitama)', 'JP', 35.68, 139.77],
  ['japanwest', 'Japan West (Osaka)', 'JP', 34.69, 135.5],
  ['koreacentral', 'Korea Central (Seoul)', 'KR', 37.57, 126.98],
  ['koreasouth', 'Korea South (Busan)', 'KR', 35.18, 129.08],
  ['centralindia', 'Central India (Pune)', 'IN', 18.58, 73.92],
  ['southindia', 'South India (Chennai)', 'IN', 12.98, 80.16],
  ['westindia', 'West India (Mumbai)', 'IN', 19.09, 72.87],
  ['jioindiawest', 'Jio India West (Jamnagar)', 'IN', 22.47, 70.06],
  ['jioindiacentral', 'Jio India Central (Nagpur)', 'IN', 21.15, 79.09],
  ['indonesiacentral', 'Indonesia Central (Jakarta)', 'ID', -6.21, 106.85],
  ['malaysiawest', 'Malaysia West (Kuala Lumpur)', 'MY', 3.14, 101.69],
  ['newzealandnorth', 'New Zealand North (Auckland)', 'NZ', -36.85, 174.76],
  ['uaenorth', 'UAE North (Dubai)', 'AE', 25.27, 55.32],
  ['uaecentral', 'UAE Central (Abu Dhabi)', 'AE', 24.47, 54.37],
  ['qatarcentral', 'Qatar Central (Doha)', 'QA', 25.55, 51.44],
  ['israelcentral', 'Israel Central', 'IL', 32.07, 34.72],
  ['southafricanorth', 'South Africa North (Johannesburg)', 'ZA', -25.73, 28.22],
  ['southafricawest', 'South Africa West (Cape Town)', 'ZA', -34.08, 18.84],
  ['usgovvirginia', 'US Gov Virginia', 'US', 36.67, -78.39, 'gov'],
  ['usgovarizona', 'US Gov Arizona', 'US', 33.45, -112.07, 'gov'],
  ['usgovtexas', 'US Gov Texas', 'US', 29.42, -98.5, 'gov'],
  ['chinaeast', 'China East (Shanghai)', 'CN', 31.23, 121.47, 'china'],
  ['chinaeast2', 'China East 2 (Shanghai)', 'CN', 31.23, 121.47, 'china'],
  ['chinaeast3', 'China East 3 (Shanghai)', 'CN', 31.23, 121.47, 'china'],
  ['chinanorth', 'China North (Beijing)', 'CN', 39.9, 116.4, 'china'],
  ['chinanorth2', 'China North 2 (Beijing)', 'CN', 39.9, 116.4, 'china'],
  ['chinanorth3', 'China North 3 (Hebei)', 'CN', 38.04, 114.51, 'china'],
];

// GCP: every public Compute Engine region.
const GCP: Row[] = [
  ['us-central1', 'Council Bluffs, Iowa', 'US', 41.26, -95.86],
  ['us-east1', 'Moncks Corner, South Carolina', 'US', 33.2, -80.01],
  ['us-east4', 'Ashburn, Northern Virginia', 'US', 39.04, -77.49],
  ['us-east5', 'Columbus, Ohio', 'US', 39.96, -83.0],
  ['us-south1', 'Dallas, Texas', 'US', 32.78, -96.8],
  ['us-west1', 'The Dalles, Oregon', 'US', 45.6, -121.18],
  ['us-west2', 'Los Angeles, California', 'US', 34.05, -118.24],
  ['us-west3', 'Salt Lake City, Utah', 'US', 40.76, -111.89],
  ['us-west4', 'Las Vegas, Nevada', 'US', 36.17, -115.14],
  ['northamerica-northeast1', 'Montréal, Québec', 'CA', 45.5, -73.57],
  ['northamerica-northeast2', 'Toronto, Ontario', 'CA', 43.65, -79.38],
  ['northamerica-south1', 'Querétaro, Mexico', 'MX', 20.59, -100.39],
  ['southamerica-east1', 'Osasco (São Paulo), Brazil', 'BR', -23.53, -46.79],
  ['southamerica-west1', 'Santiago, Chile', 'CL', -33.45, -70.67],
  ['europe-central2', 'Warsaw, Poland', 'PL', 52.23, 21.01],
  ['europe-north1', 'Hamina, Finland', 'FI', 60.57, 27.2],
  ['europe-north2', 'Stockholm, Sweden', 'SE', 59.33, 18.07],
  ['europe-southwest1', 'Madrid, Spain', 'ES', 40.42, -3.7],
  ['europe-west1', 'St. Ghislain, Belgium', 'BE', 50.47, 3.82],
  ['europe-west2', 'London, England', 'GB', 51.51, -0.13],
  ['europe-west3', 'Frankfurt, Germany', 'DE', 50.11, 8.68],
  ['europe-west4', 'Eemshaven, Netherlands', 'NL', 53.44, 6.83],
  ['europe-west6', 'Zürich, Switzerland', 'CH', 47.38, 8.54],
  ['europe-west8', 'Milan, Italy', 'IT', 45.46, 9.19],
  ['europe-west9', 'Paris, France', 'FR', 48.86, 2.35],
  ['europe-west10', 'Berlin, Germany', 'DE', 52.52, 13.4],
  ['europe-west12', 'Turin, Italy', 'IT', 45.07, 7.69],
  ['asia-east1', 'Changhua County, Taiwan', 'TW', 24.05, 120.52],
  ['asia-east2', 'Hong Kong', 'HK', 22.32, 114.17],
  ['asia-northeast1', 'Tokyo, Japan', 'JP', 35.68, 139.69],
  ['asia-northeast2', 'Osaka, Japan', 'JP', 34.69, 135.5],
  ['asia-northeast3', 'Seoul, South Korea', 'KR', 37.57, 126.98],
  ['asia-south1', 'Mumbai, India', 'IN', 19.08, 72.88],
  ['asia-south2', 'Delhi, India', 'IN', 28.61, 77.21],
  ['asia-southeast1', 'Jurong West, Singapore', 'SG', 1.34, 103.71],
  ['asia-southeast2', 'Jakarta, Indonesia', 'ID', -6.21, 106.85],
  ['asia-southeast3', 'Bangkok, Thailand', 'TH', 13.76, 100.5],
  ['australia-southeast1', 'Sydney, Australia', 'AU', -33.87, 151.21],
  ['australia-southeast2', 'Melbourne, Australia', 'AU', -37.81, 144.96],
  ['me-central1', 'Doha, Qatar', 'QA', 25.29, 51.53],
  ['me-central2', 'Dammam, Saudi Arabia', 'SA', 26.43, 50.1],
  ['me-west1', 'Tel Aviv, Israel', 'IL', 32.09, 34.78],
  ['africa-south1', 'Johannesburg, South Africa', 'ZA', -26.2, 28.05],
];

function expand(provider: RegionInfo['provider'], rows: Row[]): RegionInfo[] {
  return rows.map(([name, location, country, lat, lon, partition]) => {
    const jurisdiction = JURISDICTION_OF_COUNTRY[country];
    // A country missing from the table is a bug in this file, caught by the first import.
    if (!jurisdiction) throw new Error(`region-data: no jurisdiction for country ${country} (${provider} ${name})`);
    return { provider, name, location, country, jurisdiction, lat, lon, ...(partition ? { partition } : {}) };
  });
}

export const REGIONS: readonly RegionInfo[] = Object.freeze([...expand('aws', AWS), ...expand('azure', AZURE), ...expand('gcp', GCP)]);
