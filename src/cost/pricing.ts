// The cost model core: what a cluster holds and what each unit of it costs per hour, split
// OpenCost-style into a CPU and a memory price. The scheduler, plan, cost and the dashboard
// all price through this one module.
import { GiB, ValidationError, objectKey, quantity, type Cluster } from '../api/index.js';
import type { CloudProvider, InstancePrice, PriceCatalog, UnitPrices } from './catalog/contract.js';

/**
 * OpenCost's fallback default prices (GCP us-central1 based): CPU 0.031611 per vCPU-hour and
 * RAM 0.004237 per GiB-hour. Only their ratio is used: a node's hourly price is split so that
 * one vCPU costs CPU_RAM_COST_RATIO (≈ 7.46) times one GiB, and the parts sum to the node price.
 */
export const OPENCOST_DEFAULT_CPU_HOUR = 0.031611;
export const OPENCOST_DEFAULT_RAM_GIB_HOUR = 0.004237;
export const CPU_RAM_COST_RATIO = OPENCOST_DEFAULT_CPU_HOUR / OPENCOST_DEFAULT_RAM_GIB_HOUR;
/** Kubernetes' default max pods per node (kubelet `--max-pods`). */
export const PODS_PER_NODE = 110;
/** A cluster given as bare capacity counts one node per this many vCPUs for its pod limit. */
export const VCPU_PER_ASSUMED_NODE = 4;
/** Hours in an average month (8,760 / 12), as AWS and Kubecost use for monthly figures. */
export const HOURS_PER_MONTH = 730;

/** One node pool as priced: shape per node, node count and hourly price per node. */
export interface PoolPricing {
  name: string;
  instanceType: string;
  count: number;
  spot: boolean;
  vcpu: number;
  memoryGiB: number;
  /** USD per node-hour actually used for this pool (spot price for spot pools). */
  hourlyPerNode: number;
  /** Where `hourlyPerNode` comes from. */
  priceSource: string;
}

/** Capacity and unit prices of one cluster. */
export interface ClusterPricing {
  /** The whole cluster, spot part included (cores, GiB, pods). */
  capacity: { cpu: number; memoryGiB: number; pods: number };
  /** Prices of the on-demand part (equal to the spot prices for a spot-only cluster, never 0 by accident). */
  onDemand: UnitPrices;
  /** The spot part of `capacity` and its prices; absent without a spot pool. Only spot-tolerant workloads may use it. */
  spot?: UnitPrices & { cpu: number; memoryGiB: number };
  /** Managed control-plane fee: overhead, not allocated to workloads. */
  feePerHour: number;
  /** `override` when `spec.pricing` set the unit prices, `catalog` when the node pools did. */
  source: 'override' | 'catalog';
  /** Hourly cost of all capacity (on-demand + spot) at these unit prices, fee excluded. */
  nodeCostPerHour: number;
  pools: PoolPricing[];
  /** Things the user should know (e.g. a spot pool priced at on-demand for lack of a spot figure). */
  warnings: string[];
}

/**
 * Splits a node price into a per-vCPU and a per-GiB price with the fixed OpenCost ratio, so
 * that `vcpu × cpuHour + memoryGiB × memoryGiBHour === hourly`.
 * @example splitNodePrice(0.214, 4, 16) // m6i.xlarge eu-west-1 → { cpuHour: ~0.0349, memoryGiBHour: ~0.00468 }
 */
export function splitNodePrice(hourly: number, vcpu: number, memoryGiB: number): UnitPrices {
  const memoryGiBHour = hourly / (CPU_RAM_COST_RATIO * vcpu + memoryGiB);
  return { cpuHour: CPU_RAM_COST_RATIO * memoryGiBHour, memoryGiBHour };
}

/**
 * Capacity and per-unit prices of a cluster: capacity from `spec.capacity`, else summed from
 * the node pools; prices from `spec.pricing`, else the node pools through the catalog.
 * Throws ValidationError naming the cluster, pool and instance type when a price is unknown —
 * never a silent zero.
 * @example clusterPricing(cluster, defaultCatalog()).onDemand.cpuHour
 */
export function clusterPricing(cluster: Cluster, catalog: PriceCatalog): ClusterPricing {
  const { spec } = cluster;
  const name = cluster.metadata.name;
  const fail = (field: string, message: string): never => {
    throw new ValidationError(`cluster ${name}: ${field}: ${message}`, [{ object: objectKey(cluster), field, message }]);
  };
  const isCloud = spec.provider !== 'onprem';
  if (!isCloud && !spec.pricing)
    fail('spec.pricing', 'onprem clusters need a pricing override (cpuHour, memoryGiBHour in USD): the price catalog only knows cloud instances');

  if (!spec.pricing && !(spec.nodePools && spec.nodePools.length > 0))
    fail('spec.pricing', 'a cluster given only as capacity needs a pricing override (cpuHour, memoryGiBHour) or node pools to price it through the catalog');

  const warnings: string[] = [];
  const pools = (spec.nodePools ?? []).map((p, i) => {
    const poolName = p.name ?? `pool-${i}`;
    const field = `spec.nodePools[${i}].instanceType`;
    const inst = isCloud ? catalog.instance(spec.provider, spec.region, p.instanceType) : undefined;
    if (!inst) {
      // With both overrides the pool's shape and price are not needed.
      if (spec.pricing && spec.capacity) return undefined;
      const what = `instance type "${p.instanceType}" of node pool "${poolName}"`;
      if (!isCloud) return fail('spec.capacity', `the shape of ${what} is unknown for an onprem cluster; declare spec.capacity`);
      if (!catalog.regions(spec.provider).some((r) => r.region === spec.region))
        return fail(field, `${what}: the price catalog has no prices for ${spec.provider} region "${spec.region}"; add spec.pricing (cpuHour, memoryGiBHour) or import a price file that covers it`);
      const known = catalog.instances({ provider: spec.provider, region: spec.region }).map((x) => x.instanceType);
      if (spec.pricing)
        return fail(field, `${what} is not in the price catalog for ${spec.provider} ${spec.region}, so its vCPU and memory are unknown; fix the type or declare spec.capacity`);
      return fail(field, `${what} is not in the price catalog for ${spec.provider} ${spec.region} (known there: ${known.join(', ')}); fix the type or add spec.pricing`);
    }
    return poolPrice(p, poolName, inst, spec.provider as CloudProvider, spec.pricing !== undefined, warnings);
  });
  const priced = pools.filter((p): p is PoolPricing => p !== undefined);

  const od = sum(priced.filter((p) => !p.spot));
  const sp = sum(priced.filter((p) => p.spot));
  let capacity: ClusterPricing['capacity'];
  if (spec.capacity) {
    const cpu = quantity(spec.capacity.cpu);
    const nodes = od.nodes + sp.nodes;
    capacity = {
      cpu,
      memoryGiB: quantity(spec.capacity.memory) / GiB,
      pods: spec.capacity.pods ?? PODS_PER_NODE * (nodes > 0 ? nodes : Math.max(1, Math.ceil(cpu / VCPU_PER_ASSUMED_NODE))),
    };
  } else {
    capacity = { cpu: od.cpu + sp.cpu, memoryGiB: od.mem + sp.mem, pods: PODS_PER_NODE * (od.nodes + sp.nodes) };
  }
  const spotCpu = Math.min(sp.cpu, capacity.cpu);
  const spotMem = Math.min(sp.mem, capacity.memoryGiB);

  let onDemand: UnitPrices;
  let spot: UnitPrices | undefined;
  if (spec.pricing) {
    onDemand = { cpuHour: spec.pricing.cpuHour, memoryGiBHour: spec.pricing.memoryGiBHour };
    if (spotCpu > 0 || spotMem > 0) {
      const factor = spec.pricing.spotFactor ?? catalogSpotFactor(priced.filter((p) => p.spot), catalog, spec.provider, spec.region);
      if (factor === undefined) warnings.push('spot pools priced at the override on-demand prices: give spec.pricing.spotFactor (no catalog spot figure for them)');
      spot = { cpuHour: onDemand.cpuHour * (factor ?? 1), memoryGiBHour: onDemand.memoryGiBHour * (factor ?? 1) };
    }
  } else {
    spot = sp.anyPool ? splitNodePrice(sp.cost, sp.shapeCpu, sp.shapeMem) : undefined;
    // A spot-only cluster has no on-demand price; reuse the spot one rather than inventing 0.
    onDemand = od.anyPool ? splitNodePrice(od.cost, od.shapeCpu, od.shapeMem) : spot!;
  }

  const feePerHour =
    spec.controlPlane?.feePerHour ?? (isCloud && spec.controlPlane?.managed !== false ? catalog.controlPlaneFeePerHour(spec.provider as CloudProvider) : 0);
  const result: ClusterPricing = {
    capacity,
    onDemand,
    feePerHour,
    source: spec.pricing ? 'override' : 'catalog',
    nodeCostPerHour: 0,
    pools: priced,
    warnings,
  };
  if (spot && (spotCpu > 0 || spotMem > 0)) result.spot = { ...spot, cpu: spotCpu, memoryGiB: spotMem };
  const s = result.spot;
  result.nodeCostPerHour =
    (capacity.cpu - (s?.cpu ?? 0)) * onDemand.cpuHour +
    (capacity.memoryGiB - (s?.memoryGiB ?? 0)) * onDemand.memoryGiBHour +
    (s ? s.cpu * s.cpuHour + s.memoryGiB * s.memoryGiBHour : 0);
  return result;
}

/**
 * Hourly cost of one replica requesting `cpuCores` and `memoryGiB`: at spot prices when `spot`
 * and the cluster has a spot part, else at on-demand prices.
 */
export function replicaCostPerHour(pricing: ClusterPricing, cpuCores: number, memoryGiB: number, spot: boolean): number {
  const p = spot && pricing.spot ? pricing.spot : pricing.onDemand;
  return cpuCores * p.cpuHour + memoryGiB * p.memoryGiBHour;
}

/** Monthly figure of an hourly one (730 hours). */
export function monthlyCost(perHour: number): number {
  return perHour * HOURS_PER_MONTH;
}

function poolPrice(
  p: { instanceType: string; count: number; spot: boolean },
  name: string,
  inst: InstancePrice,
  provider: CloudProvider,
  overridden: boolean,
  warnings: string[],
): PoolPricing {
  let hourly = inst.onDemandHourly;
  let priceSource = `${inst.source} (${inst.asOf})`;
  if (p.spot) {
    if (inst.spotHourly !== undefined) hourly = inst.spotHourly;
    else {
      priceSource = `no spot figure: on-demand ${priceSource}`;
      if (!overridden)
        warnings.push(`node pool "${name}": no trustworthy spot price for ${provider} ${inst.instanceType} in ${inst.region}; priced at on-demand (give spec.pricing with spotFactor to override)`);
    }
  }
  return { name, instanceType: p.instanceType, count: p.count, spot: p.spot, vcpu: inst.vcpu, memoryGiB: inst.memoryGiB, hourlyPerNode: hourly, priceSource };
}

// Sums of a pool class. Prices are split over count-weighted shapes; a class whose pools all
// have 0 nodes is still priced, by its shapes weighted 1, so scaling a pool up changes no price.
function sum(pools: PoolPricing[]) {
  const nodes = pools.reduce((a, p) => a + p.count, 0);
  const w = (p: PoolPricing) => (nodes > 0 ? p.count : 1);
  return {
    anyPool: pools.length > 0,
    nodes,
    cpu: pools.reduce((a, p) => a + p.vcpu * p.count, 0),
    mem: pools.reduce((a, p) => a + p.memoryGiB * p.count, 0),
    cost: pools.reduce((a, p) => a + p.hourlyPerNode * w(p), 0),
    shapeCpu: pools.reduce((a, p) => a + p.vcpu * w(p), 0),
    shapeMem: pools.reduce((a, p) => a + p.memoryGiB * w(p), 0),
  };
}

// The catalog's spot discount for the spot pools' types (count-weighted), when every one has a spot figure.
function catalogSpotFactor(spotPools: PoolPricing[], catalog: PriceCatalog, provider: string, region: string): number | undefined {
  let spotCost = 0;
  let odCost = 0;
  for (const p of spotPools) {
    const inst = catalog.instance(provider, region, p.instanceType);
    if (!inst || inst.spotHourly === undefined) return undefined;
    const w = p.count || 1;
    spotCost += inst.spotHourly * w;
    odCost += inst.onDemandHourly * w;
  }
  return odCost > 0 ? spotCost / odCost : undefined;
}
