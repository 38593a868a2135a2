// Importing a newer price file: validate a CSV with the shipped columns and build a catalog
// from it, keeping the shipped network prices and control-plane fees unless others are given.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ValidationError } from '../../api/index.js';
import { createPriceCatalog, type DataPriceCatalog, type PriceData } from './catalog.js';
import { parsePriceFile, type PriceFileOptions } from './price-file.js';
import { shippedPriceData } from './shipped.js';

export interface LoadPriceFileOptions extends Omit<PriceFileOptions, 'file'> {
  /** Network prices and control-plane fees to combine with; default: the shipped ones. */
  base?: Pick<PriceData, 'network' | 'controlPlane'>;
}

/**
 * Reads and validates a price CSV (see PRICE_COLUMNS) and returns a catalog of its prices.
 * Throws ValidationError naming the line and column of every bad cell.
 * @example const catalog = loadPriceFile('prices-2027-01.csv', { readOn: '2027-01-05' });
 */
export function loadPriceFile(path: string, opts: LoadPriceFileOptions = {}): DataPriceCatalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new ValidationError(`${path}: cannot read price file: ${why}`, [{ file: path, field: '', message: `cannot read price file: ${why}` }]);
  }
  const { base, ...parseOpts } = opts;
  const parsed = parsePriceFile(text, { ...parseOpts, file: path });
  const { network, controlPlane } = base ?? shippedPriceData();
  return createPriceCatalog({
    meta: {
      version: `file+sha256:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`,
      asOf: opts.readOn ?? new Date().toISOString().slice(0, 10),
      sources: parsed.sources,
      notes: parsed.notes,
    },
    instances: parsed.instances,
    network,
    controlPlane,
  });
}

/** Environment variable naming a price file that replaces the shipped instance prices. */
export const PRICE_FILE_ENV = 'TRUSTSTRAM_PRICE_FILE';
let cachedCatalog: DataPriceCatalog | undefined;

/**
 * The catalog every component prices with, loaded once per process: the shipped data, or the
 * price file named by `$TRUSTSTRAM_PRICE_FILE` (validated; a bad file stops start-up with the
 * line and column of every bad cell, it never falls back silently).
 * @example defaultCatalog().instance('gcp', 'europe-west1', 'n2-standard-4')
 */
export function defaultCatalog(): DataPriceCatalog {
  if (cachedCatalog) return cachedCatalog;
  const file = process.env[PRICE_FILE_ENV];
  cachedCatalog = file ? loadPriceFile(file) : createPriceCatalog(shippedPriceData());
  return cachedCatalog;
}
