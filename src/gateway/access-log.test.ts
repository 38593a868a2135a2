// The column-wise access-log ring: order, wrap-around, `since`/`limit`, residency counting.
import { describe, expect, it } from 'vitest';
import { createAccessLog, type AccessLogEntry } from './access-log.js';

const entry = (i: number, over: Partial<AccessLogEntry> = {}): AccessLogEntry => ({
  time: 1000 + i,
  method: 'GET',
  host: 'h',
  path: `/${i}`,
  route: 'default/w',
  cluster: 'c',
  replica: 'r',
  jurisdiction: 'eu',
  residency: ['eu'],
  status: 200,
  latencyMs: i / 10,
  attempts: 1,
  tried: undefined,
  reason: undefined,
  ...over,
});

describe('access log ring', () => {
  it('returns what was recorded, oldest first, and keeps only the last `size` entries', () => {
    const log = createAccessLog(3);
    expect(log.recent()).toEqual([]);
    log.push(entry(0));
    expect(log.recent()).toEqual([entry(0)]);
    for (let i = 1; i < 5; i++) log.push(entry(i, i === 4 ? { status: 502, attempts: 3, tried: ['a', 'b', 'c'], reason: 'upstream_reset' } : {}));
    expect(log.total).toBe(5);
    expect(log.recent().map((e) => e.path)).toEqual(['/2', '/3', '/4']);
    expect(log.recent().at(-1)).toEqual(entry(4, { status: 502, attempts: 3, tried: ['a', 'b', 'c'], reason: 'upstream_reset' }));
    expect(log.recent({ since: 1003 }).map((e) => e.path)).toEqual(['/3', '/4']);
    expect(log.recent({ limit: 1 }).map((e) => e.path)).toEqual(['/4']);
  });

  it('counts answers served outside the route residency', () => {
    const log = createAccessLog(10);
    log.push(entry(0));
    log.push(entry(1, { jurisdiction: 'us' }));
    log.push(entry(2, { residency: undefined, jurisdiction: 'us' }));
    expect(log.residencyViolations()).toBe(1);
  });
});
