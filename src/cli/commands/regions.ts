// `truststram get regions`: the region catalog with jurisdictions, from the server when one
// is reachable (its catalog is the one admission uses), else from the catalog built in.
import { REGIONS, type RegionInfo } from '../../api/index.js';
import { UnreachableError, type Client } from '../client.js';
import type { CliContext } from '../context.js';
import { formatTable, toJson, toYaml, type OutputFormat } from '../output.js';

export interface RegionFilter {
  provider?: string;
  residency?: string;
}

/** Filters the catalog by provider and jurisdiction, sorted provider then name. */
export function filterRegions(regions: readonly RegionInfo[], f: RegionFilter): RegionInfo[] {
  return regions
    .filter((r) => (!f.provider || r.provider === f.provider) && (!f.residency || r.jurisdiction === f.residency))
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name));
}

async function fetchRegions(ctx: CliContext, client: Client, f: RegionFilter): Promise<RegionInfo[]> {
  try {
    const q = new URLSearchParams();
    if (f.provider) q.set('provider', f.provider);
    if (f.residency) q.set('jurisdiction', f.residency);
    const res = await client.request<{ items?: RegionInfo[] } | RegionInfo[]>('GET', `/api/v1alpha1/regions${q.size ? `?${q}` : ''}`);
    return Array.isArray(res) ? res : (res.items ?? []);
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    ctx.stderr.write(`note: no server at ${client.server}; showing the region catalog built into this CLI\n`);
    return [...REGIONS];
  }
}

/** Prints the regions; filters are applied here too so both sources behave the same. */
export async function getRegions(ctx: CliContext, client: Client, opts: RegionFilter & { format: OutputFormat }): Promise<void> {
  const regions = filterRegions(await fetchRegions(ctx, client, opts), opts);
  if (opts.format === 'json') return void ctx.stdout.write(toJson({ items: regions }));
  if (opts.format === 'yaml') return void ctx.stdout.write(toYaml({ items: regions }));
  const wide = opts.format === 'wide';
  const headers = ['PROVIDER', 'REGION', 'RESIDENCY', 'COUNTRY', 'LOCATION', ...(wide ? ['LAT', 'LON'] : [])];
  const rows = regions.map((r) => [r.provider, r.name, r.jurisdiction, r.country, r.location, ...(wide ? [String(r.lat), String(r.lon)] : [])]);
  ctx.stdout.write(formatTable(headers, rows));
}
