import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_VERSION, type ApiObject } from '../../api/index.js';
import { cluster, placement, workload } from '../../cost/testing/fixtures.js';
import type { AdmissionRequest } from '../../server/index.js';
import { openStore, type Store } from '../../store/index.js';
import { budgetAdmissionHook } from './admission.js';

const actor = { actor: 'user:test' };
const now = new Date('2026-11-21T12:00:00.000Z');

describe('budgetAdmissionHook (SQLite store)', () => {
  let dir: string;
  let store: Store;
  const hook = budgetAdmissionHook({ now: () => now });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ts-budget-adm-'));
    store = await openStore(dir);
    const budget = (name: string, scope: Record<string, string>, action: string): ApiObject => ({ apiVersion: API_VERSION, kind: 'Budget', metadata: { name }, spec: { scope, monthlyLimit: 10, action } });
    await store.apply(
      [
        cluster('aws-eu'),
        cluster('gcp-us', { provider: 'gcp', region: 'us-central1', type: 'e2-standard-4' }),
        budget('ana', { team: 'ana' }, 'block-scale-up'),
        budget('ana-alert', { team: 'ana' }, 'alert'),
        budget('eu', { residency: 'eu' }, 'block-scale-up'),
        placement('ana', 'etl', { 'aws-eu': 1 }),
        placement('web', 'site', { 'gcp-us': 1 }),
      ].map((object) => ({ verb: 'create' as const, object })),
      actor,
    );
    const exceeded = { period: '2026-11', exceeded: true, spent: 12.5 };
    for (const name of ['ana', 'ana-alert'])
      await store.apply([{ verb: 'updateStatus', object: { ...(await store.get({ kind: 'Budget', name }))!, status: exceeded } }], actor);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const update = (old: ApiObject, replicas: number): AdmissionRequest => ({ operation: 'UPDATE', object: { ...old, spec: { ...(old.spec as object), replicas } }, oldObject: old, actor: 'user:x', dryRun: false, batch: [], store });

  it('denies raising replicas in the scope of an exceeded block-scale-up budget, naming it', async () => {
    const w = workload('ana', 'etl', { replicas: 2, labels: { team: 'ana' } });
    const r = await hook(update(w, 3));
    expect(r.verdict).toBe('deny');
    expect(r.causes).toHaveLength(1);
    expect(r.causes![0]).toMatchObject({ field: 'spec.replicas', message: expect.stringMatching(/budget ana has spent \$12\.50 of its \$10\.00 limit/) });
  });

  it('allows scale-down, other teams, status writes, and budgets not exceeded or from last month', async () => {
    const w = workload('ana', 'etl', { replicas: 2, labels: { team: 'ana' } });
    expect((await hook(update(w, 1))).verdict).toBe('allow');
    expect((await hook({ ...update(w, 3), subresource: 'status' })).verdict).toBe('allow');
    expect((await hook(update(workload('web', 'site', { replicas: 1, labels: { team: 'web' } }), 5))).verdict).toBe('allow');
    const later = budgetAdmissionHook({ now: () => new Date('2026-12-02T00:00:00.000Z') });
    expect((await later(update(w, 3))).verdict).toBe('allow');
  });

  it('matches cluster-shaped scopes through where the workload runs', async () => {
    const eu = (await store.get({ kind: 'Budget', name: 'eu' }))!;
    await store.apply([{ verb: 'updateStatus', object: { ...eu, status: { period: '2026-11', exceeded: true, spent: 11 } } }], actor);
    expect((await hook(update(workload('ana', 'etl', { replicas: 1, labels: { team: 'x' } }), 2))).verdict).toBe('deny');
    expect((await hook(update(workload('web', 'site', { replicas: 1, labels: { team: 'web' } }), 2))).verdict).toBe('allow');
  });
});
