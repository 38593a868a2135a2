// A demo fleet for the dashboard tests: the whole control plane in-process on port 0 in demo
// mode (chaos allowed) with real agents and replica processes, the examples applied, and a
// steady GET load through its in-process gateway, so the traffic views have something to show.
import { request, Agent } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../src/cli/manifests.js';
import { startControlPlane, type ControlPlane } from '../../src/controlplane/index.js';
import type { RunningGateway } from '../../src/gateway/index.js';
import { ROOT } from './harness.js';

export interface DemoFleet {
  url: string;
  cp: ControlPlane;
  gateway: RunningGateway;
  /** Requests sent by the load loop and how many failed (non-2xx or connection error). */
  load: { sent: number; failed: number };
  close(): Promise<void>;
}

/** Starts the fleet and waits until every workload has all its replicas ready. */
export async function startDemoFleet(opts: { rps?: number; host?: string } = {}): Promise<DemoFleet> {
  const dir = await mkdtemp(join(tmpdir(), 'truststram-ui-e2e-'));
  const cp: ControlPlane = await startControlPlane({
    dataDir: join(dir, 'data'),
    listen: '127.0.0.1:0',
    demo: true,
    agents: { cwd: ROOT, stdio: 'ignore', heartbeatMs: 500 },
    // Locality from eu-west-1: the EU payments API is served from the closest EU cluster first.
    gateway: { listen: '127.0.0.1:0', options: { region: 'eu-west-1', log: () => undefined } },
    log: () => undefined,
  });
  if (!cp.gateway) throw new Error('the control plane started no gateway');
  const gateway = cp.gateway;
  const objects = await loadManifests([join(ROOT, 'policies', 'baseline'), join(ROOT, 'examples', 'fleet.yaml'), join(ROOT, 'examples', 'workloads.yaml'), join(ROOT, 'examples', 'budgets.yaml')]);
  const applied = await fetch(`${cp.url}/api/v1alpha1/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: objects.map((o) => o.object) }) });
  if (!applied.ok) throw new Error(`apply failed: ${applied.status} ${await applied.text()}`);

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
      await cp.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
