// The member level at checkout, as pricing sees it: the stage-1 member price terms (member price
// eligibility or the level discount: src/domain/promotions/unit-price.ts), free shipping, the
// points multiplier.
import type { Db } from '../../db/client';
import type { ShippingPolicy } from '../../domain/pricing';
import type { MemberPriceTerms } from '../../domain/promotions/unit-price';
import { memberBenefitsAtCheckout } from './membership';

export async function memberPricing(db: Db, userId: string, now: number) {
  const benefits = await memberBenefitsAtCheckout(db, userId, now);
  const terms: MemberPriceTerms = { isMember: benefits.memberPrice, levelDiscountBps: benefits.discountBps };
  return {
    terms,
    shipping: (policy: ShippingPolicy): ShippingPolicy => (benefits.freeShipping ? () => 0 : policy),
    pointsMultiplierBps: benefits.pointsMultiplierBps,
  };
}
