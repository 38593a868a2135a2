// Local improvement: move replicas of flexible workloads to cheaper pools with free room,
// keeping every hard constraint. Each move strictly lowers the objective, so it terminates.
import type { CompiledWorkload } from '../model/types.js';
import { sortedPools, spreadMet } from './greedy.js';
import { addTo, removeFrom, roomIn, unitObjective, type PlanState } from './state.js';

/**
 * Runs improvement passes over `ws` until a pass moves nothing or the deadline passes.
 * Returns the number of replicas moved.
 */
export function improve(s: PlanState, ws: readonly CompiledWorkload[], deadline: number): number {
  const p = s.problem;
  let moved = 0;
  for (let pass = 0; pass < 20; pass++) {
    let movedThisPass = 0;
    for (const w of ws) {
      if (performance.now() > deadline) return moved + movedThisPass;
      const slots = s.slots[w.index]!;
      if (slots.length === 0) continue;
      const pools = sortedPools(s, w);
      for (const slot of [...slots]) {
        for (const fromSpot of [true, false]) {
          let count = fromSpot ? slot.spot : slot.od;
          if (count <= 0) continue;
          const from = unitObjective(p, w, slot.c, fromSpot);
          while (count > 0) {
            let best = -1;
            let bestSpot = false;
            for (const pool of pools) {
              if (pool.u >= from - 1e-12) break;
              if ((pool.c !== slot.c || pool.spot !== fromSpot) && roomIn(s, w, pool.c, pool.spot) > 0) {
                [best, bestSpot] = [pool.c, pool.spot];
                break;
              }
            }
            if (best < 0) break;
            const k = Math.min(count, roomIn(s, w, best, bestSpot));
            removeFrom(s, w, slot.c, fromSpot, k);
            addTo(s, w, best, bestSpot, k);
            if (!spreadMet(s, w)) {
              removeFrom(s, w, best, bestSpot, k);
              addTo(s, w, slot.c, fromSpot, k);
              break;
            }
            count -= k;
            movedThisPass += k;
          }
        }
      }
    }
    moved += movedThisPass;
    if (movedThisPass === 0) break;
  }
  return moved;
}
