import { describe, expect, it } from 'vitest';
import { accrue } from './accrual.js';
import { allocateRates, lineTotal } from './allocation.js';
import { defaultCatalog } from './catalog/index.js';
import { at, cluster, placement, workload } from './testing/fixtures.js';

const catalog = defaultCatalog();
const T = (h: number) => new Date(Date.UTC(2026, 10, 1) + h * 3_600_000).toISOString();

describe('accrue', () => {
  const c = cluster('aws-eu', { count: 4 });
  const w = workload('pay', 'api', { replicas: 4 });
  const rateOf = (replicas: number) =>
    allocateRates({ clusters: [c], workloads: [w], placements: [placement('pay', 'api', { 'aws-eu': replicas })] }, catalog).lines.find((l) => l.kind === 'allocation')!;

  it('weights each placement by how long it was in effect, from the state at since', () => {
    const r = accrue({
      clusters: [at(T(-10), c, 'ADDED')],
      workloads: [at(T(-10), w, 'ADDED')],
      // In effect at since (written before it), changed after 2 h, deleted after 5 h.
      placements: [at(T(-1), placement('pay', 'api', { 'aws-eu': 2 }), 'ADDED'), at(T(2), placement('pay', 'api', { 'aws-eu': 4 })), at(T(5), placement('pay', 'api', { 'aws-eu': 4 }), 'DELETED')],
      since: T(0),
      until: T(8),
      catalog,
    });
    expect(r.hours).toBe(8);
    const alloc = r.lines.filter((l) => l.kind === 'allocation');
    expect(alloc).toHaveLength(1);
    expect(lineTotal(alloc[0]!)).toBeCloseTo(2 * lineTotal(rateOf(2)) + 3 * lineTotal(rateOf(4)), 9);
    // The node bill is paid every hour whatever runs on it: allocation + idle = 8 h of nodes.
    const nodes = r.lines.filter((l) => l.kind !== 'overhead').reduce((a, l) => a + lineTotal(l), 0);
    expect(nodes).toBeCloseTo(8 * 4 * 0.214, 6);
    expect(r.current.filter((l) => l.kind === 'allocation')).toEqual([]);
  });

  it('charges the cost after a relabel to the new team, and keeps the cost before it with the old one', () => {
    const relabelled = { ...w, metadata: { ...w.metadata, labels: { team: 'reports' } } };
    const r = accrue({
      clusters: [at(T(-10), c, 'ADDED')],
      workloads: [at(T(-10), w, 'ADDED'), at(T(3), relabelled)],
      placements: [at(T(-1), placement('pay', 'api', { 'aws-eu': 2 }), 'ADDED')],
      since: T(0),
      until: T(8),
      catalog,
    });
    const byTeam = (team: string) => r.lines.filter((l) => l.kind === 'allocation' && l.team === team).reduce((a, l) => a + lineTotal(l), 0);
    expect(byTeam('pay')).toBeCloseTo(3 * lineTotal(rateOf(2)), 9);
    expect(byTeam('reports')).toBeCloseTo(5 * lineTotal(rateOf(2)), 9);
  });

  it('ignores versions after until and status changes that do not move cost', () => {
    const heartbeat = { ...c, status: { phase: 'Ready', lastHeartbeatTime: T(1) } };
    const r = accrue({
      clusters: [at(T(-1), c, 'ADDED'), at(T(1), heartbeat)],
      workloads: [at(T(-1), w, 'ADDED')],
      placements: [at(T(-1), placement('pay', 'api', { 'aws-eu': 1 }), 'ADDED'), at(T(9), placement('pay', 'api', { 'aws-eu': 4 }))],
      since: T(0),
      until: T(3),
      catalog,
    });
    expect(lineTotal(r.lines.find((l) => l.kind === 'allocation')!)).toBeCloseTo(3 * lineTotal(rateOf(1)), 9);
    expect(r.current.find((l) => l.kind === 'allocation')!.replicas).toBe(1);
  });
});
