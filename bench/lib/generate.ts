// Generated fleets and workloads shaped like real ones (issue 3): 3 providers, EU and US
// regions priced from the shipped catalog, 30% EU-resident workloads, replicas 1–10, requests
// 0.25–4 vCPU and 0.5–16 GiB, fleet sized for ~70% CPU utilisation. Seeded, so reproducible.
import { API_VERSION, lookupRegion, type Cluster, type Workload } from '../../src/api/index.js';
import type { PriceCatalog } from '../../src/cost/index.js';
import { seededRandom as rng } from '../../src/util/random.js';

export { rng };

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export interface GenOptions {
  workloads: number;
  clusters: number;
  seed?: number;
  utilisation?: number;
  /** Share of workloads bound to `eu` (default 0.3). */
  euShare?: number;
}

/** Workloads first (their demand sizes the fleet), then clusters priced from the catalog. */
export function generate(catalog: PriceCatalog, o: GenOptions): { clusters: Cluster[]; workloads: Workload[] } {
  const r = rng(o.seed ?? 1);
  const workloads: Workload[] = [];
  let demandCpu = 0;
  const cpus = [0.25, 0.5, 0.5, 1, 1, 1, 2, 2, 4];
  const ratios = [1, 2, 4, 4, 8];
  for (let i = 0; i < o.workloads; i++) {
    const replicas = 1 + Math.floor(r() * 10);
    const cpu = pick(r, cpus);
    const mem = Math.min(16, Math.max(0.5, cpu * pick(r, ratios)));
    const u = r();
    const residency = u < (o.euShare ?? 0.3) ? ['eu'] : u < 0.45 ? ['us'] : undefined;
    const spotTolerant = r() < 0.2;
    const spreadRoll = r();
    const spread = spreadRoll < 0.08 && replicas >= 2 ? { minRegions: 2 } : spreadRoll < 0.12 ? { maxReplicasPerCluster: 4 } : undefined;
    demandCpu += cpu * replicas;
    workloads.push({
      apiVersion: API_VERSION,
      kind: 'Workload',
      metadata: { name: `w${i}`, namespace: `team-${i % 20}` },
      spec: {
        image: 'registry.example/app@sha256:0',
        replicas,
        resources: { cpu: String(cpu), memory: `${mem * 1024}Mi` },
        priority: 'tier-2',
        placement: { mode: 'Divided', optimizeFor: 'cost', spotTolerant, ...(residency ? { residency } : {}), ...(spread ? { spread } : {}) },
      },
    } as Workload);
  }
  const regions = catalog.regions().filter((x) => ['eu', 'us'].includes(lookupRegion(x.provider, x.region)?.jurisdiction ?? ''));
  const perCluster = demandCpu / (o.utilisation ?? 0.7) / o.clusters;
  const clusters: Cluster[] = [];
  for (let i = 0; i < o.clusters; i++) {
    const reg = regions[i % regions.length]!;
    const types = catalog.instances({ provider: reg.provider, region: reg.region }).filter((x) => x.vcpu >= 4);
    const inst = pick(r, types);
    const target = perCluster * (0.5 + r());
    const spot = reg.provider !== 'azure' && r() < 0.25 && inst.spotHourly !== undefined;
    const total = Math.max(1, Math.round(target / inst.vcpu));
    const spotNodes = spot ? Math.max(1, Math.round(total * 0.3)) : 0;
    const nodePools = [{ name: 'general', instanceType: inst.instanceType, count: total - spotNodes, spot: false }];
    if (spotNodes > 0) nodePools.push({ name: 'spot', instanceType: inst.instanceType, count: spotNodes, spot: true });
    clusters.push({
      apiVersion: API_VERSION,
      kind: 'Cluster',
      metadata: { name: `c${i}-${reg.region}`, labels: { provider: reg.provider } },
      spec: { provider: reg.provider, region: reg.region, nodePools, driver: { type: 'local' } },
    } as Cluster);
  }
  return { clusters, workloads };
}
