// The compiled problem: plain values and numeric arrays built once at the boundary, so the
// filters, scorers and optimiser never parse quantities or walk zod objects.
import type { LabelMatcher, Labels, Taint, Toleration } from '../../api/index.js';

export type Mode = 'Divided' | 'Duplicated';
export type OptimizeFor = 'cost' | 'latency' | 'balanced';

export interface CompiledCluster {
  index: number;
  name: string;
  provider: string;
  region: string;
  /** `provider/region`: region names are only unique within a provider. */
  regionKey: string;
  /** Jurisdiction; undefined only when the region is unknown and none was declared. */
  residency: string | undefined;
  labels: Labels;
  taints: readonly Taint[];
  /** Ready unless status.phase says NotReady/Unknown (no status yet counts as Ready offline). */
  phase: 'Ready' | 'NotReady' | 'Unknown';
  unschedulable: boolean;
  coords: { lat: number; lon: number } | undefined;
  /** On-demand pool (cores, GiB) and spot pool; pods are shared by both pools. */
  odCpu: number;
  odMem: number;
  spotCpu: number;
  spotMem: number;
  pods: number;
  odCpuHour: number;
  odMemHour: number;
  spotCpuHour: number;
  spotMemHour: number;
  feePerHour: number;
  priceSource: string;
}

export interface CompiledWorkload {
  index: number;
  namespace: string;
  name: string;
  /** `namespace/name`, the identity used everywhere in results. */
  key: string;
  replicas: number;
  cpu: number;
  memGiB: number;
  mode: Mode;
  spotTolerant: boolean;
  /** Allowed jurisdictions; undefined = anywhere. */
  residency: readonly string[] | undefined;
  clusterSelector: LabelMatcher | undefined;
  affinity:
    | {
        names?: ReadonlySet<string>;
        labelSelector?: LabelMatcher;
        exclude?: ReadonlySet<string>;
        providers?: ReadonlySet<string>;
        regions?: ReadonlySet<string>;
      }
    | undefined;
  tolerations: readonly Toleration[];
  minProviders: number;
  minRegions: number;
  minClusters: number;
  maxPerCluster: number;
  /** staticWeights by cluster name; undefined = the optimiser decides. */
  weights: ReadonlyMap<string, number> | undefined;
  optimizeFor: OptimizeFor;
  /** Weighted user locations for latency scoring. */
  users: readonly { lat: number; lon: number; weight: number }[];
  /** 0 = tier-0 (placed first) … 3 = tier-3. */
  priority: number;
  survive: 'cluster' | 'region' | 'provider' | undefined;
  /** Everything the filters read of the workload: equal keys give equal filter verdicts. */
  filterKey: string;
}

/**
 * The whole problem. Per-pair data that would be dense (10,000 × 200 and beyond) is kept as
 * one byte per pair (`rejectedBy`) or computed on the fly from per-cluster prices.
 */
export interface Problem {
  clusters: CompiledCluster[];
  workloads: CompiledWorkload[];
  /** Row-major workload × cluster: 0 = feasible, else 1 + index into `filterNames`. */
  rejectedBy: Uint8Array;
  filterNames: readonly string[];
  /** Reason code and text of each rejection, kept only when explaining (keyed w * nc + c). */
  rejections: Map<number, { code: string; reason: string }> | undefined;
  /**
   * Latency multiplier on the objective for latency/balanced workloads with users:
   * 1 + k × (RTT − best RTT) per cluster. Absent = pure cost.
   */
  objectiveFactor: Map<number, Float64Array>;
  /** Estimated RTT (ms) per cluster for workloads with users. */
  latencyMs: Map<number, Float64Array>;
  /** Current replicas per workload index and cluster index. */
  current: Map<number, Map<number, number>>;
  clusterIndex: Map<string, number>;
  workloadIndex: Map<string, number>;
}
