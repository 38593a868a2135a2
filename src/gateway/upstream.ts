// Keep-alive connection pools to endpoints (undici), one per address, plus a separate
// one-connection client per endpoint for health probes so a saturated pool never makes a
// healthy endpoint look dead.
import { Client, Pool } from 'undici';
import type { CompiledGatewayOptions } from './options.js';

export interface Upstreams {
  pool(address: string): Pool;
  probeClient(address: string): Client;
  /** Closes pools of addresses no longer in use. */
  retain(addresses: ReadonlySet<string>): void;
  close(): Promise<void>;
}

/** Creates the pool set of one gateway. */
export function createUpstreams(o: CompiledGatewayOptions): Upstreams {
  const pools = new Map<string, Pool>();
  const probes = new Map<string, Client>();
  const common = {
    connect: { timeout: o.timeouts.connectMs },
    keepAliveTimeout: o.keepAliveTimeoutMs,
    // Idle sockets are dropped a little before typical servers drop them (Node's default is 5 s).
    keepAliveMaxTimeout: Math.max(o.keepAliveTimeoutMs, 1000),
  };
  return {
    pool(address) {
      let p = pools.get(address);
      if (!p) {
        // Connections per endpoint never exceed the circuit breaker, so undici never queues past it;
        // its headersTimeout is only a backstop behind the proxy's own per-try timer.
        p = new Pool(`http://${address}`, { ...common, connections: o.circuitBreaker.maxConcurrent, headersTimeout: o.timeouts.perTryMs + 1000, bodyTimeout: o.timeouts.idleMs });
        pools.set(address, p);
      }
      return p;
    },
    probeClient(address) {
      let c = probes.get(address);
      if (!c) {
        c = new Client(`http://${address}`, { ...common, connect: { timeout: o.healthCheck.timeoutMs }, headersTimeout: o.healthCheck.timeoutMs, bodyTimeout: o.healthCheck.timeoutMs });
        probes.set(address, c);
      }
      return c;
    },
    retain(addresses) {
      for (const [a, p] of pools)
        if (!addresses.has(a)) {
          pools.delete(a);
          void p.close().catch(() => p.destroy());
        }
      for (const [a, c] of probes)
        if (!addresses.has(a)) {
          probes.delete(a);
          void c.destroy();
        }
    },
    async close() {
      const all = [...pools.values(), ...probes.values()];
      pools.clear();
      probes.clear();
      await Promise.all(all.map((p) => p.destroy().catch(() => {})));
    },
  };
}
