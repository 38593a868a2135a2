// Loads the server, scheduler and price catalog on demand: commands that do not need them
// (get, apply, ...) start faster, since the server pulls in SQLite and the scheduler its
// solver. The CLI relies only on each component's index.
import type { PriceCatalog } from '../cost/catalog/contract.js';
import type { RunningServer, ServerOptions } from '../server/index.js';

export type { RunningServer, ServerOptions };

/** The API server (`startServer`), for `server` and `demo`. */
export const loadServer = () => import('../server/index.js');

/** The whole control plane (server, controllers, managed agents), for `server` and `demo`. */
export const loadControlPlane = () => import('../controlplane/index.js');

/** The local cluster agent, for `agent`. */
export const loadDrivers = () => import('../drivers/index.js');

/** The placement engine (`scheduleOffline`, `formatScheduleTable`), for `schedule`. */
export const loadScheduler = () => import('../scheduler/index.js');

/** The shipped price catalog (`defaultCatalog`), for `catalog` and capacity columns. */
export const loadCost = async (): Promise<{ defaultCatalog(): PriceCatalog }> => import('../cost/index.js');

/**
 * Instance sizes from the shipped catalog, for clusters declared by node pools; undefined when
 * the catalog cannot be loaded (the table then counts nodes instead).
 */
export async function loadInstanceSizer(): Promise<((provider: string, region: string, type: string) => { vcpu: number; memoryGiB: number } | undefined) | undefined> {
  try {
    const cat = (await loadCost()).defaultCatalog();
    return (provider, region, type) => cat.instance(provider, region, type);
  } catch {
    return undefined;
  }
}
