// Drivers: the contract every place-where-replicas-run implements, and the registry that is
// the only place knowing every driver type. Import drivers from here, not from their folders.
import type { Driver } from './contract.js';
import { createLocalDriver, type LocalDriverOptions } from './local/index.js';

export * from './contract.js';
export * from './local/index.js';

/** Options per driver type (`Cluster.spec.driver.type`). The Kubernetes driver joins later. */
export interface DriverOptionsByType {
  local: LocalDriverOptions;
}

const factories: { [T in keyof DriverOptionsByType]: (o: DriverOptionsByType[T]) => Driver } = {
  local: createLocalDriver,
};

/** The driver types this build knows. */
export const DRIVER_TYPES = Object.keys(factories) as (keyof DriverOptionsByType)[];

/**
 * Creates a driver of the given type.
 * @example const d = createDriver('local', { cluster: 'aws-eu-1' });
 */
export function createDriver<T extends keyof DriverOptionsByType>(type: T, options: DriverOptionsByType[T]): Driver {
  const f = factories[type] as ((o: DriverOptionsByType[T]) => Driver) | undefined;
  if (!f) throw new TypeError(`unknown driver type "${String(type)}" (known: ${DRIVER_TYPES.join(', ')})`);
  return f(options);
}
