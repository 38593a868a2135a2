import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Cluster, Placement, Workload } from '../api/index.js';
import { defaultCatalog } from './catalog/index.js';
import { checkCapacity, checkWorkloadPlacement, clusterAllowed, clusterLoads, failureDomains } from './constraints.js';
import { priceFleet } from './fleet.js';
import { recommend, type RecommendResult } from './recommend.js';
import { cluster, placement, workload } from './testing/fixtures.js';
import type { UsageProfile } from './usage-profile.js';

const catalog = defaultCatalog();
const fleet = [
  cluster('aws-eu', { count: 4 }),
  cluster('gcp-eu', { provider: 'gcp', region: 'europe-west1', type: 'e2-standard-4', count: 4, spotType: 'e2-standard-4', spotCount: 2 }),
  cluster('aws-us', { region: 'us-east-1', count: 4 }),
  cluster('gcp-us', { provider: 'gcp', region: 'us-central1', type: 'e2-standard-4', count: 4 }),
  cluster('azure-us', { provider: 'azure', region: 'eastus', type: 'Standard_D4s_v5', count: 2 }),
];
const low = (cpu: number, samples = 200): UsageProfile => ({ cpuP95: cpu, memoryP95GiB: 0.25, samples });

function affinity(w: Workload, a: NonNullable<Workload['spec']['placement']['clusterAffinity']>): Workload {
  return { ...w, spec: { ...w.spec, placement: { ...w.spec.placement, clusterAffinity: a } } };
}

function keyed(r: RecommendResult) {
  const byKey = new Map(r.placements.map((p) => [`${p.metadata.namespace}/${p.spec.workload}`, p]));
  return byKey;
}

/** Every constraint of every workload in a result, and capacity: what the recommendations must keep. */
function violations(clusters: Cluster[], workloads: Workload[], placements: Placement[]) {
  const f = new Map(clusters.map((c) => [c.metadata.name, c]));
  const ws = new Map(workloads.map((w) => [`${w.metadata.namespace}/${w.metadata.name}`, w]));
  const out = placements.flatMap((p) => checkWorkloadPlacement(ws.get(`${p.metadata.namespace}/${p.spec.workload}`)!, p.spec.clusters, f));
  out.push(...checkCapacity(clusterLoads(placements.map((p) => ({ workload: ws.get(`${p.metadata.namespace}/${p.spec.workload}`)!, clusters: p.spec.clusters }))), priceFleet(clusters, catalog)));
  return out.map((v) => `${v.code}|${v.workload ?? ''}|${v.cluster ?? ''}`);
}

describe('recommend', () => {
  const workloads = [
    workload('pay', 'api', { replicas: 4, residency: ['eu'], spread: { minProviders: 2 }, survive: 'provider' }),
    workload('web', 'site', { replicas: 6, cpu: '2', memory: '4Gi', residency: ['us'] }),
    workload('batch', 'job', { replicas: 2, residency: ['eu'], spot: true }),
    // Allowed only on equally priced AWS and Azure: moving one alone saves nothing, moving both frees a cluster.
    affinity(workload('tools', 'cron', { replicas: 1, residency: ['us'] }), { providers: ['aws', 'azure'] }),
    affinity(workload('tools', 'report', { replicas: 1, residency: ['us'] }), { providers: ['aws', 'azure'] }),
    affinity(workload('web', 'admin', { replicas: 1, residency: ['us'] }), { clusterNames: ['aws-us'] }),
  ];
  const placements = [
    placement('pay', 'api', { 'aws-eu': 2, 'gcp-eu': 2 }),
    placement('web', 'site', { 'aws-us': 6 }),
    placement('batch', 'job', { 'aws-eu': 2 }),
    placement('tools', 'cron', { 'azure-us': 1 }),
    placement('tools', 'report', { 'azure-us': 1 }),
    placement('web', 'admin', { 'aws-us': 1 }),
  ];

  it('rightsizes from p95, moves to spot and to cheaper clusters, consolidates, each with saving, risk and the exact change', () => {
    const r = recommend({ clusters: fleet, workloads, placements, usage: new Map([['pay/api', low(0.08)], ['web/site', { cpuP95: 1.9, memoryP95GiB: 3.9, samples: 20 }]]), catalog });
    const byType = (t: string) => r.recommendations.filter((x) => x.type === t);
    const rs = byType('rightsize');
    expect(rs.map((x) => x.workloads[0])).toEqual(['pay/api']);
    // p95 80m × 1.3 = 104m → 110m (10m steps); 0.25 GiB × 1.2 = 307 MiB → 320Mi.
    expect(rs[0]!.changes).toEqual([{ kind: 'Workload', namespace: 'pay', name: 'api', patch: { spec: { resources: { cpu: '110m', memory: '320Mi' } } } }]);
    expect(rs[0]!.risk).toBe('low');
    expect(byType('spot').map((x) => x.workloads[0])).toEqual(['batch/job']);
    expect(byType('spot')[0]!.changes[0]).toEqual({ kind: 'Placement', namespace: 'batch', name: 'job', patch: { spec: { clusters: [{ cluster: 'gcp-eu', replicas: 2, spotReplicas: 2 }] } } });
    expect(byType('move').map((x) => x.workloads[0])).toContain('web/site');
    expect(r.recommendations.every((x) => x.monthlySaving > 0)).toBe(true);
    expect(r.monthlyAfter).toBeLessThan(r.monthlyBefore);
    const sum = r.recommendations.reduce((a, x) => a + x.monthlySaving, 0);
    expect(sum).toBeCloseTo(r.monthlyBefore - r.monthlyAfter, 0);
    // The tier-0 API keeps two providers however much cheaper one of them is.
    const api = keyed(r).get('pay/api')!;
    expect(new Set(api.spec.clusters.map((c) => c.cluster.split('-')[0])).size).toBe(2);
    expect(violations(fleet, r.workloads, r.placements)).toEqual([]);
    // The four workloads without (enough) usage samples are named as not judged yet.
    expect(r.tooFewSamples).toEqual({ minSamples: 10, workloads: ['batch/job', 'tools/cron', 'tools/report', 'web/admin'] });
  });

  it('never sells a control-plane fee as a cheaper cluster: emptying a cluster is a consolidation (with its cordon), not a move', () => {
    // aws-use1 and az-eus have the same unit prices; the only difference between them is az-eus's fee.
    const clusters = [
      cluster('aws-use1', { region: 'us-east-1', count: 2 }),
      cluster('gcp-usc1', { provider: 'gcp', region: 'us-central1', type: 'e2-standard-4', count: 2 }),
      cluster('az-eus', { provider: 'azure', region: 'eastus', type: 'Standard_D4s_v5', count: 2 }),
    ];
    const ws = [workload('x', 'ha', { replicas: 2, cpu: '500m', memory: '1Gi', survive: 'cluster' }), workload('x', 'solo', { replicas: 1, cpu: '500m', memory: '1Gi' })];
    const ps = [placement('x', 'ha', { 'gcp-usc1': 1, 'az-eus': 1 }), placement('x', 'solo', { 'aws-use1': 1 })];
    const r = recommend({ clusters, workloads: ws, placements: ps, usage: new Map(), catalog });
    // No "move" off az-eus (it would only have saved az-eus's fee, which a move does not remove).
    // solo moves to the cheaper GKE cluster for its unit prices alone; the cluster it leaves empty
    // is then a consolidation: cordoned, high risk, saving exactly the fee ($0.10/h × 730 h).
    expect(r.recommendations.map((x) => [x.type, x.clusters, x.monthlySaving])).toEqual([
      ['move', ['aws-use1', 'gcp-usc1'], 4.37],
      ['consolidate', ['aws-use1'], 73],
    ]);
    const drain = r.recommendations[1]!;
    expect(drain.risk).toBe('high');
    expect(drain.changes).toEqual([{ kind: 'Cluster', name: 'aws-use1', patch: { spec: { unschedulable: true } } }]);
    expect((r.monthlyBefore - r.monthlyAfter).toFixed(2)).toBe((4.37 + 73).toFixed(2));
  });

  it('consolidates an under-used cluster only when every workload on it fits elsewhere within its rules', () => {
    const r = recommend({ clusters: fleet, workloads, placements, usage: new Map(), catalog });
    const c = r.recommendations.find((x) => x.type === 'consolidate' && x.clusters[0] === 'azure-us');
    expect(c).toBeDefined();
    expect(c!.changes.at(-1)).toEqual({ kind: 'Cluster', name: 'azure-us', patch: { spec: { unschedulable: true } } });
    expect(c!.workloads).toEqual(['tools/cron', 'tools/report']);
    expect(c!.monthlySaving).toBeCloseTo(0.1 * 730, 6);
    expect(keyed(r).get('tools/cron')!.spec.clusters).toEqual([{ cluster: 'aws-us', replicas: 1 }]);
    // A workload pinned to the cluster cannot move, so the cluster is not consolidated.
    const pinned = workloads.map((w) => (w.metadata.name === 'cron' ? affinity(w, { clusterNames: ['azure-us'] }) : w));
    const r2 = recommend({ clusters: fleet, workloads: pinned, placements, usage: new Map(), catalog });
    expect(r2.recommendations.some((x) => x.type === 'consolidate' && x.clusters[0] === 'azure-us')).toBe(false);
  });

  it('never adds a residency, spread, availability, replica or capacity violation (property)', () => {
    const names = fleet.map((c) => c.metadata.name);
    const f = new Map(fleet.map((c) => [c.metadata.name, c]));
    const arbW = fc.record({
      residency: fc.constantFrom(['eu'], ['us'], ['eu', 'us']),
      replicas: fc.integer({ min: 1, max: 5 }),
      cpu: fc.constantFrom('250m', '500m', '1', '2'),
      minProviders: fc.constantFrom(0, 2),
      maxPer: fc.constantFrom(0, 2),
      survive: fc.constantFrom(undefined, 'cluster', 'provider'),
      spot: fc.boolean(),
      usage: fc.option(fc.double({ min: 0.01, max: 2, noNaN: true })),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(arbW, { minLength: 1, maxLength: 12 }), (specs) => {
        const ws: Workload[] = [];
        const ps: Placement[] = [];
        const usage = new Map<string, UsageProfile>();
        specs.forEach((s, i) => {
          const w = workload(`t${i % 3}`, `w${i}`, { replicas: s.replicas, cpu: s.cpu, memory: '1Gi', residency: [...s.residency], spot: s.spot, ...(s.minProviders || s.maxPer ? { spread: { ...(s.minProviders ? { minProviders: s.minProviders } : {}), ...(s.maxPer ? { maxReplicasPerCluster: s.maxPer } : {}) } } : {}), ...(s.survive ? { survive: s.survive as 'cluster' } : {}) });
          // Any allowed clusters, round robin from a seed: a valid or invalid start, as found in the wild.
          const allowed = names.filter((n) => !clusterAllowed(w, f.get(n)!));
          const counts: Record<string, number> = {};
          for (let k = 0; k < s.replicas; k++) {
            const n = allowed[(s.seed + k) % allowed.length]!;
            counts[n] = (counts[n] ?? 0) + 1;
          }
          ws.push(w);
          ps.push(placement(w.metadata.namespace!, w.metadata.name, counts));
          if (s.usage !== null) usage.set(`${w.metadata.namespace}/${w.metadata.name}`, low(s.usage));
        });
        const before = new Set(violations(fleet, ws, ps));
        const r = recommend({ clusters: fleet, workloads: ws, placements: ps, usage, catalog });
        for (const v of violations(fleet, r.workloads, r.placements)) expect(before.has(v), v).toBe(true);
        const domains = (wl: Workload[], pl: Placement[]) => new Map(pl.map((p) => [p.spec.workload, failureDomains(wl.find((w) => w.metadata.name === p.spec.workload)!, p.spec.clusters, f)]));
        const d0 = domains(ws, ps);
        for (const [k, d] of domains(r.workloads, r.placements)) expect(d).toBeGreaterThanOrEqual(d0.get(k)!);
        expect(r.monthlyAfter).toBeLessThanOrEqual(r.monthlyBefore + 1e-6);
      }),
      { numRuns: 40 },
    );
  });
});
