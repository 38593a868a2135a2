// Loads the server, scheduler and price catalog on demand: commands that do not need them
// (get, apply, ...) start faster, and the CLI stays decoupled from their internals — it
// relies only on each component's index and the small shapes declared here.

import type { RunningServer, ServerOptions } from '../server/index.js';

export type { RunningServer, ServerOptions };

export interface ServerModule {
  startServer(opts: ServerOptions): Promise<RunningServer>;
}

export interface SchedulerModule {
  scheduleOffline(fleet: unknown[], workloads: unknown[], opts?: { timeLimitMs?: number; explain?: boolean }): unknown | Promise<unknown>;
  formatScheduleTable(result: any, opts?: { explain?: boolean }): string;
}

export interface CostModule {
  defaultCatalog(): import('../cost/catalog/contract.js').PriceCatalog;
}

// The specifiers are variables so these components can land independently of the CLI build.
const SCHEDULER = '../scheduler/index.js';
const COST = ['../cost/index.js', '../cost/catalog/index.js'];

async function load<T>(specifier: string, what: string, exportName: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(specifier.replace('../', '').replace('.js', '')))
      throw new Error(`${what} is not part of this build yet (${specifier} is missing)`);
    throw err;
  }
  if (typeof mod[exportName] !== 'function') throw new Error(`${what} does not export ${exportName}()`);
  return mod as T;
}

/** The server pulls in SQLite; only `server` and `demo` pay for loading it. */
export const loadServer = async (): Promise<ServerModule> => import('../server/index.js');
export const loadScheduler = () => load<SchedulerModule>(SCHEDULER, 'the scheduler', 'scheduleOffline');
export async function loadCost(): Promise<CostModule> {
  let last: unknown;
  for (const spec of COST) {
    try {
      return await load<CostModule>(spec, 'the price catalog', 'defaultCatalog');
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

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
