import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/testing/harness.js';
import { cluster, placement, workload } from './testing/fixtures.js';
import { costViews } from './views.js';

describe('cost views (real server, SQLite store)', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ views: costViews() });
    const objects = [
      cluster('aws-eu', { count: 4 }),
      cluster('gcp-eu', { provider: 'gcp', region: 'europe-west1', type: 'e2-standard-4', count: 4 }),
      workload('pay', 'api', { replicas: 2, residency: ['eu'] }),
      placement('pay', 'api', { 'aws-eu': 2 }),
    ];
    await server.store.apply(objects.map((object) => ({ verb: 'create' as const, object })), { actor: 'user:test' });
  });
  afterEach(async () => {
    await server.stop();
  });

  it('GET /api/v1alpha1/cost groups accrued cost: by team with idle and overhead rows, by cluster as each cluster\'s bill, and the projected month', async () => {
    const r = await server.req('GET', '/api/v1alpha1/cost?by=cluster&window=24h');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: 'CostReport', by: 'cluster', window: '24h', shareIdle: false });
    // gcp-eu runs nothing, and has a row all the same: its node and its fee are on the bill.
    const rows = r.body.rows as { name: string; costPerHour: number; cpuCost: number }[];
    expect(rows.map((x) => x.name)).toEqual(['aws-eu', 'gcp-eu']);
    expect(rows[1]!.costPerHour).toBeGreaterThan(0);
    expect(rows.reduce((a, x) => a + x.costPerHour, 0)).toBeCloseTo(r.body.totals.costPerHour, 9);
    expect(r.body.totals.projectedMonthly).toBeGreaterThan(0);
    const byTeam = await server.req('GET', '/api/v1alpha1/cost?by=team&window=24h');
    expect(byTeam.body.rows.map((x: { name: string }) => x.name)).toEqual(['pay', '__idle__', '__overhead__']);
    const shared = await server.req('GET', '/api/v1alpha1/cost?by=team&shareIdle=true');
    expect(shared.body.rows.map((x: { name: string }) => x.name)).toContain('pay');
  });

  it('answers a bad grouping with a 400 Status naming the parameter', async () => {
    const r = await server.req('GET', '/api/v1alpha1/cost?by=colour');
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', details: { causes: [{ field: 'by' }] } });
  });

  it('GET /api/v1alpha1/recommendations lists savings with their changes', async () => {
    const r = await server.req('GET', '/api/v1alpha1/recommendations');
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe('RecommendationList');
    // GKE e2 in europe-west1 is cheaper than m6i in eu-west-1: move inside the EU; the EKS
    // cluster then runs nothing, and only removing it saves its fee.
    expect(r.body.items).toEqual([
      expect.objectContaining({ type: 'move', workloads: ['pay/api'], clusters: ['aws-eu', 'gcp-eu'] }),
      expect.objectContaining({ type: 'consolidate', workloads: [], clusters: ['aws-eu'], monthlySaving: 73 }),
    ]);
    expect(r.body.items[0].changes[0]).toEqual({ kind: 'Placement', namespace: 'pay', name: 'api', patch: { spec: { clusters: [{ cluster: 'gcp-eu', replicas: 2, spotReplicas: 0 }] } } });
  });
});
