// The pure builder: host/prefix matching, weights from placements, readiness, and the
// residency filter stated as a property over generated fleets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRoutes, matchRoute } from './route-table.js';
import { fleetArb } from './testing/arbitraries.js';
import { cluster, placement, workload } from './testing/fixtures.js';

describe('buildRoutes', () => {
  const clusters = [
    cluster({ name: 'aws-eu', region: 'eu-west-1', workloads: { 'default/shop': [{ endpoint: '127.0.0.1:1001' }, { endpoint: '127.0.0.1:1002' }], 'default/api': [{ endpoint: '127.0.0.1:2001' }] } }),
    cluster({ name: 'gcp-eu', provider: 'gcp', region: 'europe-west1', workloads: { 'default/shop': [{ endpoint: '127.0.0.1:1003' }] } }),
    cluster({ name: 'aws-us', region: 'us-east-1', workloads: { 'default/shop': [{ endpoint: '127.0.0.1:1004' }] } }),
  ];

  it('routes by host and the longest segment-aware path prefix', () => {
    const t = buildRoutes([workload({ name: 'shop', host: 'Shop.Example' }), workload({ name: 'api', host: 'shop.example', pathPrefix: '/api/' })], [], clusters);
    expect(matchRoute(t, 'shop.example:8080', '/api/v1')?.key).toBe('default/api');
    expect(matchRoute(t, 'shop.example', '/api')?.key).toBe('default/api');
    expect(matchRoute(t, 'shop.example', '/api?x=1')?.key).toBe('default/api');
    expect(matchRoute(t, 'shop.example', '/apix')?.key).toBe('default/shop');
    expect(matchRoute(t, 'SHOP.example.', '/')?.key).toBe('default/shop');
    expect(matchRoute(t, 'other.example', '/')).toBeUndefined();
    expect(matchRoute(t, undefined, '/')).toBeUndefined();
  });

  it('derives jurisdiction from the region catalog and weights from the placement', () => {
    const t = buildRoutes([workload({ name: 'shop', host: 's' })], [placement('shop', { 'aws-eu': 2, 'gcp-eu': 1 })], clusters);
    const eps = t.routes[0]!.endpoints;
    const byCluster = (c: string) => eps.filter((e) => e.cluster === c);
    expect(byCluster('aws-eu').map((e) => [e.jurisdiction, e.weight])).toEqual([
      ['eu', 1],
      ['eu', 1],
    ]);
    expect(byCluster('gcp-eu')[0]).toMatchObject({ provider: 'gcp', region: 'europe-west1', jurisdiction: 'eu', weight: 1, ready: true });
    // Reporting but not placed: kept at weight 0 (draining), used only when nothing placed is left.
    expect(byCluster('aws-us')[0]).toMatchObject({ jurisdiction: 'us', weight: 0 });
  });

  it('marks endpoints of NotReady clusters and not-ready replicas as not ready', () => {
    const t = buildRoutes(
      [workload({ name: 'shop', host: 's' })],
      [],
      [
        cluster({ name: 'a', region: 'eu-west-1', phase: 'NotReady', workloads: { 'default/shop': [{ endpoint: '127.0.0.1:1' }] } }),
        cluster({ name: 'b', region: 'eu-west-1', workloads: { 'default/shop': [{ endpoint: '127.0.0.1:2', ready: false }, { endpoint: '127.0.0.1:3' }] } }),
      ],
    );
    expect(t.routes[0]!.endpoints.map((e) => [e.address, e.ready])).toEqual([
      ['127.0.0.1:1', false],
      ['127.0.0.1:2', false],
      ['127.0.0.1:3', true],
    ]);
  });

  it('leaves out endpoints that are not host:port, and says so', () => {
    const reported = ['127.0.0.1:1', '[::1]:2', 'replica-3.shop.internal:3', 'http://127.0.0.1:4', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '127.0.0.1:4\n  server x 10.0.0.1:80', 'a b:5', '300.1.1.1:6', '[::1:7', '::1:8'];
    const t = buildRoutes([workload({ name: 'shop', host: 's' })], [], [cluster({ name: 'a', region: 'eu-west-1', workloads: { 'default/shop': reported.map((endpoint) => ({ endpoint })) } })]);
    expect(t.routes[0]!.endpoints.map((e) => e.address)).toEqual(['127.0.0.1:1', '[::1]:2', 'replica-3.shop.internal:3']);
    const invalid = t.problems.filter((p) => p.code === 'InvalidEndpoint');
    expect(invalid).toHaveLength(reported.length - 3);
    expect(invalid[0]).toMatchObject({ workload: 'default/shop', cluster: 'a' });
    expect(invalid[0]!.message).toContain('"http://127.0.0.1:4", not host:port');
  });

  it('leaves out endpoints whose replica name could break out of a map line', () => {
    const t = buildRoutes([workload({ name: 'shop', host: 's' })], [], [cluster({ name: 'a', region: 'eu-west-1', workloads: { 'default/shop': [{ endpoint: '127.0.0.1:1', name: 'ok-0' }, { endpoint: '127.0.0.1:2', name: 'bad name\nx y' }] } })]);
    expect(t.routes[0]!.endpoints.map((e) => e.replica)).toEqual(['ok-0']);
    expect(t.problems.map((p) => p.code)).toEqual(['InvalidEndpoint']);
  });

  it('drops endpoints and placements outside the residency and counts them as violations', () => {
    const t = buildRoutes([workload({ name: 'shop', host: 's', residency: ['eu'] })], [placement('shop', { 'aws-eu': 1, 'aws-us': 1 })], clusters);
    expect(new Set(t.routes[0]!.endpoints.map((e) => e.jurisdiction))).toEqual(new Set(['eu']));
    expect(t.residencyViolations).toBe(2);
    expect(t.problems.filter((p) => p.code === 'ResidencyViolation').map((p) => p.cluster)).toEqual(['aws-us', 'aws-us']);
  });

  it('never guesses the jurisdiction of an unknown region for a resident workload', () => {
    const t = buildRoutes(
      [workload({ name: 'shop', host: 's', residency: ['eu'] })],
      [],
      [cluster({ name: 'lab', provider: 'onprem', region: 'basement', workloads: { 'default/shop': [{ endpoint: '127.0.0.1:1' }] } })],
    );
    expect(t.routes[0]!.endpoints).toEqual([]);
    expect(t.residencyViolations).toBe(1);
  });

  it('gives a host+prefix claimed twice to the first workload by name and reports the conflict', () => {
    const t = buildRoutes([workload({ name: 'b', host: 'x' }), workload({ name: 'a', host: 'x' })], [], []);
    expect(matchRoute(t, 'x', '/')?.key).toBe('default/a');
    expect(t.problems).toMatchObject([{ code: 'HostConflict', workload: 'default/b' }]);
  });
});

describe('residency property', () => {
  it('no endpoint outside the workload residency is ever in the table, whatever the input says', () => {
    fc.assert(
      fc.property(fleetArb, (f) => {
        let port = 1;
        const clusters = f.clusters.map((c) =>
          cluster({ name: c.name, region: c.region, phase: c.phase, ...(c.residency ? { residency: c.residency } : {}), workloads: { 'default/w': c.endpoints.map((ready) => ({ endpoint: `127.0.0.1:${port++}`, ready })) } }),
        );
        const t = buildRoutes([workload({ name: 'w', host: 'w', residency: f.residency })], [placement('w', Object.fromEntries(f.clusters.map((c) => [c.name, c.placed])))], clusters);
        const route = t.routes[0]!;
        for (const ep of route.endpoints) expect(f.residency).toContain(ep.jurisdiction);
        // Every endpoint left out was counted: table + violations cover all reported endpoints' clusters.
        const reporting = f.clusters.filter((c) => c.endpoints.length > 0).length;
        const kept = new Set(route.endpoints.map((e) => e.cluster)).size;
        const droppedEndpointClusters = t.problems.filter((p) => p.message.includes('reports endpoints')).length;
        expect(kept + droppedEndpointClusters).toBe(reporting);
      }),
      { numRuns: 300 },
    );
  });
});
