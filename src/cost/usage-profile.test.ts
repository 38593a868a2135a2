import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GiB } from '../api/index.js';
import { openStore, type Store } from '../store/index.js';
import { cluster, usageStatus } from './testing/fixtures.js';
import { percentile, usageProfilesFromStore } from './usage-profile.js';

describe('usage profiles', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ts-usage-'));
    store = await openStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the nearest-rank p95', () => {
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 95)).toBe(95);
  });

  it('reads p95 per workload from the Cluster status history the agents write, one sample per distinct report', async () => {
    const c = cluster('aws-eu');
    await store.apply([{ verb: 'create', object: c }], { actor: 'user:t' });
    for (let i = 1; i <= 20; i++) {
      const status = usageStatus({ 'pay/api': [{ cpu: i / 100, memoryBytes: i * 0.1 * GiB }] });
      const cur = (await store.get({ kind: 'Cluster', name: 'aws-eu' }))!;
      await store.apply([{ verb: 'updateStatus', object: { ...cur, status } }], { actor: 'agent:aws-eu' });
      // A heartbeat that re-sends the same usage is not another sample.
      await store.apply([{ verb: 'updateStatus', object: { ...(await store.get({ kind: 'Cluster', name: 'aws-eu' }))!, status: { ...status, lastHeartbeatTime: String(i) } } }], { actor: 'agent:aws-eu' });
    }
    const p = (await usageProfilesFromStore(store)).get('pay/api')!;
    expect(p.samples).toBe(20);
    expect(p.cpuP95).toBeCloseTo(0.19, 9);
    expect(p.memoryP95GiB).toBeCloseTo(1.9, 9);
  });
});
