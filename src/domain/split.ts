// Splitting an amount of fen into parts that add up to it exactly (largest-remainder method):
// coupon shares across order lines, refunds across items, and so on.

/**
 * Splits `totalFen` in proportion to `weights`. The parts are integers, never negative, and
 * always sum to `totalFen`; leftover fen go to the parts with the largest remainders (ties to
 * the earlier part), so the result is deterministic.
 */
export function splitProportionally(totalFen: number, weights: number[]): number[] {
  if (!Number.isInteger(totalFen) || totalFen < 0) throw new RangeError('totalFen must be a non-negative integer');
  if (weights.some((w) => !Number.isFinite(w) || w < 0)) throw new RangeError('weights must be non-negative');
  const weightSum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) {
    if (totalFen !== 0) throw new RangeError('cannot split a non-zero amount into no parts');
    return [];
  }
  if (weightSum === 0)
    return splitProportionally(
      totalFen,
      weights.map(() => 1),
    );
  const exact = weights.map((w) => (totalFen * w) / weightSum);
  const parts = exact.map(Math.floor);
  let leftover = totalFen - parts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (leftover === 0) break;
    parts[i]! += 1;
    leftover -= 1;
  }
  return parts;
}
