// Replica division by static weights with the Webster / Sainte-Laguë divisor method, as
// Karmada divides by staticWeightList: seats go one at a time to the largest weight/(2s+1).

/**
 * Divides `replicas` among entries in proportion to their weights; missing or empty weights
 * mean equal weights. Ties go to the larger weight, then to the earlier entry.
 * @example websterDivide(13, [3, 2, 1]) // [7, 4, 2]
 */
export function websterDivide(replicas: number, weights: readonly number[]): number[] {
  const n = weights.length;
  const out = new Array<number>(n).fill(0);
  if (n === 0) return out;
  const w = weights.every((x) => x > 0) ? weights : weights.map(() => 1);
  for (let seat = 0; seat < replicas; seat++) {
    let best = 0;
    let bestQ = -1;
    for (let i = 0; i < n; i++) {
      const q = w[i]! / (2 * out[i]! + 1);
      // Compare q_i > q_best exactly via cross-multiplication to avoid float ties going astray.
      const lhs = w[i]! * (2 * out[best]! + 1);
      const rhs = w[best]! * (2 * out[i]! + 1);
      if (bestQ < 0 || lhs > rhs || (lhs === rhs && w[i]! > w[best]!)) {
        best = i;
        bestQ = q;
      }
    }
    out[best]!++;
  }
  return out;
}
