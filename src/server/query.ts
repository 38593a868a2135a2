// Query parameters shared by resource endpoints, parsed once into typed values; anything
// malformed is a 400 naming the parameter, never a 500 further in.
import { BadRequestError, parseSelector } from '../api/index.js';

/** `?dryRun=All` (the only value Kubernetes defines) → true; absent → false. */
export function parseDryRun(q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  if (values.length === 0) return false;
  for (const v of values) if (v !== 'All') throw badParam('dryRun', `unsupported value "${v}": the only value is "All"`);
  return true;
}

/** Store revisions are decimal integers; anything else is rejected before the store sees it. */
export function parseResourceVersion(q: URLSearchParams, name = 'resourceVersion'): string | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d{1,19}$/.test(v)) throw badParam(name, `"${v}" is not a resourceVersion (a decimal revision such as "42")`);
  return v;
}

/** Validates `?labelSelector=` with the same parser the store uses; returns the raw string. */
export function parseLabelSelectorParam(q: URLSearchParams): string | undefined {
  const v = q.get('labelSelector');
  if (v === null || v.trim() === '') return undefined;
  try {
    parseSelector(v);
  } catch (err) {
    throw badParam('labelSelector', (err as Error).message);
  }
  return v;
}

/** Supports the two field selectors kubectl sends: `metadata.name=` and `metadata.namespace=`. */
export function parseFieldSelector(q: URLSearchParams): { name?: string; namespace?: string } {
  const v = q.get('fieldSelector');
  const out: { name?: string; namespace?: string } = {};
  if (v === null || v.trim() === '') return out;
  for (const term of v.split(',')) {
    const m = /^\s*metadata\.(name|namespace)\s*==?\s*([^,\s]+)\s*$/.exec(term);
    if (!m) throw badParam('fieldSelector', `unsupported term "${term}": only metadata.name= and metadata.namespace= are supported`);
    out[m[1] as 'name' | 'namespace'] = m[2]!;
  }
  return out;
}

/** `?watch=true|1` */
export function parseWatch(q: URLSearchParams): boolean {
  const v = q.get('watch');
  if (v === null || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw badParam('watch', `"${v}" is not a boolean`);
}

/** `?timeoutSeconds=N` for watches, capped by the server's own maximum. */
export function parseTimeoutSeconds(q: URLSearchParams): number | undefined {
  const v = q.get('timeoutSeconds');
  if (v === null || v === '') return undefined;
  if (!/^\d{1,9}$/.test(v)) throw badParam('timeoutSeconds', `"${v}" is not a whole number of seconds`);
  return Number(v);
}

/** Positive whole number parameter with an upper bound. */
export function parseIntParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw badParam(name, `"${v}" must be a whole number from ${min} to ${max}`);
  return n;
}

export function badParam(name: string, message: string): BadRequestError {
  return new BadRequestError(`invalid query parameter ${name}: ${message}`, [{ field: name, message }]);
}
