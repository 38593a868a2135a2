// A demo fleet for the dashboard tests: the whole control plane in-process on port 0 with real
// agents and replica processes, the examples applied, a gateway in front of the replicas with
// a steady load, and the traffic and chaos endpoints the dashboard reads. The traffic and chaos
// views here are stand-ins with the shape the dashboard expects (ui/src/traffic-data.ts,
// ui/src/views/failover.tsx) until the control plane serves its own.
import { request, Agent } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from '../../src/api/index.js';
import { loadManifests } from '../../src/cli/manifests.js';
import { startControlPlane, type ControlPlane } from '../../src/controlplane/index.js';
import { startGateway, storeSource, type RunningGateway } from '../../src/gateway/index.js';
import type { View } from '../../src/server/index.js';
import { ROOT } from './harness.js';

export interface DemoFleet {
  url: string;
  cp: ControlPlane;
  gateway: RunningGateway;
  /** Requests sent by the load loop and how many failed (non-2xx or connection error). */
  load: { sent: number; failed: number };
  close(): Promise<void>;
}

type Fault = { kind: 'cluster' | 'region' | 'provider'; name: string; since: string; clusters: string[] };

function chaosViews(cp: () => ControlPlane, faults: Fault[]): View[] {
  const matching = (kind: Fault['kind'], name: string) =>
    (cp().manager.informer('Cluster').list() as Cluster[])
      .filter((c) => (kind === 'cluster' ? c.metadata.name === name : kind === 'region' ? c.spec.region === name : c.spec.provider === name))
      .map((c) => c.metadata.name);
  return [
    { method: 'GET', path: '/api/v1alpha1/chaos', name: 'chaos', handler: async () => ({ body: { demo: true, faults } }) },
    {
      method: 'POST',
      path: '/api/v1alpha1/chaos/fail',
      name: 'chaos',
      handler: async (ctx) => {
        const { kind, name } = (await ctx.readJson()).value as { kind: Fault['kind']; name: string };
        const clusters = matching(kind, name);
        faults.push({ kind, name, since: new Date().toISOString(), clusters });
        for (const c of clusters) cp().agents!.hold(c);
        await Promise.all(clusters.map((c) => cp().agents!.kill(c)));
        return { body: { failed: clusters } };
      },
    },
    {
      method: 'POST',
      path: '/api/v1alpha1/chaos/restore',
      name: 'chaos',
      handler: async (ctx) => {
        const { kind, name } = (await ctx.readJson()).value as { kind: Fault['kind']; name: string };
        const i = faults.findIndex((f) => f.kind === kind && f.name === name);
        const [f] = i >= 0 ? faults.splice(i, 1) : [];
        for (const c of f?.clusters ?? []) cp().agents!.allow(c);
        return { body: { restored: f?.clusters ?? [] } };
      },
    },
  ];
}

function trafficViews(gw: () => RunningGateway): View[] {
  return [
    {
      method: 'GET',
      path: '/api/v1alpha1/traffic/routes',
      name: 'traffic',
      handler: async () => {
        const t = gw().table();
        return { body: { builtAt: t.builtAt, routes: t.routes.map((r) => ({ ...r, endpoints: undefined })), endpoints: gw().endpoints(), metrics: gw().metrics.snapshot() } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1alpha1/traffic/recent',
      name: 'traffic',
      handler: async (ctx) => {
        const since = Number(ctx.url.searchParams.get('since') ?? NaN);
        return { body: { total: gw().accessLog.total, entries: gw().accessLog.recent(Number.isFinite(since) ? { since } : {}) } };
      },
    },
  ];
}

/** Starts the fleet and waits until every workload has all its replicas ready. */
export async function startDemoFleet(opts: { rps?: number; host?: string } = {}): Promise<DemoFleet> {
  const dir = await mkdtemp(join(tmpdir(), 'truststram-ui-e2e-'));
  // The views need the control plane and the gateway, which start after the views are handed over.
  const ref: { gateway?: RunningGateway } = {};
  const faults: Fault[] = [];
  const cp: ControlPlane = await startControlPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    agents: { cwd: ROOT, stdio: 'ignore', heartbeatMs: 500 },
    views: [...chaosViews(() => cp, faults), ...trafficViews(() => ref.gateway!)],
    log: () => undefined,
  });
  const objects = await loadManifests([join(ROOT, 'policies', 'baseline'), join(ROOT, 'examples', 'fleet.yaml'), join(ROOT, 'examples', 'workloads.yaml'), join(ROOT, 'examples', 'budgets.yaml')]);
  const applied = await fetch(`${cp.url}/api/v1alpha1/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: objects.map((o) => o.object) }) });
  if (!applied.ok) throw new Error(`apply failed: ${applied.status} ${await applied.text()}`);
  const gateway = (ref.gateway = await startGateway({ source: storeSource(cp.store), listen: '127.0.0.1:0', region: 'eu-west-1', log: () => undefined }));

  const deadline = Date.now() + 90_000;
  for (;;) {
    const list = (await (await fetch(`${cp.url}/apis/truststram.io/v1alpha1/workloads`)).json()) as { items: { spec: { replicas: number }; status?: { readyReplicas?: number; desiredReplicas?: number } }[] };
    if (list.items.length && list.items.every((w) => (w.status?.readyReplicas ?? 0) >= (w.status?.desiredReplicas ?? w.spec.replicas))) break;
    if (Date.now() > deadline) throw new Error('the demo fleet did not converge within 90 s');
    await new Promise((r) => setTimeout(r, 250));
  }

  // Steady GET load through the gateway, so the traffic view has something to show.
  const load = { sent: 0, failed: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const gwUrl = new URL(gateway.url);
  const timer = setInterval(() => {
    load.sent++;
    const req = request({ host: gwUrl.hostname, port: gwUrl.port, path: '/', agent, headers: { host: opts.host ?? 'payments.eu.example' } }, (res) => {
      if ((res.statusCode ?? 500) >= 300) load.failed++;
      res.resume();
    });
    req.on('error', () => load.failed++);
    req.end();
  }, 1000 / (opts.rps ?? 40));

  return {
    url: cp.url,
    cp,
    gateway,
    load,
    async close() {
      clearInterval(timer);
      agent.destroy();
      await gateway.close();
      await cp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
