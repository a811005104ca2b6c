// Stage 1 of the stacking order (stacking.ts): the one unit price a line is charged.
// Its own module because priceLines (src/domain/pricing.ts) applies it to every line.

export type PriceSource = 'list' | 'member' | 'member_level' | 'timed_discount';

/**
 * What the shopper's member level gives in stage 1: the SKUs' member prices, or (the shop's
 * other mode) a level discount in basis points off the list price. Both are member prices: a
 * line gets the lower of its member price and its 限时折扣 price, never one on top of the other.
 */
export type MemberPriceTerms = { isMember: boolean; levelDiscountBps?: number };

/** The list price less the level's discount, per unit (rounded in the shop's favour, like every share). */
export const levelDiscountedPrice = (listPriceFen: number, discountBps: number) => listPriceFen - Math.floor((listPriceFen * discountBps) / 10_000);

/** Stage 1: the unit price a line is charged, and where it comes from. Ties keep the plainer price. */
export function unitPriceOf(
  line: { unitPriceFen: number; memberPriceFen: number | null; promotionalPriceFen?: number | null },
  member: MemberPriceTerms,
): { unitPriceFen: number; source: PriceSource } {
  let best: { unitPriceFen: number; source: PriceSource } = { unitPriceFen: line.unitPriceFen, source: 'list' };
  const offer = (unitPriceFen: number | null | undefined, source: PriceSource) => {
    if (unitPriceFen != null && unitPriceFen < best.unitPriceFen) best = { unitPriceFen, source };
  };
  if (member.isMember) offer(line.memberPriceFen, 'member');
  if (member.levelDiscountBps) offer(levelDiscountedPrice(line.unitPriceFen, member.levelDiscountBps), 'member_level');
  offer(line.promotionalPriceFen, 'timed_discount');
  return best;
}
