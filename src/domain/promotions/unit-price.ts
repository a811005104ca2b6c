// Stage 1 of the stacking order (stacking.ts): the one unit price a line is charged.
// Its own module because priceLines (src/domain/pricing.ts) applies it to every line.

export type PriceSource = 'list' | 'member' | 'timed_discount';

/** Stage 1: the unit price a line is charged, and where it comes from. Ties keep the plainer price. */
export function unitPriceOf(line: { unitPriceFen: number; memberPriceFen: number | null; promotionalPriceFen?: number | null }, isMember: boolean): { unitPriceFen: number; source: PriceSource } {
  let best: { unitPriceFen: number; source: PriceSource } = { unitPriceFen: line.unitPriceFen, source: 'list' };
  if (isMember && line.memberPriceFen != null && line.memberPriceFen < best.unitPriceFen) best = { unitPriceFen: line.memberPriceFen, source: 'member' };
  if (line.promotionalPriceFen != null && line.promotionalPriceFen < best.unitPriceFen) best = { unitPriceFen: line.promotionalPriceFen, source: 'timed_discount' };
  return best;
}
