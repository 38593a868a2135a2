// The PriceCatalog contract: what instances, network and managed control planes cost, with
// the source and date of every figure. One interface; the shipped data is the default.

export type CloudProvider = 'aws' | 'azure' | 'gcp';

export interface InstancePrice {
  provider: CloudProvider;
  region: string;
  instanceType: string;
  vcpu: number;
  memoryGiB: number;
  /** USD per hour, on-demand Linux list price. */
  onDemandHourly: number;
  /** USD per hour for spot/preemptible capacity; undefined where no trustworthy figure exists. */
  spotHourly?: number;
  /** Where the figure comes from and when it was read. */
  source: string;
  asOf: string;
}

export interface NetworkPrices {
  /** USD per GB leaving the provider to the internet (also what cross-cloud traffic pays). */
  internetEgressPerGB: number;
  /** USD per GB between regions of the same provider on one continent. */
  interRegionPerGB: number;
  /** USD per GB between zones of one region. */
  crossZonePerGB: number;
  source: string;
  asOf: string;
}

/** Per-unit prices of a cluster's capacity, split OpenCost-style into CPU and memory. */
export interface UnitPrices {
  cpuHour: number;
  memoryGiBHour: number;
}

export interface PriceCatalog {
  /** One instance type in one region; undefined when unknown (callers must error, never use 0). */
  instance(provider: string, region: string, instanceType: string): InstancePrice | undefined;
  /** Every instance known, optionally filtered. */
  instances(filter?: { provider?: string; region?: string }): InstancePrice[];
  /** Regions that have at least one priced instance type. */
  regions(provider?: string): { provider: CloudProvider; region: string }[];
  network(provider: CloudProvider): NetworkPrices;
  /** Managed Kubernetes control plane fee per cluster-hour (EKS, AKS Standard, GKE). */
  controlPlaneFeePerHour(provider: CloudProvider): number;
  /** Description of the data: version, date, sources. */
  readonly meta: { version: string; asOf: string; sources: string[] };
}
