import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planRollout, type ObservedReplica } from './rollout.js';

const rep = (ordinal: number, hash: string, ready = true): ObservedReplica => ({
  name: `w-${hash}-${ordinal}`,
  ordinal,
  templateHash: hash,
  phase: ready ? 'Running' : 'Starting',
  ready,
});

describe('planRollout', () => {
  it('starts every missing ordinal from nothing', () => {
    expect(planRollout(3, 'a', [])).toEqual({ start: [0, 1, 2], stop: [] });
  });

  it('does nothing when converged (idempotent)', () => {
    expect(planRollout(2, 'a', [rep(0, 'a'), rep(1, 'a')])).toEqual({ start: [], stop: [] });
  });

  it('scales down by stopping the highest ordinals only', () => {
    expect(planRollout(1, 'a', [rep(0, 'a'), rep(1, 'a'), rep(2, 'a')])).toEqual({ start: [], stop: ['w-a-1', 'w-a-2'] });
  });

  it('fills a hole left by a missing ordinal on scale up', () => {
    expect(planRollout(3, 'a', [rep(0, 'a'), rep(2, 'a')])).toEqual({ start: [1], stop: [] });
  });

  it('replaces a template by surging first and keeps old ready replicas until new ones are ready', () => {
    const step1 = planRollout(2, 'b', [rep(0, 'a'), rep(1, 'a')]);
    expect(step1).toEqual({ start: [0], stop: [] });
    const step2 = planRollout(2, 'b', [rep(0, 'a'), rep(1, 'a'), rep(0, 'b', false)]);
    expect(step2).toEqual({ start: [], stop: [] });
    const step3 = planRollout(2, 'b', [rep(0, 'a'), rep(1, 'a'), rep(0, 'b', true)]);
    expect(step3).toEqual({ start: [], stop: ['w-a-1'] });
  });

  it('stops old replicas that are not ready at once', () => {
    expect(planRollout(1, 'b', [rep(0, 'a', false)])).toEqual({ start: [0], stop: ['w-a-0'] });
  });

  it('converges any state to exactly `desired` ready current replicas without dropping availability', () => {
    const arb = fc.record({
      desired: fc.integer({ min: 0, max: 8 }),
      old: fc.array(fc.record({ ordinal: fc.integer({ min: 0, max: 9 }), ready: fc.boolean() }), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(arb, ({ desired, old }) => {
        let state: ObservedReplica[] = old.map((o, i) => ({ ...rep(o.ordinal, 'old', o.ready), name: `old-${i}` }));
        const floor = Math.min(desired, state.filter((s) => s.ready).length);
        for (let step = 0; step < 100; step++) {
          const plan = planRollout(desired, 'new', state);
          if (plan.start.length === 0 && plan.stop.length === 0) break;
          state = state.filter((s) => !plan.stop.includes(s.name));
          if (state.filter((s) => s.ready).length < floor) return false;
          // Started replicas become ready before the next step.
          state = state.map((s) => ({ ...s, ready: s.ready || s.templateHash === 'new' }));
          state.push(...plan.start.map((o) => rep(o, 'new', true)));
        }
        const ordinals = state.map((s) => s.ordinal).sort((a, b) => a - b);
        return state.every((s) => s.templateHash === 'new' && s.ready) && ordinals.join() === [...Array(desired).keys()].join();
      }),
    );
  });
});
