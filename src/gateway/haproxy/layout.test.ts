// The pure half of the HAProxy data plane: slots stay put across tables, pools grow only when
// full, locality and draining become primary/backup tiers, and a table change becomes the
// smallest set of runtime-API commands (or a reload when the structure changed).
import { describe, expect, it } from 'vitest';
import { buildRoutes, type RouteTable } from '../route-table.js';
import { cluster, placement, workload } from '../testing/fixtures.js';
import { cpuMap, renderHostsMap, renderPrefixMap, renderSlotMaps } from './config.js';
import { planLayout, runtimeCommands } from './layout.js';

const noLocality = { region: undefined, jurisdiction: undefined };

/** Workload `w` with one endpoint per cluster named in `eps` (cluster -> port), placed on `placed`. */
function table(eps: Record<string, number>, placed: Record<string, number> = Object.fromEntries(Object.keys(eps).map((c) => [c, 1])), extra: { routing?: 'locality' } = {}): RouteTable {
  const region = (c: string) => (c.startsWith('us') ? 'us-east-1' : c.startsWith('de') ? 'eu-central-1' : 'eu-west-1');
  return buildRoutes(
    [workload({ name: 'w', host: 'w.example', ...(extra.routing ? { routing: extra.routing } : {}) })],
    [placement('w', placed)],
    Object.entries(eps).map(([c, port]) => cluster({ name: c, region: region(c), workloads: { 'default/w': [{ endpoint: `127.0.0.1:${port}`, name: `${c}-0` }] } })),
  );
}

describe('planLayout', () => {
  it('keeps an endpoint in its slot while others come and go', () => {
    const l1 = planLayout(table({ a: 1001, b: 1002 }), undefined, noLocality);
    const slotOf = (l: typeof l1, c: string) => l.backends[0]!.primary.find((s) => s.endpoint?.cluster === c)?.server;
    const l2 = planLayout(table({ b: 1002, c: 1003 }), l1, noLocality);
    expect(slotOf(l2, 'b')).toBe(slotOf(l1, 'b'));
    // c takes a slot that was empty before, not a's (its connections may still drain).
    expect(slotOf(l2, 'c')).not.toBe(slotOf(l1, 'a'));
    expect(l2.structure).toBe(l1.structure);
  });

  it('grows a full pool (a reload), never shrinks one', () => {
    const l1 = planLayout(table({ a: 1 }), undefined, noLocality);
    expect(l1.backends[0]!.primary).toHaveLength(4);
    const many = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`c${i}`, 2000 + i]));
    const l2 = planLayout(table(many), l1, noLocality);
    expect(l2.backends[0]!.primary).toHaveLength(16);
    expect(l2.structure).not.toBe(l1.structure);
    const l3 = planLayout(table({ a: 1 }), l2, noLocality);
    expect(l3.backends[0]!.primary).toHaveLength(16);
  });

  it('puts draining endpoints (placement moved away) and farther locality tiers in the backup pool', () => {
    const draining = planLayout(table({ a: 1, b: 2 }, { a: 2 }), undefined, noLocality).backends[0]!;
    expect(draining.primary.filter((s) => s.endpoint).map((s) => s.endpoint!.cluster)).toEqual(['a']);
    expect(draining.backup.filter((s) => s.endpoint).map((s) => s.endpoint!.cluster)).toEqual(['b']);
    const local = planLayout(table({ eu: 1, de: 2, us: 3 }, undefined, { routing: 'locality' }), undefined, { region: 'eu-central-1', jurisdiction: 'eu' }).backends[0]!;
    expect(local.primary.filter((s) => s.endpoint).map((s) => s.endpoint!.cluster)).toEqual(['de']);
    expect(local.backup.filter((s) => s.endpoint).map((s) => s.endpoint!.cluster).sort()).toEqual(['eu', 'us']);
  });

  it('scales placement weights into HAProxy weights', () => {
    const b = planLayout(table({ a: 1, b: 2 }, { a: 3, b: 1 }), undefined, noLocality).backends[0]!;
    const w = Object.fromEntries(b.primary.filter((s) => s.endpoint).map((s) => [s.endpoint!.cluster, s.weight]));
    expect(w).toEqual({ a: 100, b: 33 });
  });
  it('leaves out a route whose host or path cannot be written into HAProxy files safely', () => {
    const t = buildRoutes([workload({ name: 'ok', host: 'ok.example' }), workload({ name: 'evil', host: 'x', pathPrefix: '/a\n  http-request deny' })], [], []);
    const l = planLayout(t, undefined, noLocality);
    expect(l.backends.map((b) => b.route.key)).toEqual(['default/ok']);
    expect(l.refused).toEqual([{ route: 'default/evil', reason: expect.stringMatching(/path prefix/) }]);
  });
});

describe('runtimeCommands', () => {
  it('turns a moved replica into address, label, weight and state commands, and nothing when nothing changed', () => {
    const l1 = planLayout(table({ a: 1001 }), undefined, noLocality);
    const maps = { clusters: '/c', replicas: '/r' };
    expect(runtimeCommands(l1, planLayout(table({ a: 1001 }), l1, noLocality), maps)).toEqual([]);
    const l2 = planLayout(table({ b: 1002 }), l1, noLocality);
    const cmds = runtimeCommands(l1, l2, maps)!;
    const [p0, p1] = l2.backends[0]!.primary;
    expect([p0!.id, p1!.id]).toEqual([l1.backends[0]!.primary[0]!.id, l1.backends[0]!.primary[1]!.id]);
    expect(cmds).toContain('set server w_default_w/p0 state maint');
    expect(cmds).toContain(`set map /c ${p0!.id} -`);
    expect(cmds).toContain(`set map /r ${p0!.id} -`);
    expect(cmds).toContain('set server w_default_w/p1 addr 127.0.0.1 port 1002');
    expect(cmds).toContain(`set map /c ${p1!.id} b`);
    expect(cmds).toContain(`set map /r ${p1!.id} b-0`);
    expect(cmds.indexOf('set server w_default_w/p1 state ready')).toBeGreaterThan(cmds.indexOf('set server w_default_w/p1 addr 127.0.0.1 port 1002'));
  });

  it('asks for a reload when a route appears', () => {
    const l1 = planLayout(table({ a: 1 }), undefined, noLocality);
    const t2 = buildRoutes([workload({ name: 'w', host: 'w.example' }), workload({ name: 'v', host: 'v.example' })], [], [cluster({ name: 'a', region: 'eu-west-1', workloads: { 'default/w': [{ endpoint: '127.0.0.1:1' }] } })]);
    expect(runtimeCommands(l1, planLayout(t2, l1, noLocality), { clusters: '/c', replicas: '/r' })).toBeUndefined();
  });
});

describe('maps', () => {
  it('routes hosts exactly and path prefixes longest first, segment-aware', () => {
    const t = buildRoutes(
      [workload({ name: 'root', host: 'shop.example' }), workload({ name: 'api', host: 'shop.example', pathPrefix: '/api' }), workload({ name: 'v2', host: 'shop.example', pathPrefix: '/api/v2' })],
      [],
      [],
    );
    const l = planLayout(t, undefined, noLocality);
    expect(renderHostsMap(l)).toBe('shop.example w_default_root\nshop.example. w_default_root\n');
    const prefix = renderPrefixMap(l).trim().split('\n');
    expect(prefix).toEqual(['^shop\\.example\\.?/api/v2(/|$) w_default_v2', '^shop\\.example\\.?/api(/|$) w_default_api']);
    const re = new RegExp(prefix[1]!.split(' ')[0]!);
    expect(re.test('shop.example/api')).toBe(true);
    expect(re.test('shop.example/api/x')).toBe(true);
    expect(re.test('shop.example/apix')).toBe(false);
    expect(re.test('shop.example./api/x')).toBe(true);
    expect(re.test('shop.examplex/api')).toBe(false);
    // Slot ids number every slot of the configuration once; empty slots map to `-`.
    const ids = l.backends.flatMap((b) => [...b.primary, ...b.backup].map((s) => s.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const maps = renderSlotMaps(l);
    expect(maps.clusters.split('\n')).toContain(`${l.byName.get('w_default_api')!.primary[0]!.id} -`);
    expect(maps.replicas.split('\n')).toHaveLength(ids.length + 1);
  });
});

describe('cpuMap', () => {
  it('gives each thread its own CPU when there are as many, else lets every thread use all of them', () => {
    expect(cpuMap(2, [2, 3])).toBe('cpu-map auto:1/1-2 2 3');
    expect(cpuMap(1, [1])).toBe('cpu-map auto:1/1-1 1');
    // Spaces, not commas: HAProxy 2.6 reads `0,1` as CPU 0 alone.
    expect(cpuMap(4, [0, 1])).toBe('cpu-map 1/all 0 1');
  });
});
