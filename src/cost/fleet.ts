// Pricing a whole fleet at once: every cluster's pricing, or one error listing every cluster
// that cannot be priced, so a fleet file is fixed in one round.
import { ValidationError, type Cause, type Cluster } from '../api/index.js';
import type { PriceCatalog } from './catalog/contract.js';
import { clusterPricing, type ClusterPricing } from './pricing.js';

/**
 * Prices every cluster; throws one ValidationError carrying the causes of all failures.
 * @example const prices = priceFleet(clusters, defaultCatalog()); prices.get('aws-eu')?.onDemand
 */
export function priceFleet(clusters: readonly Cluster[], catalog: PriceCatalog): Map<string, ClusterPricing> {
  const out = new Map<string, ClusterPricing>();
  const causes: Cause[] = [];
  for (const c of clusters) {
    try {
      out.set(c.metadata.name, clusterPricing(c, catalog));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      causes.push(...e.causes);
    }
  }
  if (causes.length) {
    const first = causes[0]!;
    throw new ValidationError(`${causes.length === 1 ? '' : `${causes.length} clusters cannot be priced, first: `}${first.object}: ${first.field}: ${first.message}`, causes);
  }
  return out;
}
