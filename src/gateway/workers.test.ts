// The multi-process gateway (`workers: 2`): real worker processes share the listener, and the
// primary's access log, metrics and endpoint views add up what every worker served.
import cluster from 'node:cluster';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { ValidationError } from '../api/index.js';
import { startGateway } from './gateway.js';
import { manualSource, staticSource } from './sources.js';
import { startBackend } from './testing/backends.js';
import { cluster as clusterObj, workload } from './testing/fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('workers', () => {
  it('proxies through two worker processes and aggregates their access log, metrics and endpoints', async () => {
    const b = await startBackend('b');
    cleanups.push(() => b.close());
    const inputs = { workloads: [workload({ name: 'w', host: 'w', residency: ['eu'] })], placements: [], clusters: [clusterObj({ name: 'c', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: b.address }] } })] };
    const gw = await startGateway({ listen: '127.0.0.1:0', source: staticSource(inputs), workers: 2, adminListen: '127.0.0.1:0', log: () => {} });
    let closed = false;
    cleanups.push(async () => void (closed || (await gw.close())));
    const pids = Object.values(cluster.workers ?? {}).map((w) => w!.process.pid!);
    expect(pids).toHaveLength(2);
    expect(gw.table().routes.map((r) => r.key)).toEqual(['default/w']);

    // A new connection per request: the primary hands each connection to either worker.
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const agent = new Agent();
      const r = await request(gw.url, { headers: { host: 'w' }, dispatcher: agent });
      await r.body.text();
      statuses.push(r.statusCode);
      expect(r.headers['x-truststram-cluster']).toBe('c');
      await agent.close();
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    // flush(): each worker sends the records it holds at once, instead of within 20 ms.
    await gw.flush();
    expect(gw.accessLog.total).toBe(20);
    await until(() => gw.endpoints().length === 1);
    expect(gw.accessLog.recent().at(-1)).toMatchObject({ route: 'default/w', cluster: 'c', jurisdiction: 'eu', status: 200 });
    expect(gw.metrics.snapshot()).toMatchObject({ requests: 20, residencyViolations: 0, routes: [{ route: 'default/w', total: 20, failed: 0 }] });
    expect(gw.endpoints()).toMatchObject([{ route: 'default/w', cluster: 'c', ready: true, healthy: true, ejected: false }]);
    const text = await (await request(`${gw.adminUrl}/metrics`)).body.text();
    expect(text).toMatch(/truststram_gateway_requests_total\{route="default\/w",cluster="c",code="2xx"\} 20/);

    await gw.close();
    closed = true;
    await until(() => pids.every((p) => !alive(p)), 5000);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('refuses workers > 1 with a source a worker process cannot open', async () => {
    await expect(startGateway({ listen: '127.0.0.1:0', source: manualSource(), workers: 2, log: () => {} })).rejects.toBeInstanceOf(ValidationError);
    await expect(startGateway({ listen: '127.0.0.1:0', source: staticSource({ workloads: [], placements: [], clusters: [] }), workers: 0, log: () => {} })).rejects.toBeInstanceOf(ValidationError);
  });
});
