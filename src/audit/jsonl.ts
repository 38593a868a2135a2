// JSON Lines export and import of the audit chain: one canonical JSON entry per line, with its
// prevHash and hash, so an exported file can be verified offline (`audit verify --bundle`).
import { ValidationError, type Cause } from '../api/index.js';
import type { AuditEntry } from '../store/store.js';
import { canonicalJson } from './canonical-json.js';

const STRING_FIELDS = ['time', 'actor', 'verb', 'prevHash', 'hash'] as const;
const OPTIONAL_STRING_FIELDS = ['kind', 'namespace', 'name', 'resourceVersion', 'beforeDigest', 'afterDigest'] as const;
const KNOWN = new Set<string>(['seq', 'details', ...STRING_FIELDS, ...OPTIONAL_STRING_FIELDS]);

/** One entry as one line (canonical JSON plus `\n`): for streaming an export. */
export function exportJsonlLine(entry: AuditEntry): string {
  return `${canonicalJson(entry)}\n`;
}

/**
 * Writes entries as JSON Lines, oldest first, each line the canonical JSON of the full entry.
 * @example fs.writeFileSync('audit.jsonl', exportJsonl(await store.auditLog()))
 */
export function exportJsonl(entries: Iterable<AuditEntry>): string {
  let out = '';
  for (const e of entries) out += exportJsonlLine(e);
  return out;
}

/**
 * Parses a JSON Lines export back into entries, in file order (verifyChain judges the order).
 * Blank lines are skipped. A line that is not a well-formed entry (bad JSON, missing or mistyped
 * field, unknown field) fails the whole parse: an offline verifier must not guess.
 * @throws {ValidationError} with one cause per bad line (`line N`).
 */
export function parseJsonl(text: string): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const causes: Cause[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      causes.push({ field: where, message: `not JSON: ${(err as Error).message}` });
      return;
    }
    const problem = entryProblem(value);
    if (problem) causes.push({ field: where, message: problem });
    else entries.push(value as AuditEntry);
  });
  if (causes.length) throw new ValidationError(`audit export is malformed: ${causes.length} bad line(s), first at ${causes[0]!.field}: ${causes[0]!.message}`, causes);
  return entries;
}

function entryProblem(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  if (typeof o.seq !== 'number' || !Number.isSafeInteger(o.seq) || o.seq < 1) return 'seq must be a positive integer';
  for (const f of STRING_FIELDS) if (typeof o[f] !== 'string') return `${f} must be a string`;
  for (const f of OPTIONAL_STRING_FIELDS) if (o[f] !== undefined && typeof o[f] !== 'string') return `${f} must be a string`;
  if (o.details !== undefined && (o.details === null || typeof o.details !== 'object' || Array.isArray(o.details))) return 'details must be an object';
  const unknown = Object.keys(o).find((k) => !KNOWN.has(k));
  if (unknown) return `unknown field "${unknown}"`;
  return undefined;
}
