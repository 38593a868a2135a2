// Canonical JSON (sorted keys, no whitespace) and SHA-256 digests: the byte form that audit
// hashes and object digests are computed over, so the same value always hashes the same.
import { createHash } from 'node:crypto';

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code units, no whitespace,
 * numbers and strings as `JSON.stringify` writes them (this matches RFC 8785 / JCS for the
 * values we store). Object members whose value is `undefined` are omitted, as in JSON.
 * @example canonicalJson({ b: 1, a: [true, null] }) === '{"a":[true,null],"b":1}'
 * @throws {TypeError} on values JSON cannot represent faithfully (NaN, Infinity, bigint,
 *   functions, symbols) so that a digest never silently covers a lossy form.
 */
export function canonicalJson(value: unknown): string {
  return write(value, 'value');
}

function write(v: unknown, path: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${path} is not a finite number`);
      return JSON.stringify(v);
    case 'object': {
      if (Array.isArray(v)) {
        // JSON turns holes and undefined in arrays into null; do the same explicitly.
        return `[${v.map((x, i) => (x === undefined ? 'null' : write(x, `${path}[${i}]`))).join(',')}]`;
      }
      if (v instanceof Date) return JSON.stringify(v.toISOString());
      const rec = v as Record<string, unknown>;
      const keys = Object.keys(rec).filter((k) => rec[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write(rec[k], `${path}.${k}`)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: ${path} has type ${typeof v}, which JSON cannot represent`);
  }
}

/** Lower-case hex SHA-256 of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** SHA-256 of the canonical JSON of a value: the digest stored in audit entries. */
export function digestOf(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
