// US dollars for messages: cents, except for amounts under a cent, which would all read $0.00
// (a 0.001 USD test budget was reported as "$0.00 of its $0.00 limit").

/** `$12.35`; `$0.0012` under a cent (two significant digits); `$0.00` for zero. */
export function formatUsd(x: number): string {
  if (x === 0 || !Number.isFinite(x) || Math.abs(x) >= 0.01) return `$${x.toFixed(2)}`;
  return `${x < 0 ? '-' : ''}$${Number(Math.abs(x).toPrecision(2))}`;
}
