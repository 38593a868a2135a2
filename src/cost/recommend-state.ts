// The working plan recommendations are computed on: placements and workloads that changes are
// tried on (applied, checked against every constraint, priced, then kept or undone), with
// per-cluster costs cached so a move re-prices only the clusters it touches.
import type { Cluster, Placement, Workload } from '../api/index.js';
import { lineTotal, type CostLine } from './allocation.js';
import { checkCapacity, checkWorkloadPlacement, clusterLoads, failureDomains, type ClusterLoad, type ClusterReplicas, type Violation } from './constraints.js';
import type { ClusterPricing } from './pricing.js';

/** One object change: a JSON merge patch (RFC 7386) on the named object. */
export interface ObjectChange {
  kind: 'Workload' | 'Placement' | 'Cluster';
  namespace?: string;
  name: string;
  patch: Record<string, unknown>;
}

export type RateFn = (clusters: Cluster[], workloads: Workload[], placements: Placement[]) => CostLine[];

export interface Tx {
  ok: boolean;
  /** USD per hour after minus before (negative saves). */
  deltaPerHour: number;
  violations: Violation[];
  commit(): void;
  rollback(): void;
}

export interface PlanState {
  keys(): string[];
  workload(key: string): Workload;
  clustersOf(key: string): ClusterReplicas;
  clusterNames(): string[];
  cluster(name: string): Cluster;
  keysOn(cluster: string): string[];
  load(cluster: string): ClusterLoad | undefined;
  spotReplicas(key: string): number;
  /** Fees and requests at unit prices, per hour; a cluster's fee counts while it exists. */
  totalPerHour(): number;
  /** Marks an emptied cluster cordoned for removal (its fee is no longer paid); returns the change per hour. */
  cordon(cluster: string): number;
  /** Applies placement and workload changes at once and reports whether they keep every constraint. */
  tryChange(placements: ReadonlyMap<string, ClusterReplicas>, workloads?: ReadonlyMap<string, Workload>): Tx;
  placementPatch(key: string): ObjectChange;
  placements(): Placement[];
  workloads(): Workload[];
  violations(): Violation[];
}

/** Builds the working plan. Cluster status is dropped: plans are priced on requests. */
export function planState(clusters: readonly Cluster[], workloads: readonly Workload[], placements: readonly Placement[], rate: RateFn, pricing: ReadonlyMap<string, ClusterPricing>): PlanState {
  const fleet = new Map(clusters.map((c) => [c.metadata.name, { ...c, status: undefined } as Cluster]));
  const ws = new Map(workloads.map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, w]));
  const plan = new Map<string, { p: Placement; clusters: ClusterReplicas }>();
  for (const p of placements) {
    const key = `${p.metadata.namespace}/${p.spec.workload}`;
    if (ws.has(key)) plan.set(key, { p, clusters: p.spec.clusters.filter((c) => c.replicas > 0) });
  }
  const on = new Map<string, Set<string>>();
  const index = (key: string, cs: ClusterReplicas, addTo: boolean) => {
    for (const c of cs) {
      const s = on.get(c.cluster) ?? new Set<string>();
      if (addTo) s.add(key);
      else s.delete(key);
      on.set(c.cluster, s);
    }
  };
  for (const [k, v] of plan) index(k, v.clusters, true);

  const cache = new Map<string, { perHour: number; spot: Map<string, number>; cost: Map<string, number> }>();
  const cordoned = new Set<string>();
  const clusterCost = (name: string) => {
    let v = cache.get(name);
    if (v) return v;
    const c = fleet.get(name);
    const keys = [...(on.get(name) ?? [])];
    // A cluster's control-plane fee is paid while it exists, used or not: emptying it saves the
    // fee only once it is cordoned and removed (`cordon`, a consolidation), never by a move.
    v = { perHour: keys.length || cordoned.has(name) ? 0 : (pricing.get(name)?.feePerHour ?? 0), spot: new Map(), cost: new Map() };
    if (c && keys.length) {
      const lines = rate(
        [c],
        keys.map((k) => ws.get(k)!),
        keys.map((k) => ({ ...plan.get(k)!.p, spec: { ...plan.get(k)!.p.spec, clusters: plan.get(k)!.clusters.filter((x) => x.cluster === name) } })),
      );
      for (const l of lines) {
        if (l.kind === 'idle') continue;
        v.perHour += lineTotal(l);
        if (l.kind !== 'allocation') continue;
        v.spot.set(`${l.namespace}/${l.workload}`, l.spotReplicas ?? 0);
        v.cost.set(`${l.namespace}/${l.workload}`, lineTotal(l));
      }
    }
    cache.set(name, v);
    return v;
  };
  const loadsOf = (names: Iterable<string>) => {
    const keys = new Set<string>();
    for (const n of names) for (const k of on.get(n) ?? []) keys.add(k);
    const loads = clusterLoads([...keys].map((k) => ({ workload: ws.get(k)!, clusters: plan.get(k)!.clusters })));
    return new Map([...names].map((n) => [n, loads.get(n)]).filter((e): e is [string, ClusterLoad] => e[1] !== undefined));
  };

  const state: PlanState = {
    keys: () => [...plan.keys()].sort(),
    workload: (k) => ws.get(k)!,
    clustersOf: (k) => plan.get(k)?.clusters ?? [],
    clusterNames: () => [...fleet.keys()].sort(),
    cluster: (n) => fleet.get(n)!,
    keysOn: (n) => [...(on.get(n) ?? [])].sort(),
    load: (n) => loadsOf([n]).get(n),
    spotReplicas: (k) => (plan.get(k)?.clusters ?? []).reduce((a, c) => a + (clusterCost(c.cluster).spot.get(k) ?? 0), 0),
    totalPerHour: () => [...fleet.keys()].reduce((a, n) => a + clusterCost(n).perHour, 0),
    cordon(n) {
      const before = clusterCost(n).perHour;
      cordoned.add(n);
      cache.delete(n);
      return clusterCost(n).perHour - before;
    },
    tryChange(pChanges, wChanges = new Map()) {
      const touched = new Set([...pChanges.keys(), ...wChanges.keys()]);
      const affected = new Set<string>();
      const old = new Map<string, { clusters: ClusterReplicas; w: Workload }>();
      for (const k of touched) {
        old.set(k, { clusters: plan.get(k)!.clusters, w: ws.get(k)! });
        for (const c of plan.get(k)!.clusters) affected.add(c.cluster);
        for (const c of pChanges.get(k) ?? []) affected.add(c.cluster);
      }
      const before = [...affected].reduce((a, n) => a + clusterCost(n).perHour, 0);
      const loadsBefore = loadsOf(affected);
      const set = (k: string, clusters: ClusterReplicas, w: Workload) => {
        index(k, plan.get(k)!.clusters, false);
        plan.get(k)!.clusters = clusters.filter((c) => c.replicas > 0);
        index(k, plan.get(k)!.clusters, true);
        ws.set(k, w);
      };
      for (const k of touched) set(k, pChanges.get(k) ?? old.get(k)!.clusters, wChanges.get(k) ?? old.get(k)!.w);
      for (const n of affected) cache.delete(n);
      const after = [...affected].reduce((a, n) => a + clusterCost(n).perHour, 0);

      const violations: Violation[] = [];
      for (const k of touched) {
        const was = new Set(checkWorkloadPlacement(old.get(k)!.w, old.get(k)!.clusters, fleet).map((v) => v.message));
        violations.push(...checkWorkloadPlacement(ws.get(k)!, plan.get(k)!.clusters, fleet).filter((v) => !was.has(v.message)));
        const dBefore = failureDomains(old.get(k)!.w, old.get(k)!.clusters, fleet);
        const dAfter = failureDomains(ws.get(k)!, plan.get(k)!.clusters, fleet);
        if (dAfter < dBefore) violations.push({ code: 'Availability', workload: k, message: `${k}: failure domains at the ${ws.get(k)!.spec.availability?.survive} level fall from ${dBefore} to ${dAfter}` });
      }
      // Only clusters that gain load must be checked: an already full cluster that only loses load is not made worse.
      const loadsAfter = loadsOf(affected);
      const grew = new Map([...loadsAfter].filter(([n, l]) => {
        const b = loadsBefore.get(n);
        return !b || l.cpu > b.cpu + 1e-9 || l.memoryGiB > b.memoryGiB + 1e-9 || l.pods > b.pods || l.onDemandCpu > b.onDemandCpu + 1e-9 || l.onDemandMemoryGiB > b.onDemandMemoryGiB + 1e-9;
      }));
      violations.push(...checkCapacity(grew, pricing));
      let done = false;
      return {
        ok: violations.length === 0,
        deltaPerHour: after - before,
        violations,
        commit: () => void (done = true),
        rollback() {
          if (done) return;
          done = true;
          for (const k of touched) set(k, old.get(k)!.clusters, old.get(k)!.w);
          for (const n of affected) cache.delete(n);
        },
      };
    },
    placementPatch(k) {
      const p = plan.get(k)!.p;
      // With the spot split the change was priced on: applying it keeps what the saving assumed
      // (and what cost allocation reads) instead of leaving the split to be inferred.
      const clusters = plan.get(k)!.clusters.map((c) => ({ cluster: c.cluster, replicas: c.replicas, spotReplicas: Math.min(c.replicas, clusterCost(c.cluster).spot.get(k) ?? 0) }));
      return { kind: 'Placement', namespace: p.metadata.namespace, name: p.metadata.name, patch: { spec: { clusters } } };
    },
    placements: () =>
      [...plan.entries()].map(([k, v]) => {
        const perHour = v.clusters.reduce((a, c) => a + (clusterCost(c.cluster).cost.get(k) ?? 0), 0);
        return { ...v.p, spec: { ...v.p.spec, clusters: v.clusters.map((c) => ({ ...c })), costPerHour: Math.round(perHour * 1e6) / 1e6 } };
      }),
    workloads: () => [...ws.values()],
    violations() {
      const out: Violation[] = [];
      for (const [k, v] of plan) out.push(...checkWorkloadPlacement(ws.get(k)!, v.clusters, fleet));
      out.push(...checkCapacity(loadsOf(fleet.keys()), pricing));
      return out;
    },
  };
  return state;
}
