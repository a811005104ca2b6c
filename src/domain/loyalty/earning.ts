// Points an order earns: per yuan actually paid for its goods, times its category's multiplier,
// times the birthday multiplier in the shopper's birthday month, capped per order. Exact integer
// arithmetic (BigInt: fen × points per yuan × basis points exceeds 2^53 on large orders).

export type EarningLine = { paidFen: number; multiplierBps: number };
export type EarningPolicy = { pointsPerYuan: number; perOrderCap: number | null; birthdayMultiplierBps: number | null };

const BPS = 10_000n;

export function pointsEarned(lines: readonly EarningLine[], policy: EarningPolicy): number {
  const scaled = lines.reduce((sum, l) => sum + BigInt(l.paidFen) * BigInt(policy.pointsPerYuan) * BigInt(l.multiplierBps), 0n);
  let points = scaled / (100n * BPS);
  if (policy.birthdayMultiplierBps !== null) points = (points * BigInt(policy.birthdayMultiplierBps)) / BPS;
  const earned = Number(points);
  return policy.perOrderCap === null ? earned : Math.min(earned, policy.perOrderCap);
}
