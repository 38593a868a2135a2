// Prometheus metrics of one server, in its own registry so several servers (tests, embedded
// demos) in one process never collide. Labels are bounded: verb, resource kind or view name, code.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/store.js';

export interface ServerMetrics {
  registry: Registry;
  /** Counts a finished request and records its latency. */
  observe(labels: { verb: string; resource: string }, code: number, seconds: number): void;
  watchStarted(): void;
  watchEnded(): void;
  /** Prometheus text exposition format. */
  render(): Promise<string>;
}

/** Creates the metrics of one server; `store` feeds the revision gauge at scrape time. */
export function createMetrics(store: Store, opts: { processMetrics: boolean }): ServerMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'truststram_' });
  const requests = new Counter({
    name: 'truststram_apiserver_requests_total',
    help: 'API requests by verb, resource and HTTP status code.',
    labelNames: ['verb', 'resource', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'truststram_apiserver_request_duration_seconds',
    help: 'API request latency in seconds (watches: until the stream ends).',
    labelNames: ['verb', 'resource'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers: [registry],
  });
  const watches = new Gauge({ name: 'truststram_apiserver_watches_in_flight', help: 'Open watch streams.', registers: [registry] });
  new Gauge({
    name: 'truststram_store_revision',
    help: 'Current store revision (resourceVersion).',
    registers: [registry],
    async collect() {
      // A scrape must not fail because the store is momentarily busy: leave the last value.
      try {
        this.set(Number(await store.revision()));
      } catch {
        /* reported by /readyz */
      }
    },
  });
  return {
    registry,
    observe(labels, code, seconds) {
      requests.inc({ ...labels, code: String(code) });
      latency.observe(labels, seconds);
    },
    watchStarted: () => watches.inc(),
    watchEnded: () => watches.dec(),
    render: () => registry.metrics(),
  };
}
