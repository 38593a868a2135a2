// Loads the server, scheduler and price catalog on demand: commands that do not need them
// (get, apply, ...) start faster, and the CLI stays decoupled from their internals — it
// relies only on each component's index and the small shapes declared here.

/** What `startServer` returns (src/server/index.ts). */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServerStartOptions {
  listen?: string;
  dataDir?: string;
  storeSpec?: string;
  tokenFile?: string;
}

export interface ServerModule {
  startServer(opts: ServerStartOptions): Promise<RunningServer>;
}

export interface SchedulerModule {
  scheduleOffline(fleet: unknown[], workloads: unknown[], opts?: { timeLimitMs?: number; explain?: boolean }): unknown | Promise<unknown>;
  formatScheduleTable(result: any, opts?: { explain?: boolean }): string;
}

export interface CostModule {
  defaultCatalog(): import('../cost/catalog/contract.js').PriceCatalog;
}

// The specifiers are variables so each component can land independently of the CLI build.
const SERVER = '../server/index.js';
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

export const loadServer = () => load<ServerModule>(SERVER, 'the API server', 'startServer');
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
