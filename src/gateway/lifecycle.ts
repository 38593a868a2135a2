// Start-up and view helpers shared by the gateway's three shapes (one Node process, Node
// workers, the HAProxy data plane): waiting for the first table, listening, endpoint counts.
import type { Server } from 'node:http';
import type { EndpointView } from './gateway.js';
import type { CompiledGatewayOptions } from './options.js';
import type { RouteTable } from './route-table.js';

/**
 * Starts the table source and waits for its first table, but not forever: an unreachable API
 * server must not keep the listener down (until it syncs, every request gets 404 no_route).
 * Resolves false, after logging, when the wait timed out.
 */
export async function awaitFirstTable(o: CompiledGatewayOptions, adopt: (t: RouteTable) => void): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const synced = await Promise.race([o.source.start(adopt).then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), o.syncTimeoutMs)))]);
  clearTimeout(timer);
  if (!synced) o.log(`no routing table after ${o.syncTimeoutMs} ms; serving with an empty table until the source syncs`);
  return synced;
}

/** `server.listen`, as a promise that rejects with the listen error (EADDRINUSE...). */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Endpoints per route and state (`not_ready`, `unhealthy`, `ejected`, `ready`) for the metrics gauge. */
export function endpointStateCounts(list: readonly EndpointView[]): { route: string; state: string; count: number }[] {
  const counts = new Map<string, { route: string; state: string; count: number }>();
  for (const e of list) {
    const state = !e.ready ? 'not_ready' : !e.healthy ? 'unhealthy' : e.ejected ? 'ejected' : 'ready';
    const k = `${e.route}\0${state}`;
    const c = counts.get(k);
    if (c) c.count++;
    else counts.set(k, { route: e.route, state, count: 1 });
  }
  return [...counts.values()];
}
