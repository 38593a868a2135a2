// What the built-in handlers share: compiled options, metrics and the server's shutdown signal.
import type { ServerMetrics } from './metrics.js';
import type { CompiledServerOptions } from './options.js';

export interface ServerDeps {
  options: CompiledServerOptions;
  metrics: ServerMetrics;
  /** Open watch streams, bounded by `options.maxWatches`. */
  watches: { count: number };
}
