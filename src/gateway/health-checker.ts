// Active health checks: every interval, one GET of the route's probe path per endpoint (never
// two in flight for one endpoint). Any answer below 500 within the timeout is a pass: the
// agent owns readiness; the gateway asks whether the endpoint answers, in time, from here.
import type { Balancer } from './balancer.js';
import type { CompiledGatewayOptions } from './options.js';
import type { RouteTable } from './route-table.js';
import type { Upstreams } from './upstream.js';

export interface HealthChecker {
  setTable(table: RouteTable): void;
  stop(): void;
}

/** Starts probing every endpoint the current table marks ready. */
export function startHealthChecker(o: CompiledGatewayOptions, balancer: Balancer, upstreams: Upstreams): HealthChecker {
  let paths = new Map<string, { address: string; path: string }>();
  const inFlight = new Set<string>();
  const probe = async (id: string, address: string, path: string) => {
    inFlight.add(id);
    let ok = false;
    try {
      const r = await upstreams.probeClient(address).request({ method: 'GET', path, headers: { 'user-agent': 'truststram-gateway-healthcheck' }, signal: AbortSignal.timeout(o.healthCheck.timeoutMs) });
      await r.body.dump();
      ok = r.statusCode < 500;
    } catch {
      ok = false;
    } finally {
      inFlight.delete(id);
    }
    const s = balancer.get(id);
    if (s) balancer.probe(s, ok);
  };
  const tick = () => {
    for (const [id, { address, path }] of paths) if (!inFlight.has(id)) void probe(id, address, path);
  };
  const timer = o.healthCheck.enabled ? setInterval(tick, o.healthCheck.intervalMs) : undefined;
  timer?.unref();
  return {
    setTable(table) {
      const next = new Map<string, { address: string; path: string }>();
      for (const r of table.routes)
        for (const ep of r.endpoints) if (ep.ready) next.set(ep.id, { address: ep.address, path: r.healthCheckPath ?? o.healthCheck.path });
      paths = next;
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
