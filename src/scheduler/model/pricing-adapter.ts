// The one place that knows where cluster prices come from: the cost component's
// clusterPricing (pricing override, else node pools through the price catalog).
import type { Cluster } from '../../api/index.js';
import { clusterPricing, defaultCatalog, type ClusterPricing, type PriceCatalog } from '../../cost/index.js';

export type { ClusterPricing, PriceCatalog };

let shipped: PriceCatalog | undefined;

/**
 * Capacity and per-unit prices of a cluster, through `catalog` or the shipped default
 * catalog. Throws the cost component's ValidationError (a user error) when a price is unknown.
 */
export function priceCluster(cluster: Cluster, catalog?: PriceCatalog): ClusterPricing {
  shipped ??= catalog ? undefined : defaultCatalog();
  return clusterPricing(cluster, catalog ?? shipped!);
}
