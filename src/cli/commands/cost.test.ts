// `cost` and `recommend` in-process against a real server with the cost views.
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { costViews } from '../../cost/index.js';
import { cluster, placement, workload } from '../../cost/testing/fixtures.js';
import { startTestServer, type TestServer } from '../../server/testing/harness.js';
import { createContext } from '../context.js';
import { registerCost } from './cost.js';
import { formatRecommendations, registerRecommend } from './recommend.js';

describe('truststram cost / recommend', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ views: costViews() });
    const objects = [
      cluster('aws-eu', { count: 4 }),
      cluster('gcp-eu', { provider: 'gcp', region: 'europe-west1', type: 'e2-standard-4', count: 4 }),
      workload('pay', 'api', { replicas: 2, residency: ['eu'], labels: { team: 'payments', tenant: 'acme' } }),
      workload('misc', 'tool', { labels: {} }),
      placement('pay', 'api', { 'aws-eu': 2 }),
      placement('misc', 'tool', { 'aws-eu': 1 }),
    ];
    await server.store.apply(objects.map((object) => ({ verb: 'create' as const, object })), { actor: 'user:test' });
  });
  afterEach(async () => {
    await server.stop();
  });

  async function run(args: string[]) {
    let stdout = '';
    const ctx = createContext({ stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, env: { TRUSTSTRAM_SERVER: server.url } });
    const program = new Command().exitOverride();
    registerCost(program, ctx);
    registerRecommend(program, ctx);
    await program.parseAsync(['node', 'truststram', ...args]);
    return stdout;
  }

  it('prints showback by team with unallocated, idle and overhead rows', async () => {
    const out = await run(['cost', '--by', 'team', '--window', '24h']);
    expect(out).toMatch(/^TEAM\s+CPU\s+MEMORY\s+EGRESS\s+TOTAL\(24h\)/);
    const names = out.split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    expect(names.slice(0, 5)).toEqual(['payments', '__unallocated__', '__idle__', '__overhead__', 'TOTAL']);
    expect(out).toMatch(/note: egress not included/);
  });

  it('by cluster, prints the bill of each cluster with its idle capacity and fees, a cluster running nothing included', async () => {
    await server.store.apply([{ verb: 'create' as const, object: cluster('gcp-idle', { provider: 'gcp', region: 'europe-west1', type: 'e2-standard-4', count: 1 }) }], { actor: 'user:test' });
    const out = await run(['cost', '--by', 'cluster', '--window', '24h']);
    expect(out).toMatch(/^CLUSTER\s+CPU\s+MEMORY\s+IDLE\s+FEES\s+EGRESS\s+TOTAL\(24h\)/);
    const names = out.split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(expect.arrayContaining(['aws-eu', 'gcp-eu', 'gcp-idle', 'TOTAL']));
    expect(names).not.toContain('__idle__');
    expect(out).toMatch(/note: each row is the whole bill of its cluster/);
    // Sharing idle would only move it between columns of the same row: said, and not done.
    const shared = await run(['cost', '--by', 'cluster', '--window', '24h', '--share-idle']);
    expect(shared).toMatch(/note: shareIdle has no effect by cluster/);
    expect(shared).not.toMatch(/SHARED-IDLE/);
    // gcp-idle runs nothing, yet costs its node and its fee every hour; the other two have
    // rows that include their idle capacity and fees (their run rates add up to the total).
    const json = JSON.parse(await run(['cost', '--by', 'cluster', '--window', '24h', '-o', 'json'])) as { rows: { name: string; costPerHour: number; cpuCost: number }[]; totals: { costPerHour: number } };
    const idle = json.rows.find((r) => r.name === 'gcp-idle')!;
    expect(idle.cpuCost).toBe(0);
    expect(idle.costPerHour).toBeGreaterThan(0.1);
    expect(json.rows.reduce((a, r) => a + r.costPerHour, 0)).toBeCloseTo(json.totals.costPerHour, 9);
    expect(out).toMatch(new RegExp(`^gcp-idle .*\\$${idle.costPerHour.toFixed(4).replace('.', '\\.')}`, 'm'));
  });

  it('prints CSV and JSON', async () => {
    const csv = await run(['cost', '--by', 'tenant', '-o', 'csv', '--share-idle']);
    expect(csv.split('\n')[0]).toBe('name,cpu_cost,memory_cost,idle_cost,overhead_cost,shared_cost,egress_cost,total_cost,share,cost_per_hour,projected_monthly');
    expect(csv).toMatch(/^acme,/m);
    const json = JSON.parse(await run(['cost', '--by', 'provider', '-o', 'json']));
    expect(json.rows[0].name).toBe('aws');
  });

  it('rejects an unknown grouping before asking the server', async () => {
    await expect(run(['cost', '--by', 'colour'])).rejects.toThrow(/unknown grouping "colour"/);
  });

  it('lists recommendations with the exact changes', async () => {
    const out = await run(['recommend', '--changes']);
    expect(out).toMatch(/^ID\s+TYPE\s+WORKLOAD/);
    // Both clusters' fees are paid while they exist: each workload moves to the cheaper GKE
    // cluster for its unit prices, and the EKS cluster then running nothing is for removal.
    expect(out).toMatch(/move-2\s+move\s+pay\/api\s+aws-eu → gcp-eu/);
    expect(out).toContain('# move-2: Placement pay/api (JSON merge patch)\n{"spec":{"clusters":[{"cluster":"gcp-eu","replicas":2,"spotReplicas":0}]}}');
    expect(out).toMatch(/consolidate-3\s+consolidate\s+-\s+aws-eu\s+\$73\.00\s+high/);
    expect(out).toContain('# consolidate-3: Cluster aws-eu (JSON merge patch)\n{"spec":{"unschedulable":true}}');
    expect(out).toMatch(/Total: \$\d+\.\d\d\/month/);
    // No rightsizing among them: no word on node pools.
    expect(out).not.toMatch(/node pools scale down/);
  });

  it('says that a rightsizing saving needs the node pools to scale down', () => {
    const item = { id: 'rightsize-1', type: 'rightsize' as const, workloads: ['pay/api'], clusters: ['aws-eu'], monthlySaving: 12.5, risk: 'low' as const, reason: 'p95 usage per replica is 100m CPU', changes: [] };
    const out = formatRecommendations({ window: '7d', monthlyBefore: 100, monthlyAfter: 87.5, monthlySaving: 12.5, items: [item], existingViolations: [] });
    expect(out).toMatch(/rightsize-1\s+rightsize\s+pay\/api/);
    expect(out).toMatch(/note: rightsizing saves money once the clusters' node pools scale down/);
  });
});
