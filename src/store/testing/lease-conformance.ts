// What every lease table must do, whether it lives in one server's memory or is shared through
// Postgres: the same suite runs against both (src/server/leases.test.ts, postgres-store.test.ts).
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../api/index.js';
import type { LeaseTable } from '../leases.js';

export function describeLeaseTableConformance(name: string, make: () => Promise<LeaseTable>): void {
  describe(`lease table conformance: ${name}`, () => {
    it('refuses a second holder while the lease is live and hands over once it expires', async () => {
      const t = await make();
      await t.renew('c1', 'agent-a', 1500, 1000);
      await expect(t.renew('c1', 'agent-b', 1500, 2000)).rejects.toThrow(ConflictError);
      await expect(t.renew('c1', 'agent-b', 1500, 2000)).rejects.toThrow(/lease c1 is held by agent-a \(renewed 1000 ms ago\)/);
      expect(t.isLive('c1', 2500)).toBe(true);
      expect(t.isLive('c1', 2501)).toBe(false);
      const l = await t.renew('c1', 'agent-b', 1500, 2600);
      expect(l).toEqual({ name: 'c1', holder: 'agent-b', durationMs: 1500, acquireTime: 2600, renewTime: 2600 });
      expect(t.get('c1')).toEqual(l);
    });

    it('keeps acquireTime across renewals, re-acquires after expiry, and lets only the holder release', async () => {
      const t = await make();
      const events: string[] = [];
      t.onChange((l, e) => events.push(`${e} ${l.name} ${l.holder}`));
      await t.renew('c1', 'a', 1000, 0);
      expect((await t.renew('c1', 'a', 1000, 500)).acquireTime).toBe(0);
      // The same holder after its lease lapsed: a new acquisition, not a renewal.
      expect((await t.renew('c1', 'a', 1000, 2000)).acquireTime).toBe(2000);
      await t.release('c1', 'someone-else');
      expect(t.get('c1')).toBeDefined();
      await t.release('c1', 'a');
      expect(t.get('c1')).toBeUndefined();
      expect(t.list().map((l) => l.name)).not.toContain('c1');
      expect(events).toEqual(['acquired c1 a', 'renewed c1 a', 'acquired c1 a', 'released c1 a']);
    });

    it('lets a higher election epoch take a live lease over, and never a lower one or none', async () => {
      const t = await make();
      await t.renew('leader', 'server-a', 5000, 1000, 7);
      // A newly elected leader (epoch 8) takes it at once, long before server-a's lease expires.
      expect(await t.renew('leader', 'server-b', 5000, 1500, 8)).toEqual({ name: 'leader', holder: 'server-b', durationMs: 5000, acquireTime: 1500, renewTime: 1500, epoch: 8 });
      // The deposed leader, which has not noticed yet, cannot renew it back, nor can a holder without an epoch.
      await expect(t.renew('leader', 'server-a', 5000, 2000, 7)).rejects.toThrow(/lease leader is held by server-b/);
      await expect(t.renew('leader', 'agent', 5000, 2000)).rejects.toThrow(ConflictError);
      expect((await t.renew('leader', 'server-b', 5000, 2500, 8)).acquireTime).toBe(1500);
      expect(t.get('leader')).toMatchObject({ holder: 'server-b', epoch: 8, renewTime: 2500 });
      // A lease held without an epoch (an agent's) is taken over by any epoch.
      await t.renew('c2', 'agent', 5000, 1000);
      await expect(t.renew('c2', 'server-a', 5000, 1100, 1)).resolves.toMatchObject({ holder: 'server-a', epoch: 1 });
    });

    it('keeps a throwing listener away from the writer: the renewal succeeds and others are told', async () => {
      const t = await make();
      const told: string[] = [];
      t.onChange(() => {
        throw new Error('listener bug (expected in this test)');
      });
      t.onChange((l, e) => told.push(`${e} ${l.name}`));
      await expect(t.renew('c9', 'a', 1000, 0)).resolves.toMatchObject({ holder: 'a' });
      expect(told).toEqual(['acquired c9']);
    });

    it('says up to when its view holds every renewal: recent, and never in the future', async () => {
      const t = await make();
      const before = Date.now();
      await new Promise((r) => setTimeout(r, 400));
      const asOf = t.viewAsOf();
      expect(asOf).toBeGreaterThanOrEqual(before);
      expect(asOf).toBeLessThanOrEqual(Date.now());
    });
  });
}
