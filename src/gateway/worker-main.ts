// Entry of one gateway worker process (node:cluster, `workers > 1`): runs an ordinary gateway
// from the plain-data options the primary sends, with its own table source, health checks and
// pools, and reports finished requests, counters and endpoint states back in batches.
import type { AccessLogEntry } from './access-log.js';
import { startGateway, type RunningGateway } from './gateway.js';
import type { GatewayOptions } from './options.js';
import { apiSource, staticSource, type WorkerSourceSpec } from './sources.js';
import type { FromPrimary, MetricEvent, ToPrimary } from './workers.js';

/** Batches go out this often: the primary's access log and metrics lag by at most this. */
const FLUSH_MS = 20;
const ENDPOINTS_MS = 250;

const send = (m: ToPrimary) => process.send?.(m);
let gw: RunningGateway | undefined;
let rows: AccessLogEntry[] = [];
let events: MetricEvent[] = [];

const flush = () => {
  if (rows.length === 0 && events.length === 0) return;
  send({ t: 'batch', rows, events });
  rows = [];
  events = [];
};

async function start(options: Omit<GatewayOptions, 'source'>, spec: WorkerSourceSpec): Promise<void> {
  const source = spec.kind === 'api' ? apiSource(spec.serverUrl, { ...(spec.token ? { token: spec.token } : {}), ...(spec.retryMs !== undefined ? { retryMs: spec.retryMs } : {}) }) : staticSource(spec.inputs);
  gw = await startGateway({
    ...options,
    workers: 1,
    source,
    onAccess: (e) => void rows.push(e),
    log: (msg, err) => send({ t: 'log', msg, err: err === undefined ? undefined : err instanceof Error ? err.message : String(err) }),
  });
  // Counters the access log does not carry: tap the metrics the proxy bumps.
  const m = gw.metrics;
  const retry = m.retry.bind(m);
  const ejection = m.ejection.bind(m);
  const outside = m.routedOutsideResidency.bind(m);
  m.retry = (route, reason) => (retry(route, reason), void events.push(['retry', route, reason]));
  m.ejection = (route, cluster) => (ejection(route, cluster), void events.push(['ejection', route, cluster]));
  m.routedOutsideResidency = (route) => (outside(route), void events.push(['outside', route]));
  setInterval(flush, FLUSH_MS);
  const endpoints = () => gw && send({ t: 'endpoints', list: gw.endpoints() });
  setInterval(endpoints, ENDPOINTS_MS);
  endpoints();
  send({ t: 'ready', port: gw.port });
}

process.on('message', (m: FromPrimary) => {
  if (m.t === 'init')
    start(m.options, m.source).catch((err: unknown) => {
      send({ t: 'log', msg: 'worker failed to start', err: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
  else if (m.t === 'flush')
    void (gw?.flush() ?? Promise.resolve()).then(() => {
      flush();
      send({ t: 'flushed', id: m.id });
    });
  else if (m.t === 'close')
    void (gw?.close() ?? Promise.resolve()).finally(() => {
      // The last batch must reach the primary before the process ends.
      if (rows.length === 0 && events.length === 0) return process.exit(0);
      process.send?.({ t: 'batch', rows, events } satisfies ToPrimary, () => process.exit(0));
    });
});
// The primary is gone: never linger as an orphan.
process.on('disconnect', () => process.exit(0));
// Ask for the options only now: a message sent before this module listened would be lost.
send({ t: 'hello' });
