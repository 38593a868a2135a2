// Repair for a workload that no longer fits anywhere: make room on its cheapest feasible
// clusters by moving replicas of other flexible workloads to where they still fit, then
// place it. Works on a copy and adopts it only on success, so a failed repair changes nothing.
import type { CompiledWorkload } from '../model/types.js';
import { candidates, placeGreedy, sortedPools, spreadMet } from './greedy.js';
import { addTo, cloneState, removeFrom, roomIn, roomOn, unitObjective, type PlanState } from './state.js';

const MAX_MOVES = 400;

/**
 * Tries to place all replicas of `w` by relocating replicas of `movable` workloads.
 * Returns true (and updates `s`) on success; false leaves `s` untouched.
 */
export function placeWithEviction(s: PlanState, w: CompiledWorkload, movable: ReadonlySet<number>): boolean {
  const p = s.problem;
  const t = cloneState(s);
  const wCands = candidates(t, w).sort((a, b) => bestUnit(t, w, a) - bestUnit(t, w, b) || a - b);
  let moves = 0;
  let need = w.replicas;
  const residents = new Map<number, number[]>();
  for (const c of wCands) {
    if (need === 0) break;
    const target = Math.min(need, w.maxPerCluster);
    // Victims: replicas of movable workloads on c, cheapest to relocate first.
    while (roomOn(t, w, c) < target && moves < MAX_MOVES) {
      let best: { v: CompiledWorkload; spot: boolean; d: number; dSpot: boolean; delta: number } | undefined;
      let onC = residents.get(c);
      if (!onC) residents.set(c, (onC = [...movable].filter((vi) => vi !== w.index && t.slots[vi]!.some((x) => x.c === c))));
      for (const vi of onC) {
        const slot = t.slots[vi]!.find((x) => x.c === c);
        if (!slot) continue;
        const v = p.workloads[vi]!;
        for (const spot of [false, true]) {
          if ((spot ? slot.spot : slot.od) === 0) continue;
          // Only victims whose departure frees the pool w can use.
          if (spot && !w.spotTolerant) continue;
          const from = unitObjective(p, v, c, spot);
          // The victim's cheapest other pool with room: sortedPools is cheapest first.
          for (const pool of sortedPools(t, v)) {
            if (best && pool.u - from >= best.delta) break;
            if (pool.c === c || roomIn(t, v, pool.c, pool.spot) < 1) continue;
            best = { v, spot, d: pool.c, dSpot: pool.spot, delta: pool.u - from };
            break;
          }
        }
      }
      if (!best) break;
      removeFrom(t, best.v, c, best.spot, 1);
      addTo(t, best.v, best.d, best.dSpot, 1);
      moves++;
      if (!spreadMet(t, best.v)) {
        // Undo a move that breaks the victim's spread and stop evicting from this cluster.
        removeFrom(t, best.v, best.d, best.dSpot, 1);
        addTo(t, best.v, c, best.spot, 1);
        break;
      }
    }
    if (roomOn(t, w, c) > 0) {
      for (const spot of unitObjective(p, w, c, true) < unitObjective(p, w, c, false) ? [true, false] : [false, true]) {
        const r = Math.min(need, roomIn(t, w, c, spot));
        if (r > 0 && unitObjective(p, w, c, spot) < Infinity) {
          addTo(t, w, c, spot, r);
          need -= r;
        }
      }
    }
  }
  if (need > 0 || !spreadMet(t, w)) {
    // The cheapest clusters alone may not give the spread; let the greedy finish from here.
    if (need > 0 && !placeGreedy(t, w, need)) return false;
    if (!spreadMet(t, w)) return false;
  }
  Object.assign(s, t);
  return true;
}

function bestUnit(s: PlanState, w: CompiledWorkload, c: number): number {
  return Math.min(unitObjective(s.problem, w, c, false), unitObjective(s.problem, w, c, true));
}
