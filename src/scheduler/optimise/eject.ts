// Ejection moves: a replica moves to a cheaper pool that is full by pushing out one or two
// replicas of another workload to that workload's next-best pool with room, when the saving
// exceeds the victim's extra cost. This recovers most of what LP rounding leaves on the table.
import type { CompiledWorkload } from '../model/types.js';
import { sortedPools, spreadMet } from './greedy.js';
import { addTo, onCluster, removeFrom, roomIn, unitObjective, type PlanState } from './state.js';

const CHEAPER_POOLS_TRIED = 4;

interface Victim {
  v: CompiledWorkload;
  k: number;
  to: { c: number; spot: boolean };
  delta: number;
}

/**
 * One pass moving replicas of `ws` by ejecting replicas of `movable` workloads; returns the
 * number of moves applied.
 */
export function ejectionPass(s: PlanState, ws: readonly CompiledWorkload[], all: readonly CompiledWorkload[], deadline: number): number {
  const p = s.problem;
  const residents: Set<number>[] = p.clusters.map(() => new Set());
  const movable = new Set<number>();
  for (const w of all) {
    movable.add(w.index);
    for (const x of s.slots[w.index]!) residents[x.c]!.add(w.index);
  }
  let applied = 0;
  for (const w of ws) {
    if (performance.now() > deadline) break;
    for (const slot of [...s.slots[w.index]!]) {
      for (const fromSpot of [false, true]) {
        if ((fromSpot ? slot.spot : slot.od) <= 0) continue;
        const uFrom = unitObjective(p, w, slot.c, fromSpot);
        let tried = 0;
        for (const pool of sortedPools(s, w)) {
          if (pool.u >= uFrom - 1e-12 || tried >= CHEAPER_POOLS_TRIED) break;
          if (pool.c === slot.c || onCluster(s, w.index, pool.c) >= w.maxPerCluster || roomIn(s, w, pool.c, pool.spot) > 0) continue;
          tried++;
          const victim = bestVictim(s, w, pool, uFrom - pool.u, residents[pool.c]!, movable);
          if (!victim) continue;
          removeFrom(s, victim.v, pool.c, pool.spot, victim.k);
          addTo(s, victim.v, victim.to.c, victim.to.spot, victim.k);
          const fits = roomIn(s, w, pool.c, pool.spot) > 0;
          if (fits) {
            removeFrom(s, w, slot.c, fromSpot, 1);
            addTo(s, w, pool.c, pool.spot, 1);
          }
          if (!fits || !spreadMet(s, w) || !spreadMet(s, victim.v)) {
            if (fits) {
              removeFrom(s, w, pool.c, pool.spot, 1);
              addTo(s, w, slot.c, fromSpot, 1);
            }
            removeFrom(s, victim.v, victim.to.c, victim.to.spot, victim.k);
            addTo(s, victim.v, pool.c, pool.spot, victim.k);
            continue;
          }
          residents[pool.c]!.add(w.index);
          residents[victim.to.c]!.add(victim.v.index);
          applied++;
          break;
        }
      }
    }
  }
  return applied;
}

// The cheapest way to free room for one replica of w in `pool` by moving k ≤ 2 replicas of a
// single other workload, if it costs less than `gain`.
function bestVictim(s: PlanState, w: CompiledWorkload, pool: { c: number; spot: boolean }, gain: number, onC: ReadonlySet<number>, movable: ReadonlySet<number>): Victim | undefined {
  const p = s.problem;
  const c = pool.c;
  const freeCpu = pool.spot ? s.freeSpotCpu[c]! : s.freeOdCpu[c]!;
  const freeMem = pool.spot ? s.freeSpotMem[c]! : s.freeOdMem[c]!;
  const needCpu = w.cpu - freeCpu;
  const needMem = w.memGiB - freeMem;
  let best: Victim | undefined;
  for (const vi of onC) {
    if (vi === w.index || !movable.has(vi)) continue;
    const v = p.workloads[vi]!;
    const slot = s.slots[vi]!.find((x) => x.c === c);
    const have = slot ? (pool.spot ? slot.spot : slot.od) : 0;
    if (have === 0) continue;
    const k = Math.max(needCpu > 1e-9 ? Math.ceil((needCpu - 1e-9) / (v.cpu || Infinity)) : 0, needMem > 1e-9 ? Math.ceil((needMem - 1e-9) / (v.memGiB || Infinity)) : 0, 1);
    if (!Number.isFinite(k) || k > 2 || k > have) continue;
    const uHere = unitObjective(p, v, c, pool.spot);
    for (const alt of sortedPools(s, v)) {
      const delta = k * (alt.u - uHere);
      if (delta >= gain - 1e-12 || (best && delta >= best.delta)) break;
      if (alt.c === c || roomIn(s, v, alt.c, alt.spot) < k) continue;
      best = { v, k, to: { c: alt.c, spot: alt.spot }, delta };
      break;
    }
  }
  return best;
}
