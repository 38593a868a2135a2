// The explain view against the whole-fleet re-schedule it replaced (testing/explain-reference):
// always the same filters, reasons, scores, prices and bound gap; the same split, cost and
// warnings wherever the re-schedule kept the workload's Placement; where it did not, the split
// actually placed (or, without a Placement, where the placement controller would put it now).
// On the example fleet, after a cluster failure with a pending and an impossible workload, and
// on generated fleets, in a real SQLite store.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSources, readSources, validateDocuments, type Cluster, type Placement, type Workload } from '../api/index.js';
import { defaultCatalog } from '../cost/index.js';
import { createPlacementHook, createPolicyEngine } from '../policy/index.js';
import { policy } from '../policy/test-helpers.js';
import { createFleetState, placeOne } from '../scheduler/index.js';
import type { RequestContext } from '../server/index.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/store.js';
import { generate } from '../../bench/lib/generate.js';
import { controllerPlacements, seedStore } from './testing/explain-fleet.js';
import { explainByReschedule } from './testing/explain-reference.js';
import { explainViews } from './views.js';

const catalog = defaultCatalog();
const FILES = ['fleet.yaml', 'workloads.yaml'].map((f) => fileURLToPath(new URL(`../../examples/${f}`, import.meta.url)));

async function examples(): Promise<{ clusters: Cluster[]; workloads: Workload[] }> {
  const objects = validateDocuments(parseSources(await readSources(FILES)));
  return { clusters: objects.filter((o): o is Cluster => o.kind === 'Cluster'), workloads: objects.filter((o): o is Workload => o.kind === 'Workload') };
}

let stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.map((s) => s.close()));
  stores = [];
});

async function storeWith(objects: { clusters: Cluster[]; workloads: Workload[]; placements: Placement[] }): Promise<Store> {
  const store = await openStore('sqlite::memory:');
  stores.push(store);
  await seedStore(store, objects);
  return store;
}

async function served(store: Store, namespace: string, name: string): Promise<unknown> {
  const view = explainViews(store, catalog)[0]!;
  const reply = await view.handler({ params: { namespace, name } } as unknown as RequestContext);
  return JSON.parse(JSON.stringify((reply as { body: unknown }).body));
}

type Body = { chosen: { cluster: string; replicas: number }[]; costPerHour: number; unschedulable?: { code: string; reason: string }; warnings: unknown[]; placed: { clusters: { cluster: string; replicas: number }[]; costPerHour: number } | null };
const split = (xs: { cluster: string; replicas: number }[]) => xs.filter((x) => x.replicas > 0).map((x) => `${x.cluster}×${x.replicas}`).sort().join(',');

/**
 * Per workload: the same filters, reasons, scores, prices, mode, bound gap and placed split as
 * the re-schedule, always. The split, its cost and its warnings are the re-schedule's too
 * whenever the re-schedule kept the workload's Placement; otherwise (its Placement sits on a
 * failed cluster, or the re-plan displaced it) the view shows the split actually placed, at
 * the Placement's cost. Returns how many workloads matched the re-schedule in full.
 */
async function expectSameAsReschedule(store: Store, ws: readonly Workload[]): Promise<number> {
  let full = 0;
  for (const w of ws) {
    const ns = w.metadata.namespace ?? 'default';
    const label = `${ns}/${w.metadata.name}`;
    const got = (await served(store, ns, w.metadata.name)) as Body;
    const want = JSON.parse(JSON.stringify(await explainByReschedule(store, ns, w.metadata.name, catalog))) as Body;
    const { chosen, costPerHour, unschedulable, warnings, ...rest } = got;
    const { chosen: wChosen, costPerHour: wCost, unschedulable: wUnsched, warnings: wWarnings, ...wRest } = want;
    expect(rest, label).toEqual(wRest);
    if (got.placed && split(got.placed.clusters) && !unschedulable) {
      expect(split(chosen), label).toBe(split(got.placed.clusters));
      expect(costPerHour, label).toBeCloseTo(got.placed.costPerHour, 6);
    }
    if (split(wChosen) === split(chosen)) {
      expect({ chosen, costPerHour, unschedulable, warnings }, label).toEqual({ chosen: wChosen, costPerHour: wCost, unschedulable: wUnsched, warnings: wWarnings });
      full++;
    }
  }
  return full;
}

/** A workload without a Placement is shown where the placement controller would put it now. */
async function expectWherePlacementWouldPut(store: Store, ws: readonly Workload[]): Promise<void> {
  const [cl, wl, pl] = await Promise.all([store.list('Cluster'), store.list('Workload'), store.list('Placement')]);
  for (const w of ws) {
    const fleet = createFleetState(cl.items as Cluster[], wl.items as Workload[], pl.items as Placement[], { catalog });
    const want = placeOne(fleet, w);
    const got = (await served(store, w.metadata.namespace!, w.metadata.name)) as Body;
    expect(got.placed, w.metadata.name).toBeNull();
    if (want.placement) {
      expect(split(got.chosen), w.metadata.name).toBe(split(want.placement.clusters));
      expect(got.costPerHour).toBeCloseTo(want.placement.costPerHour, 6);
    } else expect(got.unschedulable?.code, w.metadata.name).toBe(want.unschedulable!.code);
  }
}

describe('explain view', () => {
  it('explains every example workload as the whole-fleet re-schedule does', async () => {
    const { clusters, workloads } = await examples();
    const placements = controllerPlacements(clusters, workloads, catalog);
    expect(placements.filter((p) => !p.spec.unschedulable)).toHaveLength(workloads.length);
    const store = await storeWith({ clusters, workloads, placements });
    await expectSameAsReschedule(store, workloads);
    const body = (await served(store, 'payments', 'payments-api')) as { chosen: { cluster: string }[]; clusters: { feasible: boolean; code?: string }[]; placed: { clusters: { cluster: string }[] } };
    // Not vacuous: the payments API is EU-only and placed on two providers.
    expect(body.clusters.filter((c) => c.code === 'ResidencyMismatch').length).toBe(3);
    expect(body.chosen.map((c) => c.cluster).sort()).toEqual(body.placed.clusters.map((c) => c.cluster).sort());
  });

  it('agrees after a cluster failure, for a workload not yet placed, and for one that cannot be placed', async () => {
    const { clusters, workloads } = await examples();
    const placements = controllerPlacements(clusters, workloads, catalog);
    // The cluster holding the most replicas goes NotReady after placement.
    const load = new Map<string, number>();
    for (const p of placements) for (const e of p.spec.clusters) load.set(e.cluster, (load.get(e.cluster) ?? 0) + e.replicas);
    const down = [...load].sort((a, b) => b[1] - a[1])[0]![0];
    const pending = placements.pop()!;
    const impossible = { ...workloads[0]!, metadata: { ...workloads[0]!.metadata, name: 'nowhere' }, spec: { ...workloads[0]!.spec, placement: { ...workloads[0]!.spec.placement, residency: ['apac'] } } } as Workload;
    const store = await storeWith({ clusters, workloads: [...workloads, impossible], placements });
    const cl = clusters.find((c) => c.metadata.name === down)!;
    await store.apply([{ verb: 'updateStatus', object: { ...cl, status: { phase: 'NotReady' } } }], { actor: 'test:explain' });
    expect(await expectSameAsReschedule(store, [...workloads, impossible])).toBeGreaterThanOrEqual(2);
    await expectWherePlacementWouldPut(store, workloads.filter((w) => w.metadata.name === pending.metadata.name));
    const p = (await served(store, pending.metadata.namespace!, pending.metadata.name)) as { placed: unknown; chosen: unknown[] };
    expect(p.placed).toBeNull();
    expect(p.chosen.length).toBeGreaterThan(0);
    const n = (await served(store, impossible.metadata.namespace!, 'nowhere')) as { unschedulable?: { code: string } };
    expect(n.unschedulable?.code).toBe('NoFeasibleCluster');
  });

  it('sees the fleet as the placement controller does: a cluster never heard from is Unknown, and placement-stage policies deny with their reason', async () => {
    const { clusters, workloads } = await examples();
    const store = await storeWith({ clusters, workloads, placements: controllerPlacements(clusters, workloads, catalog) });
    const engine = createPolicyEngine();
    engine.setPolicies([policy([{ name: 'not-on-gcp', expression: "object.metadata.namespace != 'payments' || cluster.spec.provider != 'gcp'", message: 'payments stays off GCP' }], { stage: 'placement' }, 'payments-providers')]);
    const view = explainViews(store, catalog, (objects) => createPlacementHook(engine, objects))[0]!;
    const ask = async () => JSON.parse(JSON.stringify(((await view.handler({ params: { namespace: 'payments', name: 'payments-api' } } as unknown as RequestContext)) as { body: unknown }).body)) as { clusters: { cluster: string; code?: string; reason?: string }[] };
    const gcp = (await ask()).clusters.find((c) => c.cluster.startsWith('gcp-') && c.code !== 'ResidencyMismatch')!;
    expect(gcp).toMatchObject({ code: 'PolicyDenied', reason: 'payments-providers/not-on-gcp: payments stays off GCP' });
    // Without the hook (the old view) the same cluster was feasible.
    expect(((await served(store, 'payments', 'payments-api')) as { clusters: { cluster: string; code?: string }[] }).clusters.find((c) => c.cluster === gcp.cluster)!.code).toBeUndefined();
    // A new cluster whose agent has not reported yet: Unknown, not a placement target.
    const fresh = { ...clusters.find((c) => c.metadata.name === gcp.cluster)!, metadata: { name: 'aws-eu-new' }, spec: { ...clusters.find((c) => c.metadata.name.startsWith('aws-eu'))!.spec } } as Cluster;
    await store.apply([{ verb: 'create', object: fresh }], { actor: 'test:explain' });
    expect((await ask()).clusters.find((c) => c.cluster === 'aws-eu-new')).toMatchObject({ code: 'ClusterNotReady', reason: 'cluster is Unknown' });
  });

  for (const seed of [1, 2, 3]) {
    it(`agrees on a generated fleet (seed ${seed}: 300 workloads × 15 clusters, a few not placed)`, async () => {
      const { clusters, workloads } = generate(catalog, { workloads: 300, clusters: 15, seed, utilisation: 0.85 });
      const placements = controllerPlacements(clusters, workloads, catalog);
      const dropped = new Set(workloads.filter((_, i) => i % 97 === 5).map((w) => w.metadata.name));
      const store = await storeWith({ clusters, workloads, placements: placements.filter((p) => !dropped.has(p.metadata.name)) });
      const asked = workloads.filter((w, i) => i % 23 === 0 || dropped.has(w.metadata.name));
      const full = await expectSameAsReschedule(store, asked);
      // Not vacuous: most placed workloads match the re-schedule in full (split, cost, warnings).
      expect(full).toBeGreaterThanOrEqual(Math.ceil((asked.length - dropped.size) * 0.75));
      await expectWherePlacementWouldPut(store, workloads.filter((w) => dropped.has(w.metadata.name)));
    });
  }
});
