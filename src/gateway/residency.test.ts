// Residency as a property of the running gateway: over generated fleets whose endpoints fail in
// generated ways (5xx, resets, refused connections), no request is ever answered from outside
// the workload's jurisdictions — failures become clean errors instead of crossing the boundary.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startGateway, type RunningGateway } from './gateway.js';
import { manualSource } from './sources.js';
import { fleetArb } from './testing/arbitraries.js';
import { startBackend, type Backend, type Mode } from './testing/backends.js';
import { cluster, placement, workload } from './testing/fixtures.js';

/** The region catalog's answer for the regions the generator uses (independent of the builder). */
const REGION_JURISDICTION: Record<string, string | undefined> = { 'eu-west-1': 'eu', 'us-east-1': 'us', 'eu-west-2': 'uk', 'ap-southeast-1': 'apac', 'nowhere-1': undefined };
const MODES: Mode[] = [{ kind: 'ok' }, { kind: 'status', status: 503 }, { kind: 'status', status: 500 }, { kind: 'reset' }];

describe('residency under failures (real HTTP)', () => {
  const backends: Backend[] = [];
  let dead = '';
  const src = manualSource();
  let gw: RunningGateway;
  beforeAll(async () => {
    for (let i = 0; i < 6; i++) backends.push(await startBackend(`b${i}`));
    const d = await startBackend('dead');
    await d.close();
    dead = d.address;
    gw = await startGateway({ listen: '127.0.0.1:0', source: src, healthCheck: { enabled: false }, log: () => {} });
  });
  afterAll(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.close()));
  });

  it('answers only from endpoints inside the residency, or with a clean 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fleetArb, fc.array(fc.nat(MODES.length), { minLength: 6, maxLength: 6 }), async (f, modes) => {
        modes.forEach((m, i) => (backends[i]!.mode = MODES[m] ?? MODES[0]!));
        let n = 0;
        // Endpoint n goes to backend n % 7; the seventh "backend" refuses connections.
        const addr = () => (n++ % 7 === 6 ? dead : backends[(n - 1) % 7]!.address);
        const clusterJurisdiction = new Map(f.clusters.map((c) => [c.name, c.residency ?? REGION_JURISDICTION[c.region]]));
        src.set({
          workloads: [workload({ name: 'w', host: 'w', residency: f.residency })],
          placements: [placement('w', Object.fromEntries(f.clusters.map((c) => [c.name, c.placed])))],
          clusters: f.clusters.map((c) =>
            cluster({ name: c.name, region: c.region, phase: c.phase, ...(c.residency ? { residency: c.residency } : {}), workloads: { 'default/w': c.endpoints.map((ready) => ({ endpoint: addr(), ready })) } }),
          ),
        });
        for (let i = 0; i < 12; i++) {
          const r = await request(`${gw.url}/`, { headers: { host: 'w' } });
          await r.body.dump();
          const servedBy = r.headers['x-truststram-cluster'] as string | undefined;
          if (servedBy !== undefined) expect(f.residency).toContain(clusterJurisdiction.get(servedBy));
          else expect([502, 503, 504]).toContain(r.statusCode);
          if (r.statusCode >= 500 && servedBy === undefined) expect(r.headers['x-truststram-reason']).toBeTruthy();
        }
      }),
      { numRuns: 40 },
    );
    expect(gw.accessLog.residencyViolations()).toBe(0);
    expect(gw.metrics.snapshot().residencyViolations).toBe(0);
    expect(gw.accessLog.total).toBe(40 * 12);
  });
});
