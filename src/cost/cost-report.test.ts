import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { IDLE, OVERHEAD, allocateRates, lineTotal } from './allocation.js';
import { defaultCatalog } from './catalog/index.js';
import { costReport, parseCostQuery } from './cost-report.js';
import { cluster, placement, workload } from './testing/fixtures.js';

const catalog = defaultCatalog();
const actor = { actor: 'user:test' };

describe('costReport (SQLite store)', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ts-cost-'));
    store = await openStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accrues what was placed from the store history over the window and projects the month', async () => {
    const c = cluster('aws-eu', { count: 3 });
    const w = [workload('pay', 'api', { replicas: 2 }), workload('ana', 'etl', { labels: {} })];
    const p = [placement('pay', 'api', { 'aws-eu': 2 }), placement('ana', 'etl', { 'aws-eu': 1 })];
    await store.apply([c, ...w, ...p].map((object) => ({ verb: 'create' as const, object })), actor);
    // A placement that existed and was deleted before the window must not be charged.
    const gone = placement('old', 'x', { 'aws-eu': 5 });
    await store.apply([{ verb: 'create', object: workload('old', 'x') }, { verb: 'create', object: gone }], actor);
    await store.apply([{ verb: 'delete', ref: { kind: 'Placement', namespace: 'old', name: 'x' } }], actor);

    // The window starts after every write: all of it comes from the state in effect at its start.
    await new Promise((r) => setTimeout(r, 5));
    const now = new Date(Date.now() + 24 * 3_600_000);
    const r = await costReport(store, { by: 'team', window: '24h', now, catalog });
    const rate = allocateRates({ clusters: [c], workloads: w, placements: p }, catalog).lines;
    const hourly = (k: string) => rate.filter((l) => l.kind === k).reduce((a, l) => a + lineTotal(l), 0);
    expect(r.totals.allocated).toBeCloseTo(24 * hourly('allocation'), 2);
    expect(r.totals.idle).toBeCloseTo(24 * hourly('idle'), 2);
    expect(r.totals.overhead).toBeCloseTo(24 * 0.1, 2);
    expect(r.rows.map((x) => x.name)).toEqual(['pay', '__unallocated__', IDLE, OVERHEAD]);
    expect(r.totals.projectedMonthly).toBeCloseTo(730 * (hourly('allocation') + hourly('idle') + hourly('overhead')), 6);
    expect(r.notes.join()).toMatch(/egress not included/);
  });

  it('rejects unknown groupings and windows with the field named', () => {
    expect(() => parseCostQuery({ by: 'colour' })).toThrow(/unknown grouping/);
    expect(() => parseCostQuery({ window: '1y' })).toThrow(/unknown window/);
    expect(parseCostQuery({ shareIdle: 'true' })).toEqual({ by: 'team', window: '7d', shareIdle: true });
  });
});
