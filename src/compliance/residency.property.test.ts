// The residency property of issue 7, end to end over the real components: for any generated
// fleet, workloads and sequence of cluster failures, a workload bound to a residency never gets
// a replica (scheduler: schedule, placeOne, replaceFailed), a route (the gateway's route-table
// builder, even when agents report endpoints from everywhere) or a sink (the baseline
// sinks-in-residency policy at admission) outside it. The check is an independent
// re-statement: the region catalog's jurisdiction compared with the declared residency.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { lookupRegion, type Cluster, type Placement, type Policy, type Workload } from '../api/index.js';
import { buildRoutes } from '../gateway/index.js';
import { createPolicyEngine, loadBaselinePolicies, type PolicyEngine } from '../policy/index.js';
import { createFleetState, placeOne, replaceFailed, schedule, type WorkloadPlacement } from '../scheduler/index.js';
import { cluster, placement, workload } from '../scheduler/testing/fixtures.js';
import { buildResidencyMap } from './residency.js';

const REGIONS = [
  ['aws', 'eu-west-1'],
  ['aws', 'us-east-1'],
  ['gcp', 'europe-west1'],
  ['gcp', 'us-central1'],
  ['azure', 'westeurope'],
  ['azure', 'uksouth'],
  ['onprem', 'dc-ch'],
] as const;
const JURISDICTIONS = ['eu', 'us', 'uk', 'ch'] as const;

/** Independent truth: where a cluster is, from the catalog or its explicit declaration. */
function truthOf(c: Cluster): string | undefined {
  return c.spec.residency ?? lookupRegion(c.spec.provider, c.spec.region)?.jurisdiction;
}

const fleetArb = fc.array(
  fc.record({ region: fc.integer({ min: 0, max: REGIONS.length - 1 }), cpu: fc.constantFrom(2, 4, 8), price: fc.integer({ min: 10, max: 60 }) }),
  { minLength: 2, maxLength: 7 },
);
const workloadArb = fc.record({
  replicas: fc.integer({ min: 1, max: 4 }),
  residency: fc.option(fc.subarray([...JURISDICTIONS], { minLength: 1, maxLength: 2 }), { nil: undefined }),
  duplicated: fc.boolean(),
  sinks: fc.array(fc.record({ kind: fc.constantFrom('logs', 'backup', 'artifact', 'traces'), residency: fc.constantFrom(...JURISDICTIONS) }), { maxLength: 3 }),
});
const scenarioArb = fc.record({
  fleet: fleetArb,
  workloads: fc.array(workloadArb, { minLength: 1, maxLength: 5 }),
  late: workloadArb,
  // Each step fails some clusters by index (mod fleet size).
  failures: fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 2 }), { maxLength: 3 }),
  // Agents of these clusters report endpoints for every workload, placed there or not.
  rogueReporters: fc.array(fc.nat(), { maxLength: 3 }),
});

type WA = typeof workloadArb extends fc.Arbitrary<infer T> ? T : never;

function buildFleet(f: { region: number; cpu: number; price: number }[]): Cluster[] {
  return f.map((x, i) => {
    const [provider, region] = REGIONS[x.region]!;
    return cluster(`c${i}`, { provider, region, ...(provider === 'onprem' ? { residency: 'ch' } : {}), cpu: x.cpu, memGiB: x.cpu * 4, cpuHour: x.price / 1000, phase: 'Ready' });
  });
}

function buildWorkload(name: string, a: WA): Workload {
  return workload(name, a.replicas, 0.5, 0.5, { ...(a.residency ? { residency: a.residency } : {}), mode: a.duplicated ? 'Duplicated' : 'Divided' }, {
    traffic: { host: `${name}.example` },
    sinks: a.sinks.map((s, i) => ({ kind: s.kind, endpoint: `https://${s.kind}-${i}.${s.residency}.example`, residency: s.residency })),
  });
}

const inside = (w: Workload, j: string | undefined) => !w.spec.placement.residency || (j !== undefined && w.spec.placement.residency.includes(j));

function assertReplicasInside(ws: Map<string, Workload>, clusters: Map<string, Cluster>, ps: readonly WorkloadPlacement[], stage: string): void {
  for (const p of ps) {
    const w = ws.get(`${p.namespace}/${p.name}`)!;
    for (const e of p.clusters) if (e.replicas > 0) expect(inside(w, truthOf(clusters.get(e.cluster)!)), `${stage}: ${p.name} on ${e.cluster}`).toBe(true);
  }
}

const toPlacement = (p: WorkloadPlacement): Placement => placement(p.name, Object.fromEntries(p.clusters.map((e) => [e.cluster, e.replicas])));

describe('residency is a hard boundary (property)', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    // Only the sink policy: the fixtures are not meant to pass the labelling and registry rules.
    const pack = await loadBaselinePolicies();
    engine = createPolicyEngine();
    engine.setPolicies(pack.filter((p: Policy) => p.metadata.name === 'sinks-in-residency'));
  });

  it('no replica, route or sink outside a workload residency across scheduling, failover and routing', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const fleet = buildFleet(s.fleet);
        const byName = new Map(fleet.map((c) => [c.metadata.name, c]));

        // Sinks: admission admits a workload only when every sink is inside its residency.
        const admitted: Workload[] = [];
        for (const [i, a] of [...s.workloads, s.late].entries()) {
          const w = buildWorkload(`w${i}`, a);
          const d = engine.admit({ object: w, user: 'test', verb: 'create' });
          const sinksInside = (w.spec.sinks ?? []).every((x) => inside(w, x.residency));
          expect(d.allowed).toBe(sinksInside);
          if (!d.allowed) expect(d.denials[0]!.policy).toBe('sinks-in-residency');
          if (d.allowed) admitted.push(w);
        }
        const late = admitted.find((w) => w.metadata.name === `w${s.workloads.length}`);
        const initial = admitted.filter((w) => w !== late);
        const byKey = new Map(admitted.map((w) => [`default/${w.metadata.name}`, w]));

        // Scheduling: the global planner, then one late workload placed incrementally.
        const r = await schedule({ clusters: fleet, workloads: initial, heuristicOnly: true });
        assertReplicasInside(byKey, byName, r.placements, 'schedule');
        const current = new Map(r.placements.map((p) => [p.name, p]));
        const state = createFleetState(fleet, admitted, r.placements.map(toPlacement));
        if (late) {
          const one = placeOne(state, late);
          if (one.placement) {
            assertReplicasInside(byKey, byName, [one.placement], 'placeOne');
            current.set(late.metadata.name, one.placement);
          }
        }

        // Failover: clusters fail step by step; survivors of each step take the replicas.
        const failed = new Set<string>();
        for (const step of s.failures) {
          const names = step.map((i) => `c${i % fleet.length}`).filter((n) => !failed.has(n));
          names.forEach((n) => failed.add(n));
          const f = replaceFailed(state, names);
          assertReplicasInside(byKey, byName, f.placements, `replaceFailed(${names.join(',')})`);
          for (const p of f.placements) {
            for (const e of p.clusters) if (e.replicas > 0) expect(failed.has(e.cluster), `${p.name} kept on failed ${e.cluster}`).toBe(false);
            current.set(p.name, p);
          }
        }

        // Routing: every live cluster reports endpoints for what is placed on it; rogue agents
        // report endpoints for every workload. The gateway must still route only inside.
        const rogue = new Set(s.rogueReporters.map((i) => `c${i % fleet.length}`));
        const placements = [...current.values()].map(toPlacement);
        const live: Cluster[] = fleet.map((c) => {
          const name = c.metadata.name;
          const reports: Record<string, unknown> = {};
          for (const w of admitted) {
            const placed = current.get(w.metadata.name)?.clusters.some((e) => e.cluster === name && e.replicas > 0);
            if (placed || rogue.has(name)) reports[`default/${w.metadata.name}`] = { replicaStatus: [{ name: 'r0', endpoint: `127.0.0.1:${1000 + Number(name.slice(1))}`, ready: true, phase: 'Running' }] };
          }
          return { ...c, status: { phase: failed.has(name) ? 'NotReady' : 'Ready', workloads: reports } } as Cluster;
        });
        const table = buildRoutes(admitted, placements, live);
        for (const route of table.routes) {
          const w = byKey.get(route.key)!;
          for (const ep of route.endpoints) expect(inside(w, truthOf(byName.get(ep.cluster)!)), `route ${route.key} → ${ep.cluster}`).toBe(true);
        }

        // And the compliance report, computed the same way, sees no crossing of any kind.
        const map = buildResidencyMap(admitted, placements, live);
        expect(map.crossings.filter((c) => c.type !== 'route')).toEqual([]);
        for (const row of map.workloads) for (const t of [...row.replicas, ...row.routes, ...row.sinks]) expect(t.inside, `${row.workload} ${t.type} ${t.target}`).toBe(true);
        // Rogue endpoints outside residency are refused by the gateway and reported as such.
        for (const c of map.crossings) expect(c.message).toContain('refused by the gateway');
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
