// Residency on the Placement path, through the whole control plane over HTTP (SQLite store):
// a hand-written Placement outside the workload's residency is refused, and when a cluster's
// jurisdiction changes under running replicas the placement controller moves them inside it.
// Clusters use the kubernetes driver type so that no agent is needed (the health controller
// leaves their phase alone); the placement controller is what is under test.
import { afterEach, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './control-plane.js';

const API = '/apis/truststram.io/v1alpha1';
let planes: ControlPlane[] = [];
afterEach(async () => {
  for (const cp of planes) await cp.close();
  planes = [];
});

const cluster = (name: string, provider: string, region: string) => ({
  apiVersion: 'truststram.io/v1alpha1',
  kind: 'Cluster',
  metadata: { name },
  spec: { provider, region, capacity: { cpu: '8', memory: '32Gi', pods: 50 }, pricing: { cpuHour: 0.02, memoryGiBHour: 0.004 }, driver: { type: 'kubernetes' } },
});

async function call(cp: ControlPlane, method: string, path: string, body?: unknown, type = 'application/json') {
  const r = await fetch(`${cp.url}${path}`, { method, headers: { 'content-type': type }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: r.status, warning: r.headers.get('warning'), body: (await r.json()) as Record<string, unknown> & { spec?: { clusters?: { cluster: string; replicas: number }[] }; details?: { causes?: { field: string; message: string }[] } } };
}

async function waitFor<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  let v = await get();
  for (const end = Date.now() + ms; !ok(v) && Date.now() < end; await new Promise((r) => setTimeout(r, 50))) v = await get();
  return v;
}

describe('residency on the Placement path', () => {
  it('refuses a Placement outside the residency and moves replicas off a cluster whose jurisdiction changed', async () => {
    const cp = await startControlPlane({ storeSpec: 'sqlite::memory:', listen: '127.0.0.1:0', gateway: false, manageAgents: false, log: () => undefined });
    planes.push(cp);
    // Each cluster reports Ready (as a Kubernetes cluster's driver would) so the placement controller uses it.
    for (const c of [cluster('aws-eu', 'aws', 'eu-west-1'), cluster('gcp-eu', 'gcp', 'europe-west1'), cluster('aws-us', 'aws', 'us-east-1')]) {
      expect((await call(cp, 'POST', `${API}/clusters`, c)).status).toBe(201);
      const st = await call(cp, 'PATCH', `${API}/clusters/${c.metadata.name}/status`, { status: { phase: 'Ready' } }, 'application/merge-patch+json');
      expect(st.status, JSON.stringify(st.body)).toBe(200);
    }
    const workload = { apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', metadata: { name: 'pay', namespace: 'shop' }, spec: { image: `registry.eu.example/pay@sha256:${'a'.repeat(64)}`, replicas: 2, resources: { cpu: '1', memory: '1Gi' }, placement: { residency: 'eu' } } };
    expect((await call(cp, 'POST', `${API}/namespaces/shop/workloads`, workload)).status).toBe(201);
    const placementPath = `${API}/namespaces/shop/placements/pay`;
    const placed = await waitFor(() => call(cp, 'GET', placementPath), (r) => r.status === 200 && (r.body.spec?.clusters ?? []).some((c) => c.replicas > 0));
    const euCluster = placed.body.spec!.clusters!.find((c) => c.replicas > 0)!.cluster;
    expect(['aws-eu', 'gcp-eu']).toContain(euCluster);

    // A hand-written Placement on the US cluster: refused, naming the field, and nothing changes.
    const patch = await call(cp, 'PATCH', placementPath, { spec: { clusters: [{ cluster: 'aws-us', replicas: 2 }] } }, 'application/merge-patch+json');
    expect(patch.status).toBe(403);
    expect(patch.body.details?.causes?.[0]).toMatchObject({ field: 'spec.clusters[0].cluster' });
    expect(patch.body.details?.causes?.[0]!.message).toContain('cluster aws-us is in jurisdiction us, outside the residency eu of workload shop/pay');
    expect((await call(cp, 'GET', placementPath)).body.spec).toEqual(placed.body.spec);

    // The cluster holding the replicas is re-declared in the US: admitted with a warning, then emptied.
    const moved = await call(cp, 'PATCH', `${API}/clusters/${euCluster}`, { spec: { region: euCluster === 'aws-eu' ? 'us-west-2' : 'us-central1', residency: 'us' } }, 'application/merge-patch+json');
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.warning).toContain(`jurisdiction changes from eu to us: the replicas of shop/pay (2) run there outside their residency and will be moved off it`);
    const after = await waitFor(() => call(cp, 'GET', placementPath), (r) => !(r.body.spec?.clusters ?? []).some((c) => c.cluster === euCluster && c.replicas > 0));
    const other = euCluster === 'aws-eu' ? 'gcp-eu' : 'aws-eu';
    expect(after.body.spec!.clusters!.filter((c) => c.replicas > 0)).toEqual([expect.objectContaining({ cluster: other, replicas: 2 })]);
    const events = await call(cp, 'GET', `${API}/namespaces/shop/events`);
    const items = (events.body as { items: { spec: { reason: string; message: string } }[] }).items.map((e) => e.spec);
    expect(items.some((e) => e.reason === "MovedIntoResidency" && e.message.includes(`replicas on ${euCluster} (jurisdiction us) were outside residency eu`)), JSON.stringify(items.map((e) => [e.reason, e.message]))).toBe(true);
  });
});
