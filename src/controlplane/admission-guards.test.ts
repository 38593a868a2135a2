// Admission guards through the whole control plane over HTTP (SQLite store). Residency on the
// Placement path:
// a hand-written Placement outside the workload's residency is refused, and when a cluster's
// jurisdiction changes under running replicas the placement controller moves them inside it.
// Clusters use the kubernetes driver type so that no agent is needed (the health controller
// leaves their phase alone); the placement controller is what is under test. Routes: a workload
// cannot take over another one's host and path prefix.
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
    // A residency no cluster of the fleet is in: admitted, with a warning saying why it will not run.
    const swiss = await call(cp, 'POST', `${API}/namespaces/shop/workloads`, { ...workload, metadata: { name: 'bank', namespace: 'shop' }, spec: { ...workload.spec, placement: { residency: 'ch' } } });
    expect(swiss.status).toBe(201);
    expect(swiss.warning).toContain('no cluster of the fleet is in jurisdiction ch (the fleet has eu, us): it stays unschedulable until one is declared there');
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

describe('routes at admission', () => {
  it("refuses a workload claiming another workload's host and path prefix, in one apply or later", async () => {
    const cp = await startControlPlane({ storeSpec: 'sqlite::memory:', listen: '127.0.0.1:0', gateway: false, manageAgents: false, log: () => undefined });
    planes.push(cp);
    const wl = (ns: string, name: string, traffic: Record<string, string>) => ({ apiVersion: 'truststram.io/v1alpha1', kind: 'Workload', metadata: { name, namespace: ns }, spec: { image: `registry.eu.example/${name}@sha256:${'a'.repeat(64)}`, replicas: 1, traffic } });
    expect((await call(cp, 'POST', `${API}/namespaces/shop/workloads`, wl('shop', 'web', { host: 'shop.example' }))).status).toBe(201);
    // A new workload whose key sorts first would have taken the host over in the route table.
    const steal = await call(cp, 'POST', `${API}/namespaces/a/workloads`, wl('a', 'x', { host: 'Shop.Example', pathPrefix: '/' }));
    expect(steal.status).toBe(403);
    expect(steal.body.details?.causes?.[0]).toMatchObject({ field: 'spec.traffic.host' });
    expect(steal.body.details?.causes?.[0]!.message).toContain('is already routed to workload shop/web');
    // Another prefix on the same host is fine; so is an edit of the owner that keeps its route.
    expect((await call(cp, 'POST', `${API}/namespaces/a/workloads`, wl('a', 'api', { host: 'shop.example', pathPrefix: '/api' }))).status).toBe(201);
    expect((await call(cp, 'PATCH', `${API}/namespaces/shop/workloads/web`, { spec: { replicas: 2 } }, 'application/merge-patch+json')).status).toBe(200);
    // Two workloads of one apply claiming the same route: the apply is refused whole.
    const both = await call(cp, 'POST', '/api/v1alpha1/apply', { items: [wl('b', 'one', { host: 'new.example' }), wl('b', 'two', { host: 'new.example' })] });
    expect(both.status).toBe(403);
    expect(JSON.stringify(both.body)).toContain('is already routed to workload b/one');
    expect((await call(cp, 'GET', `${API}/namespaces/b/workloads/one`)).status).toBe(404);
  });
});

describe('policy errors at admission', () => {
  it('names the policy once in the message of a rule that does not compile', async () => {
    const cp = await startControlPlane({ storeSpec: 'sqlite::memory:', listen: '127.0.0.1:0', gateway: false, manageAgents: false, log: () => undefined });
    planes.push(cp);
    const bad = { apiVersion: 'truststram.io/v1alpha1', kind: 'Policy', metadata: { name: 'p' }, spec: { match: { kinds: ['Workload'] }, stage: 'admission', enforcement: 'deny', rules: [{ expression: 'object.spec.replicas >', message: 'm' }] } };
    const r = await call(cp, 'POST', `${API}/policies`, bad);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    const message = String(r.body.message);
    expect(message).toContain('Policy/p');
    expect(message.split('Policy/p').length - 1, message).toBe(1);
  });
});
