// The in-memory PriceCatalog: built from plain PriceData (the shipped files or an imported
// price file), indexed once, read-only afterwards.
import type { CloudProvider, InstancePrice, NetworkPrices, PriceCatalog } from './contract.js';

export const CLOUD_PROVIDERS: readonly CloudProvider[] = ['aws', 'azure', 'gcp'];

/** A managed control-plane fee with where it comes from. */
export interface ControlPlaneFee {
  /** USD per cluster-hour. */
  feePerHour: number;
  /** Which offer the figure is (EKS, AKS Standard tier, GKE). */
  offer: string;
  source: string;
  asOf: string;
}

/** Everything a catalog is made of; what the loaders produce and `createPriceCatalog` takes. */
export interface PriceData {
  meta: { version: string; asOf: string; sources: string[]; notes?: string[] };
  instances: InstancePrice[];
  network: Record<CloudProvider, NetworkPrices>;
  controlPlane: Record<CloudProvider, ControlPlaneFee>;
}

/** The catalog built from data: the contract plus the provenance of control-plane fees. */
export interface DataPriceCatalog extends PriceCatalog {
  controlPlaneFee(provider: CloudProvider): ControlPlaneFee;
  /** Notes on what was left out and why (e.g. Azure spot figures treated as unknown). */
  readonly notes: readonly string[];
}

const key = (provider: string, region: string, instanceType: string) => `${provider}/${region}/${instanceType}`;

/**
 * Builds a catalog over `data`. Throws when a provider lacks network prices or a
 * control-plane fee, or an instance appears twice: a catalog is complete or refused.
 * @example createPriceCatalog(data).instance('aws', 'eu-west-1', 'm6i.xlarge')?.onDemandHourly
 */
export function createPriceCatalog(data: PriceData): DataPriceCatalog {
  for (const p of CLOUD_PROVIDERS) {
    if (!data.network[p]) throw new Error(`price data: no network prices for ${p}`);
    if (!data.controlPlane[p]) throw new Error(`price data: no control-plane fee for ${p}`);
  }
  const byKey = new Map<string, InstancePrice>();
  for (const i of data.instances) {
    const k = key(i.provider, i.region, i.instanceType);
    if (byKey.has(k)) throw new Error(`price data: ${k} appears twice`);
    byKey.set(k, Object.freeze({ ...i }));
  }
  const all = [...byKey.values()];
  const regionList: { provider: CloudProvider; region: string }[] = [];
  const seenRegion = new Set<string>();
  for (const i of all) {
    const k = `${i.provider}/${i.region}`;
    if (!seenRegion.has(k)) {
      seenRegion.add(k);
      regionList.push({ provider: i.provider, region: i.region });
    }
  }
  const meta = Object.freeze({ ...data.meta, sources: [...data.meta.sources] });
  return {
    meta,
    notes: Object.freeze([...(data.meta.notes ?? [])]),
    instance: (provider, region, instanceType) => byKey.get(key(provider, region, instanceType)),
    instances: (filter = {}) =>
      all.filter((i) => (filter.provider === undefined || i.provider === filter.provider) && (filter.region === undefined || i.region === filter.region)),
    regions: (provider) => regionList.filter((r) => provider === undefined || r.provider === provider).map((r) => ({ ...r })),
    network: (provider) => ({ ...data.network[provider] }),
    controlPlaneFeePerHour: (provider) => data.controlPlane[provider].feePerHour,
    controlPlaneFee: (provider) => ({ ...data.controlPlane[provider] }),
  };
}
