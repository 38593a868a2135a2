// Stickiness scorer: 100 for a cluster that already runs replicas of the workload, so that a
// re-plan prefers leaving them where they are (moves cost restarts and traffic shifts).
import type { ScorePlugin } from '../../framework/contract.js';

export const stickinessScorer = (): ScorePlugin => ({
  name: 'stickiness',
  score(_w, c, ctx) {
    return (ctx.current?.get(c.index) ?? 0) > 0 ? 100 : 0;
  },
});
