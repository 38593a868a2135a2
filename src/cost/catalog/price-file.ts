// The price-file importer: reads a CSV of instance prices (the columns of the shipped
// cloud-prices.csv), validates every cell and reports errors by line and column.
import { ValidationError, lookupRegion, type Cause } from '../../api/index.js';
import { CLOUD_PROVIDERS } from './catalog.js';
import type { CloudProvider, InstancePrice } from './contract.js';
import { CsvSyntaxError, parseCsv } from './csv.js';

/** The required columns, in order; an optional `as_of` (YYYY-MM-DD) may follow. */
export const PRICE_COLUMNS = ['provider', 'region', 'instance_type', 'vcpu', 'memory_gib', 'ondemand_usd_per_hour', 'spot_usd_per_hour', 'source'] as const;
const AS_OF = 'as_of';
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// A source that says when it was generated dates its figures better than the import does.
const GENERATED = /generated (\d{4}-\d{2}-\d{2})/;
const MAX_ERRORS = 50;

export interface PriceFileOptions {
  /** Shown in errors; defaults to "price file". */
  file?: string;
  /** Date the figures were read, for rows without `as_of` and without a dated source. Default: today. */
  readOn?: string;
  /** Providers whose spot figures are dropped as untrustworthy. Default: `['azure']` (see ADR 0004). */
  untrustedSpot?: readonly CloudProvider[];
}

export interface ParsedPriceFile {
  instances: InstancePrice[];
  sources: string[];
  notes: string[];
}

/**
 * Parses and validates price-file text. Throws one ValidationError listing every bad cell as
 * `line N, column C (name): problem`, so a whole file can be fixed in one round.
 */
export function parsePriceFile(text: string, opts: PriceFileOptions = {}): ParsedPriceFile {
  const file = opts.file ?? 'price file';
  const readOn = opts.readOn ?? new Date().toISOString().slice(0, 10);
  const untrusted = new Set<string>(opts.untrustedSpot ?? ['azure']);
  const causes: Cause[] = [];
  const fail = (line: number, col: number, name: string, message: string) => {
    if (causes.length < MAX_ERRORS) causes.push({ file, field: name, message: `line ${line}, column ${col} (${name}): ${message}` });
  };
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new ValidationError(`${file}: ${e.message}`, [{ file, field: '', message: e.message }]);
    throw e;
  }
  const header = records[0];
  if (!header) throw new ValidationError(`${file}: empty price file: expected a header line ${PRICE_COLUMNS.join(',')}`, [{ file, field: '', message: 'empty price file' }]);
  const cols = header.fields.map((f) => f.trim());
  PRICE_COLUMNS.forEach((name, i) => {
    if (cols[i] !== name) fail(header.line, i + 1, name, `header must be "${name}", found ${cols[i] === undefined ? 'nothing' : `"${cols[i]}"`}`);
  });
  const hasAsOf = cols.length > PRICE_COLUMNS.length;
  if (hasAsOf && (cols[PRICE_COLUMNS.length] !== AS_OF || cols.length > PRICE_COLUMNS.length + 1))
    fail(header.line, PRICE_COLUMNS.length + 1, AS_OF, `only one optional column "${AS_OF}" may follow "source", found "${cols.slice(PRICE_COLUMNS.length).join(',')}"`);
  if (causes.length) throw summarise(file, causes);

  const instances: InstancePrice[] = [];
  const seen = new Map<string, number>();
  const notes = new Set<string>();
  const width = hasAsOf ? PRICE_COLUMNS.length + 1 : PRICE_COLUMNS.length;
  if (records.length === 1) fail(header.line, 1, 'provider', 'no price rows after the header');
  for (const rec of records.slice(1)) {
    const f = rec.fields.map((v) => v.trim());
    if (f.length !== width) {
      fail(rec.line, Math.min(f.length, width) + 1, f.length < width ? PRICE_COLUMNS[f.length] ?? AS_OF : 'source', `expected ${width} columns, found ${f.length}`);
      continue;
    }
    const before = causes.length;
    const [provider, region, instanceType, vcpuS, memS, odS, spotS, source] = f as [string, string, string, string, string, string, string, string];
    if (!CLOUD_PROVIDERS.includes(provider as CloudProvider)) fail(rec.line, 1, 'provider', `must be one of ${CLOUD_PROVIDERS.join(', ')}, got "${provider}"`);
    else if (!lookupRegion(provider, region))
      fail(rec.line, 2, 'region', `"${region}" is not a ${provider} region in the region catalog (names as the provider spells them, e.g. eu-west-1, westeurope, europe-west1)`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(instanceType)) fail(rec.line, 3, 'instance_type', `must be an instance type name, got "${instanceType}"`);
    const vcpu = positive(vcpuS);
    if (vcpu === undefined) fail(rec.line, 4, 'vcpu', `must be a positive number, got "${vcpuS}"`);
    const mem = positive(memS);
    if (mem === undefined) fail(rec.line, 5, 'memory_gib', `must be a positive number, got "${memS}"`);
    const od = positive(odS);
    if (od === undefined) fail(rec.line, 6, 'ondemand_usd_per_hour', `must be a positive price in USD per hour, got "${odS}"`);
    let spot: number | undefined;
    if (spotS !== '') {
      spot = positive(spotS);
      if (spot === undefined) fail(rec.line, 7, 'spot_usd_per_hour', `must be empty (unknown) or a positive price, got "${spotS}"`);
      else if (od !== undefined && spot > od) fail(rec.line, 7, 'spot_usd_per_hour', `spot price ${spot} is above the on-demand price ${od}`);
    }
    if (source === '') fail(rec.line, 8, 'source', 'every figure needs its source');
    let asOf = source.match(GENERATED)?.[1] ?? readOn;
    if (hasAsOf) {
      const a = f[PRICE_COLUMNS.length]!;
      if (a !== '' && !DATE.test(a)) fail(rec.line, 9, AS_OF, `must be a date YYYY-MM-DD, got "${a}"`);
      else if (a !== '') asOf = a;
    }
    const k = `${provider}/${region}/${instanceType}`;
    const prev = seen.get(k);
    if (prev !== undefined) fail(rec.line, 3, 'instance_type', `${k} is already priced on line ${prev}`);
    seen.set(k, rec.line);
    if (causes.length > before) continue;
    if (spot !== undefined && untrusted.has(provider)) {
      notes.add(`${provider} spot figures ignored as untrustworthy; ${provider} spot pools are priced at on-demand unless spec.pricing.spotFactor is given`);
      spot = undefined;
    }
    instances.push({
      provider: provider as CloudProvider,
      region,
      instanceType,
      vcpu: vcpu!,
      memoryGiB: mem!,
      onDemandHourly: od!,
      ...(spot !== undefined ? { spotHourly: spot } : {}),
      source,
      asOf,
    });
  }
  if (causes.length) throw summarise(file, causes);
  return { instances, sources: [...new Set(instances.map((i) => i.source))], notes: [...notes] };
}

function positive(s: string): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function summarise(file: string, causes: Cause[]): ValidationError {
  const first = causes[0]!;
  const more = causes.length > 1 ? ` (and ${causes.length - 1} more${causes.length >= MAX_ERRORS ? ', stopped counting' : ''})` : '';
  return new ValidationError(`${file}: ${first.message}${more}`, causes);
}
