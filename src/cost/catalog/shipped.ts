// The shipped price data (data/prices/ in the package): found once, parsed once, cached.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlPlaneFee, PriceData } from './catalog.js';
import type { CloudProvider, NetworkPrices } from './contract.js';
import { parsePriceFile } from './price-file.js';

const MANIFEST = join('data', 'prices', 'catalog.json');

interface Manifest {
  readOn: string;
  instanceFile: string;
  untrustedSpot: CloudProvider[];
  network: Record<CloudProvider, NetworkPrices>;
  controlPlane: Record<CloudProvider, ControlPlaneFee>;
}

/**
 * The folder holding `data/prices/`: the package root. Found by walking up from this file so
 * it works from the sources (tsx, vitest) and from the compiled `dist/` alike.
 */
export function packageDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, MANIFEST))) return join(dir, 'data', 'prices');
    const up = dirname(dir);
    if (up === dir) throw new Error(`shipped price data not found: no ${MANIFEST} above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let cachedData: PriceData | undefined;

/** The shipped price data as plain values (parsed on first use, then cached). */
export function shippedPriceData(): PriceData {
  if (cachedData) return cachedData;
  const dir = packageDataDir();
  const manifest = JSON.parse(readFileSync(join(dir, 'catalog.json'), 'utf8')) as Manifest;
  const csvPath = join(dir, manifest.instanceFile);
  const text = readFileSync(csvPath, 'utf8');
  const parsed = parsePriceFile(text, { file: csvPath, readOn: manifest.readOn, untrustedSpot: manifest.untrustedSpot });
  cachedData = {
    meta: {
      version: `shipped-${manifest.readOn}+sha256:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`,
      asOf: manifest.readOn,
      sources: [...parsed.sources, ...new Set([...Object.values(manifest.network), ...Object.values(manifest.controlPlane)].map((x) => x.source))],
      notes: parsed.notes,
    },
    instances: parsed.instances,
    network: manifest.network,
    controlPlane: manifest.controlPlane,
  };
  return cachedData;
}

