// The runtime enforcement controller against a real SQLite store and the real controller
// manager: a policy added after its violators were stored reports them on its status and as
// PolicyViolation Events; fixing the violator clears the status.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Policy, TrustStramEvent } from '../api/index.js';
import { createEventRecorder, createManager, type Manager } from '../controllers/index.js';
import { createPolicyEngine, type PolicyEngine } from '../policy/index.js';
import { cluster, policy, workload } from '../policy/test-helpers.js';
import { openStore, type Store } from '../store/index.js';
import { complianceController, POLICY_VIOLATION, type PolicyStatus } from './controller.js';

async function until<T>(f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('compliance controller', () => {
  let dir: string;
  let store: Store;
  let manager: Manager;
  let engine: PolicyEngine;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ts-compliance-'));
    store = await openStore(dir);
    engine = createPolicyEngine();
    manager = createManager(store, { onError: (c, k, e) => process.stderr.write(`${c} ${k}: ${String(e)}\n`) });
    // As the control plane does: the engine follows the stored policies.
    manager.informer('Policy').onChange((t, p) => (t === 'DELETED' ? engine.remove(p.metadata.name) : engine.upsert(p as Policy)));
    manager.add(complianceController({ store, manager, engine, events: createEventRecorder(store), intervalMs: 60_000 }));
  });
  afterEach(async () => {
    await manager.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const statusOf = async (name: string) => ((await store.get({ kind: 'Policy', name }))?.status as PolicyStatus | undefined);

  it('reports existing violators of a policy added later, on its status and as Events, and clears them when fixed', async () => {
    const small = workload('small', { replicas: 1 }, { team: 'a' }, 'shop');
    const big = workload('big', { replicas: 5 }, { team: 'a' }, 'shop');
    await store.apply([{ verb: 'upsert', object: small }, { verb: 'upsert', object: big }], { actor: 'user:test' });
    await manager.start();

    const p = policy([{ name: 'at-least-three', expression: 'object.spec.replicas >= 3', message: 'needs 3 replicas' }], { enforcement: 'audit' }, 'min-replicas');
    await store.apply([{ verb: 'upsert', object: p }], { actor: 'user:test' });

    const s = await until(async () => ((await statusOf('min-replicas'))?.violations === 1 ? statusOf('min-replicas') : undefined));
    expect(s).toMatchObject({ matched: 2, pass: 1, violations: 1, truncated: false, stage: 'admission' });
    expect(s!.violators).toEqual([{ object: 'Workload/shop/small', rule: 'at-least-three', message: 'needs 3 replicas', field: 'spec.replicas' }]);

    const events = (await store.list('Event', { labelSelector: `truststram.io/reason=${POLICY_VIOLATION}` })).items as TrustStramEvent[];
    expect(events.map((e) => [e.metadata.namespace, e.spec.involvedObject.name, e.spec.type])).toEqual([['shop', 'small', 'Warning']]);
    expect(events[0]!.spec.message).toContain('violates policy min-replicas (audit), rule at-least-three: needs 3 replicas');

    await store.apply([{ verb: 'upsert', object: { ...small, spec: { ...small.spec, replicas: 3 } } }], { actor: 'user:test' });
    const fixed = await until(async () => ((await statusOf('min-replicas'))?.violations === 0 ? statusOf('min-replicas') : undefined));
    expect(fixed).toMatchObject({ matched: 2, pass: 2, violators: [] });
    // Still one Event: the fix is not a violation.
    expect((await store.list('Event', { labelSelector: `truststram.io/reason=${POLICY_VIOLATION}` })).items).toHaveLength(1);
  });

  it('judges placement-stage policies per placed workload and cluster', async () => {
    const w = workload('api', { replicas: 2 }, { tier: 'tier-0' }, 'shop');
    const spot = cluster('spot-1', undefined, true);
    const placed = { apiVersion: 'truststram.io/v1alpha1', kind: 'Placement', metadata: { name: 'api', namespace: 'shop' }, spec: { workload: 'api', generation: 1, clusters: [{ cluster: 'spot-1', replicas: 2 }], costPerHour: 0 } } as const;
    await store.apply([{ verb: 'upsert', object: w }, { verb: 'upsert', object: spot }, { verb: 'upsert', object: placed as never }], { actor: 'user:test' });
    await manager.start();
    const p = policy([{ name: 'no-spot', expression: "!cluster.spec.nodePools.exists(p, p.spot)", message: 'tier-0 never on spot' }], { stage: 'placement' }, 'no-spot');
    await store.apply([{ verb: 'upsert', object: p }], { actor: 'user:test' });
    const s = await until(async () => ((await statusOf('no-spot'))?.violations === 1 ? statusOf('no-spot') : undefined));
    expect(s).toMatchObject({ stage: 'placement', matched: 1, violators: [{ object: 'Workload/shop/api', cluster: 'spot-1', rule: 'no-spot', message: 'tier-0 never on spot' }] });
  });
});
