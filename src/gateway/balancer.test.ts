// The balancer's decisions as pure functions of state and a given clock: ejection time growing
// on repeat ejections, the maximum ejected share, panic routing, locality tiers, circuit breaker.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createBalancer, PickFailure, type EndpointState } from './balancer.js';
import { compileGatewayOptions, defaultWorkers, parseCpuList, type GatewayOptions } from './options.js';
import { buildRoutes, type Route } from './route-table.js';
import { staticSource } from './sources.js';
import { cluster, workload } from './testing/fixtures.js';

function setup(regions: string[], opts: Partial<GatewayOptions> = {}, routing: 'weighted' | 'locality' = 'weighted') {
  const table = buildRoutes(
    [workload({ name: 'w', host: 'w', routing })],
    [],
    regions.map((region, i) => cluster({ name: `c${i}`, region, workloads: { 'default/w': [{ endpoint: `127.0.0.1:${1000 + i}` }] } })),
  );
  const o = compileGatewayOptions({ source: staticSource({ workloads: [], placements: [], clusters: [] }), ...opts });
  let seed = 0.123;
  const b = createBalancer(o, () => (seed = (seed * 9301 + 0.49297) % 1));
  b.sync(table);
  const route = table.routes[0]!;
  const state = (i: number) => b.get(route.endpoints[i]!.id)!;
  return { b, route, state };
}

const picked = (r: ReturnType<ReturnType<typeof createBalancer>['pick']>): EndpointState => {
  if ('failure' in r) throw new Error(r.failure);
  return r.state;
};

describe('outlier ejection', () => {
  it('ejects after consecutive gateway errors for base × n, growing on repeat ejections', () => {
    const { b, route, state } = setup(['eu-west-1', 'eu-west-1', 'eu-west-1', 'eu-west-1'], { outlier: { consecutiveGatewayErrors: 2, baseEjectionTimeMs: 1000, maxEjectionTimeMs: 2500 } });
    const s = state(0);
    expect(b.record(route, s, 'gateway-error', 0)).toBe(false);
    expect(b.record(route, s, 'gateway-error', 0)).toBe(true);
    expect(s.ejectedUntil).toBe(1000);
    b.record(route, s, 'gateway-error', 1500);
    expect(b.record(route, s, 'gateway-error', 1500)).toBe(true);
    expect(s.ejectedUntil).toBe(3500);
    b.record(route, s, 'gateway-error', 4000);
    b.record(route, s, 'gateway-error', 4000);
    expect(s.ejectedUntil).toBe(6500); // capped at maxEjectionTimeMs
  });

  it('a success in between resets the consecutive count', () => {
    const { b, route, state } = setup(['eu-west-1', 'eu-west-1']);
    const s = state(0);
    b.record(route, s, 'gateway-error', 0);
    b.record(route, s, 'ok', 0);
    expect(b.record(route, s, 'gateway-error', 0)).toBe(false);
  });

  it('never ejects more than the maximum percentage, but always allows one', () => {
    const { b, route, state } = setup(['eu-west-1', 'eu-west-1', 'eu-west-1', 'eu-west-1'], { outlier: { consecutive5xx: 1, maxEjectionPercent: 50 } });
    expect([0, 1, 2].map((i) => b.record(route, state(i), '5xx', 0))).toEqual([true, true, false]);
    const one = setup(['eu-west-1', 'eu-west-1'], { outlier: { consecutive5xx: 1, maxEjectionPercent: 0 } });
    expect(one.b.record(one.route, one.state(0), '5xx', 0)).toBe(true);
    expect(one.b.record(one.route, one.state(1), '5xx', 0)).toBe(false);
  });
});

describe('pick', () => {
  it('skips ejected and unhealthy endpoints; in panic prefers healthy, then not ejected, then any ready one', () => {
    const { b, route, state } = setup(['eu-west-1', 'eu-west-1', 'eu-west-1'], { outlier: { consecutive5xx: 1, maxEjectionPercent: 100 } });
    const clusters = (n = 30) => new Set(Array.from({ length: n }, () => picked(b.pick(route, undefined, 1)).ep.cluster));
    b.record(route, state(0), '5xx', 0);
    state(1).healthy = false;
    expect(clusters()).toEqual(new Set(['c2']));
    b.record(route, state(2), '5xx', 0);
    expect(clusters()).toEqual(new Set(['c0', 'c2'])); // all ejected or unhealthy: the healthy ones
    state(0).healthy = false;
    state(2).healthy = false;
    expect(clusters()).toEqual(new Set(['c1'])); // none healthy: the one not ejected
    b.record(route, state(1), '5xx', 0);
    expect(clusters()).toEqual(new Set(['c0', 'c1', 'c2']));
    expect(b.pick(route, new Set(route.endpoints.map((e) => e.id)), 1)).toEqual({ failure: PickFailure.Exhausted });
  });

  it('never picks an endpoint its agent reports not ready', () => {
    const table = buildRoutes([workload({ name: 'w', host: 'w' })], [], [cluster({ name: 'c', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: '127.0.0.1:1', ready: false }] } })]);
    const b = createBalancer(compileGatewayOptions({ source: staticSource({ workloads: [], placements: [], clusters: [] }) }));
    b.sync(table);
    expect(b.pick(table.routes[0]!, undefined, 0)).toEqual({ failure: PickFailure.NoReadyEndpoint });
  });

  it('locality: same region, then same jurisdiction, then anything', () => {
    const { b, route, state } = setup(['us-east-1', 'eu-central-1', 'eu-west-1'], { region: 'eu-west-1' }, 'locality');
    const clusterOf = (exclude: Route['endpoints']) => picked(b.pick(route, new Set(exclude.map((e) => e.id)), 0)).ep.cluster;
    expect(clusterOf([])).toBe('c2');
    expect(clusterOf([state(2).ep])).toBe('c1');
    expect(clusterOf([state(2).ep, state(1).ep])).toBe('c0');
  });

  it('circuit breaker: full endpoints queue up to maxPending, then overflow', async () => {
    const { b, route, state } = setup(['eu-west-1'], { circuitBreaker: { maxConcurrent: 1, maxPending: 1 } });
    const s = state(0);
    expect(b.tryAcquire(s)).toBe(true);
    expect(b.tryAcquire(s)).toBe(false);
    expect(b.pick(route, undefined, 0)).toEqual({ state: s, wait: true });
    const waiting = b.waitSlot(s, new AbortController().signal);
    expect(b.pick(route, undefined, 0)).toEqual({ failure: PickFailure.CircuitOpen });
    b.release(s);
    expect(await waiting).toBe(true);
    expect(s.active).toBe(1);
  });
});

describe('compileGatewayOptions', () => {
  const source = staticSource({ workloads: [], placements: [], clusters: [] });
  it('fills documented defaults, loopback listen, and derives the jurisdiction from the region', () => {
    const o = compileGatewayOptions({ source, region: 'eu-west-1' });
    expect(o).toMatchObject({ host: '127.0.0.1', port: 7480, jurisdiction: 'eu', adminPath: '/_truststram', healthCheck: { intervalMs: 200, unhealthyThreshold: 2 }, retry: { maxRetries: 2 } });
  });
  it('rejects bad values naming the field', () => {
    expect(() => compileGatewayOptions({ source, listen: 'nope' })).toThrow(/listen/);
    expect(() => compileGatewayOptions({ source, timeouts: { perTryMs: 0 } })).toThrow(/timeouts.perTryMs/);
    expect(() => compileGatewayOptions({ source, outlier: { maxEjectionPercent: 150 } })).toThrow(/maxEjectionPercent/);
  });
  it('uses one Node process, or HAProxy threads on every CPU, unless told how many cores', () => {
    expect(compileGatewayOptions({ source }).workers).toBe(1);
    expect(defaultWorkers('node')).toBe(1);
    expect(defaultWorkers('haproxy')).toBe(Math.min(64, availableParallelism()));
  });
  it('reads a CPU list for pinning the haproxy data plane, and refuses a bad one naming it', () => {
    expect(parseCpuList('0', 2)).toEqual([0]);
    expect(parseCpuList('1,0-1', 4)).toEqual([0, 1]);
    expect(parseCpuList(' 2-3 , 0 ', 4)).toEqual([0, 2, 3]);
    expect(() => parseCpuList('1-x', 4)).toThrow(/cpus "1-x" is not a CPU list/);
    expect(() => parseCpuList('', 4)).toThrow(/cpus "" is not a CPU list/);
    expect(() => parseCpuList('3-1', 4)).toThrow(/cpus range 3-1 runs backwards/);
    expect(() => parseCpuList('0-4', 4)).toThrow(/cpus CPU 4 does not exist: this machine has CPUs 0-3/);
    // Only HAProxy is pinned by the gateway; a Node gateway is pinned from outside.
    expect(() => compileGatewayOptions({ source, cpus: '0' })).toThrow(/cpus pins the haproxy data plane.*taskset/);
  });
});
