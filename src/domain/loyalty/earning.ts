// Points an order earns: per yuan actually paid for its goods, times its category's multiplier,
// times the order-wide multipliers (the member level's), capped per order. Exact integer
// arithmetic (BigInt: fen × points per yuan × basis points exceeds 2^53 on large orders).

export type EarningLine = { paidFen: number; multiplierBps: number };
export type EarningPolicy = { pointsPerYuan: number; perOrderCap: number | null; orderMultipliersBps: readonly number[] };

const BPS = 10_000n;

export function pointsEarned(lines: readonly EarningLine[], policy: EarningPolicy): number {
  const scaled = lines.reduce((sum, l) => sum + BigInt(l.paidFen) * BigInt(policy.pointsPerYuan) * BigInt(l.multiplierBps), 0n);
  const points = policy.orderMultipliersBps.reduce((p, bps) => (p * BigInt(bps)) / BPS, scaled / (100n * BPS));
  const earned = Number(points);
  return policy.perOrderCap === null ? earned : Math.min(earned, policy.perOrderCap);
}
