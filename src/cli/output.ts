// Output helpers shared by every command: a kubectl-like column printer (no borders, columns
// padded to their widest cell), ages, and the json/yaml renderings of `-o`.
import { stringify } from 'yaml';

/** Output formats accepted by `-o`. */
export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A writable text sink; process.stdout in production, a buffer in unit tests. */
export interface Out {
  write(s: string): unknown;
}

/**
 * Renders rows as kubectl does: upper-case headers, columns separated by three spaces, the
 * last column not padded (so long messages do not push trailing spaces).
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `-o json`: two-space indented, newline terminated. */
export function toJson(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

/** `-o yaml`: block style, no line folding (long strings stay greppable). */
export function toYaml(v: unknown): string {
  return stringify(v, { lineWidth: 0 });
}

/** kubectl-style age: `45s`, `12m`, `3h`, `5d`, `2y`. Unknown or future times print `<unknown>`. */
export function formatAge(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '<unknown>';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '<unknown>';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 730) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** Renders `{a: "1", b: "2"}` as `a=1,b=2` (`<none>` when empty), as kubectl's LABELS column. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

/** ANSI colours, applied only when the sink is a terminal (never in pipes, files or tests). */
export function colours(enabled: boolean) {
  const wrap = (code: number) => (s: string) => (enabled ? `\u001b[${code}m${s}\u001b[0m` : s);
  return { green: wrap(32), yellow: wrap(33), red: wrap(31), bold: wrap(1), dim: wrap(2) };
}

/**
 * Parses `--since` values: a duration back from now (`90s`, `15m`, `1h`, `7d`) or an ISO
 * time. Returns the ISO string, or undefined when the input is neither.
 */
export function parseSince(input: string, now: number = Date.now()): string | undefined {
  const m = /^(\d+)(s|m|h|d)$/.exec(input.trim());
  if (m) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(m[1]) * unit).toISOString();
  }
  const t = Date.parse(input);
  return Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(input) ? undefined : new Date(t).toISOString();
}
