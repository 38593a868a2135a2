// Data-transfer prices between two places, from the catalog's network figures: the basis of
// egress estimates for traffic the gateway sends between providers and regions.
import type { CloudProvider, PriceCatalog } from './catalog/contract.js';

export interface Place {
  provider: string;
  region: string;
}

/** Which kind of transfer a pair is, and so which price applies. */
export type TransferKind = 'same-region' | 'inter-region' | 'cross-cloud' | 'free';

/**
 * USD per GB sent from `from` to `to`, billed by the sender as providers do: cross-zone inside
 * one region, inter-region inside one provider, the sender's internet egress across clouds.
 * On-prem senders pay nothing here (their transit is not in the catalog).
 * Inter-region uses the same-continent figure, a lower bound for intercontinental traffic.
 */
export function transferPricePerGB(catalog: PriceCatalog, from: Place, to: Place): { kind: TransferKind; perGB: number } {
  if (from.provider === 'onprem') return { kind: 'free', perGB: 0 };
  const n = catalog.network(from.provider as CloudProvider);
  if (from.provider !== to.provider) return { kind: 'cross-cloud', perGB: n.internetEgressPerGB };
  if (from.region !== to.region) return { kind: 'inter-region', perGB: n.interRegionPerGB };
  return { kind: 'same-region', perGB: n.crossZonePerGB };
}
