// Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `4Gi`, `1e3`) parsed into plain numbers.

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

// Same grammar as k8s.io/apimachinery resource.Quantity: signed decimal, then a binary or
// decimal SI suffix or a decimal exponent.
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * Largest magnitude of any quantity in its base unit (bytes, cores): 2^53 - 1, the last whole
 * number a double holds exactly. `1e400` and `99999999999999999999Ei` are refused, not rounded.
 */
export const MAX_QUANTITY = Number.MAX_SAFE_INTEGER;
/** Largest CPU quantity in cores: MAX_SAFE_INTEGER millicores, so millicore arithmetic stays exact. */
export const MAX_CPU_CORES = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** Result of parsing: the value, or why it is not a quantity. */
export type QuantityResult = { ok: true; value: number } | { ok: false; error: string };

/**
 * Parses a Kubernetes quantity into a number (cores for CPU, bytes for memory).
 * @example parseQuantity('250m') // { ok: true, value: 0.25 }
 * @example parseQuantity('4Gi')  // { ok: true, value: 4294967296 }
 */
export function parseQuantity(input: unknown): QuantityResult {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, error: 'must be a finite number' };
    return Math.abs(input) > MAX_QUANTITY ? { ok: false, error: outOfRange(input) } : { ok: true, value: input };
  }
  if (typeof input !== 'string') return { ok: false, error: `must be a quantity such as "500m" or "2Gi", got ${typeof input}` };
  const m = QUANTITY.exec(input.trim());
  if (!m) return { ok: false, error: `"${input}" is not a valid quantity (examples: 250m, 1.5, 512Mi, 4Gi, 1e3)` };
  const num = Number(m[1]);
  const suffix = m[2] ?? '';
  let mult: number;
  if (suffix in BINARY) mult = BINARY[suffix]!;
  else if (suffix in DECIMAL) mult = DECIMAL[suffix]!;
  else mult = 10 ** Number(suffix.slice(1));
  const value = num * mult;
  if (!Number.isFinite(value) || Math.abs(value) > MAX_QUANTITY) return { ok: false, error: outOfRange(input) };
  return { ok: true, value };
}

function outOfRange(input: string | number): string {
  return `${JSON.stringify(input)} is out of range: a quantity must be at most ${MAX_QUANTITY} (2^53 - 1) in its base unit`;
}

/** Parses a quantity already validated at the boundary; throws on a broken invariant. */
export function quantity(input: string | number): number {
  const r = parseQuantity(input);
  if (!r.ok) throw new TypeError(`invalid quantity reached the core: ${r.error}`);
  return r.value;
}

/** Formats cores the way kubectl does: whole cores plain, fractions in millicores. */
export function formatCpu(cores: number): string {
  if (Number.isInteger(cores)) return String(cores);
  return `${Math.round(cores * 1000)}m`;
}

/** Formats bytes with the largest binary suffix that keeps one decimal of precision. */
export function formatBytes(bytes: number): string {
  const units = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const;
  for (const u of units) {
    const v = bytes / BINARY[u]!;
    if (v >= 1) return `${Number.isInteger(v) ? v : v.toFixed(1)}${u}`;
  }
  return String(bytes);
}

export const GiB = 2 ** 30;
