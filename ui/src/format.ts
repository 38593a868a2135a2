// Number and time formatting shared by the views.

/** `$12.34`, `$0.0042` for small amounts, `$1.2k` above ten thousand. */
export function usd(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (Math.abs(v) >= 10_000) return `$${(v / 1000).toFixed(1)}k`;
  if (Math.abs(v) < 1 && v !== 0) return `$${v.toFixed(4)}`;
  return `$${v.toFixed(2)}`;
}

export const pct = (v: number | undefined, digits = 0) => (v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`);

/** Bytes as GiB/MiB. */
export function bytes(v: number | undefined): string {
  if (v === undefined) return '–';
  if (v >= 2 ** 30) return `${(v / 2 ** 30).toFixed(1)} GiB`;
  return `${(v / 2 ** 20).toFixed(0)} MiB`;
}

/** `3 s ago`, `5 min ago`, `2 h ago`. */
export function ago(iso: string | number | undefined, now = Date.now()): string {
  if (iso === undefined) return '–';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(t)) return '–';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export const clock = (iso: string | number) => new Date(iso).toLocaleTimeString([], { hour12: false });

/** A duration in ms as `850 ms` / `2.4 s` / `1 min 5 s`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
