// Failure-domain analysis: for each workload that asks to survive the loss of a cluster,
// region or provider, would its replicas in that domain find room inside its residency in
// the free capacity the plan leaves? Answers per workload; it does not move anything.
import type { CompiledWorkload } from '../model/types.js';
import { candidates } from '../optimise/greedy.js';
import { roomOn, type PlanState } from '../optimise/state.js';

export type Domain = 'cluster' | 'region' | 'provider';

export interface SurviveWarning {
  namespace: string;
  name: string;
  code: 'SurviveAtRisk';
  domain: Domain;
  /** The failure domain that would be lost: a cluster name, `provider/region` or a provider. */
  lost: string;
  message: string;
}

const domainOf = (d: Domain, c: { name: string; provider: string; regionKey: string }) => (d === 'cluster' ? c.name : d === 'region' ? c.regionKey : c.provider);

/**
 * Checks every domain the workload uses at the requested level (each cluster, region or
 * provider holding its replicas). Counts room with the plan's free capacity only, i.e. one
 * workload at a time, as a failover would see it if it were first in line.
 */
export function surviveWarnings(s: PlanState, w: CompiledWorkload): SurviveWarning[] {
  if (!w.survive || s.slots[w.index]!.length === 0) return [];
  const p = s.problem;
  const out: SurviveWarning[] = [];
  const cands = candidates(s, w);
  const domains = new Map<string, number>();
  for (const x of s.slots[w.index]!) {
    const key = domainOf(w.survive, p.clusters[x.c]!);
    domains.set(key, (domains.get(key) ?? 0) + x.od + x.spot);
  }
  for (const [lost, replicas] of domains) {
    const need = w.mode === 'Duplicated' ? 0 : replicas;
    let room = 0;
    let survivors = 0;
    const providers = new Set<string>();
    const regions = new Set<string>();
    for (const c of cands) {
      const cl = p.clusters[c]!;
      if (domainOf(w.survive, cl) === lost) continue;
      const r = roomOn(s, w, c);
      const has = s.slots[w.index]!.some((x) => x.c === c);
      if (r > 0 || has) {
        providers.add(cl.provider);
        regions.add(cl.regionKey);
        survivors++;
      }
      room += r;
    }
    const spreadOk = providers.size >= w.minProviders && regions.size >= w.minRegions && survivors >= Math.max(1, w.minClusters);
    if (room < need || !spreadOk) {
      out.push({
        namespace: w.namespace,
        name: w.name,
        code: 'SurviveAtRisk',
        domain: w.survive,
        lost,
        message: `losing ${w.survive} ${lost} would leave ${replicas} replica(s) of ${w.key} without ${room < need ? `room (free room for ${room})` : 'enough spread'} inside ${w.residency ? `residency ${w.residency.join(',')}` : 'its feasible clusters'}`,
      });
    }
  }
  return out;
}
