// HAProxy's per-request log lines become the same access-log entries and metrics as the Node
// data plane records: route, cluster, jurisdiction, attempts, and a reason for what HAProxy made.
import { describe, expect, it } from 'vitest';
import { createAccessLog, type AccessLogEntry } from '../access-log.js';
import { createGatewayMetrics } from '../metrics.js';
import { buildRoutes } from '../route-table.js';
import { cluster, workload } from '../testing/fixtures.js';
import { createAccessIngest } from './access-ingest.js';
import { planLayout } from './layout.js';

function setup() {
  const t = buildRoutes([workload({ name: 'pay', host: 'pay', residency: ['eu'] })], [], [cluster({ name: 'aws-eu', region: 'eu-west-1', workloads: { 'default/pay': [{ endpoint: '127.0.0.1:5001', name: 'pay-0' }] } })]);
  const layout = planLayout(t, undefined, { region: undefined, jurisdiction: undefined });
  const accessLog = createAccessLog(100);
  const metrics = createGatewayMetrics();
  const seen: AccessLogEntry[] = [];
  const other: string[] = [];
  const records = { count: 0 };
  const feed = createAccessIngest({ layout: () => layout, accessLog, metrics, onAccess: (e) => seen.push(e), other: (l) => other.push(l), failed: (l) => other.push(`failed: ${l}`), records });
  return { feed, accessLog, metrics, seen, other, records };
}

const line = (f: (string | number)[]) => `${f.join('\t')}\n`;

describe('access ingest', () => {
  it('parses records split across chunks and leaves other lines alone', () => {
    const { feed, seen, other, metrics, records } = setup();
    const ok = line([1795313386953000, 1795313386954326, 'GET', 'w_default_pay', 'p0', 200, '+1', '----', 'pay', '/a\tb']);
    feed(ok.slice(0, 17));
    feed(`${ok.slice(17)}[WARNING] something\n`);
    expect(seen).toHaveLength(1);
    // Records are counted (flush() compares them with HAProxy's request counter); notices are not.
    expect(records.count).toBe(1);
    expect(seen[0]).toMatchObject({ time: 1795313386953, latencyMs: 1.326, method: 'GET', route: 'default/pay', cluster: 'aws-eu', replica: 'pay-0', jurisdiction: 'eu', residency: ['eu'], status: 200, attempts: 2, path: '/a\tb', reason: undefined });
    expect(other).toEqual(['[WARNING] something']);
    expect(metrics.snapshot().routes.find((r) => r.route === 'default/pay')).toBeDefined();
  });

  it('names why HAProxy answered an error', () => {
    const { feed, seen } = setup();
    feed(line([1, 5, 'GET', 'no_route', '<NOSRV>', 404, 0, 'LR--', 'x', '/']));
    feed(line([1, 5, 'GET', 'w_default_pay', '<NOSRV>', 503, 0, 'SC--', 'pay', '/']));
    feed(line([1, 5, 'GET', 'w_default_pay', 'p0', 503, 2, 'SC--', 'pay', '/']));
    feed(line([1, 5, 'GET', 'w_default_pay', 'p0', 504, 0, 'sH--', 'pay', '/']));
    feed(line([1, 5, 'GET', 'w_default_pay', 'p0', 502, 0, 'SH--', 'pay', '/']));
    feed(line([1, 5, 'GET', 'w_default_pay', '<NOSRV>', 503, 0, 'sQ--', 'pay', '/']));
    feed(line([1, 5, 'GET', 'truststram_admin', 'node', 200, 0, '----', 'x', '/_truststram/metrics']));
    feed(line(['-', 1795313386954326, '<BADREQ>', 'gateway', '<NOSRV>', 400, 0, 'PR--', '-', '<BADREQ>']));
    expect(seen.map((e) => e.reason)).toEqual(['no_route', 'no_ready_endpoint', 'upstream_connect_error', 'upstream_timeout', 'upstream_reset', 'circuit_open', undefined]);
    expect(seen.at(-1)).toMatchObject({ time: 1795313386954, latencyMs: 0, status: 400, route: undefined });
    // A line HAProxy cut at 4 KiB (a huge Host): recorded with the host cut and no path.
    feed(`${line([1, 5, 'GET', 'no_route', '<NOSRV>', 404, 0, 'LR--', 'h'.repeat(20)]).slice(0, -1)}\n`);
    expect(seen.at(-1)).toMatchObject({ host: 'h'.repeat(20), path: '', status: 404, reason: 'no_route' });
  });
});
