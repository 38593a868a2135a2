import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from './control-plane.js';

let dir: string | undefined;
let cp: ControlPlane | undefined;
afterEach(async () => {
  await cp?.close();
  cp = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(o: Parameters<typeof startControlPlane>[0] = {}): Promise<ControlPlane> {
  dir = await mkdtemp(join(tmpdir(), 'cp-traffic-'));
  cp = await startControlPlane({ dataDir: join(dir, 'state'), listen: '127.0.0.1:0', controllers: false, log: () => {}, ...o });
  return cp;
}
const get = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('the control plane gateway and its views', () => {
  it('runs a gateway and serves its routes and recent requests through the API', async () => {
    const c = await start();
    expect(c.gateway).toBeDefined();
    const routes = await get(`${c.url}/api/v1alpha1/traffic/routes`);
    expect(routes.status).toBe(200);
    expect(routes.body).toMatchObject({ url: c.gateway!.url, routes: [], endpoints: [] });
    // A request with no route is a clean 404 from the gateway.
    const res = await fetch(`${c.gateway!.url}/anything`);
    expect(res.status).toBe(404);
    await res.text();
    const recent = await get(`${c.url}/api/v1alpha1/traffic/recent?since=0`);
    expect(recent.status).toBe(200);
    expect(Array.isArray(recent.body.entries)).toBe(true);
  });

  it('refuses malformed traffic/recent parameters with a 400 naming them, and accepts valid ones', async () => {
    const c = await start();
    for (const [param, query] of [['limit', 'limit=abc'], ['limit', 'limit=-1'], ['limit', 'limit=0'], ['limit', 'limit=1.5'], ['since', 'since=yesterday'], ['since', 'since=-5']]) {
      const r = await get(`${c.url}/api/v1alpha1/traffic/recent?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body).toMatchObject({ kind: 'Status', code: 400, details: { causes: [{ field: param }] } });
    }
    const one = await get(`${c.url}/api/v1alpha1/traffic/recent?since=0&limit=1`);
    expect(one.status).toBe(200);
    expect((one.body.entries as unknown[]).length).toBeLessThanOrEqual(1);
  });

  it('without a gateway the traffic views do not exist', async () => {
    const c = await start({ gateway: false });
    expect(c.gateway).toBeUndefined();
    expect((await fetch(`${c.url}/api/v1alpha1/traffic/routes`)).status).toBe(404);
  });

  it('refuses chaos outside demo mode, and says so in the chaos state', async () => {
    const c = await start({ gateway: false });
    expect((await get(`${c.url}/api/v1alpha1/chaos`)).body).toEqual({ demo: false, allowed: false, faults: [] });
    const r = await fetch(`${c.url}/api/v1alpha1/chaos/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"provider","name":"aws"}' });
    expect(r.status).toBe(403);
    await r.text();
  });

  it('in demo mode anyone may inject, but bad targets are refused with 400', async () => {
    const c = await start({ gateway: false, demo: true });
    expect((await get(`${c.url}/api/v1alpha1/chaos`)).body).toMatchObject({ demo: true, allowed: true });
    const r = await fetch(`${c.url}/api/v1alpha1/chaos/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"kind":"planet","name":"earth"}' });
    expect(r.status).toBe(400);
    await r.text();
  });
});
