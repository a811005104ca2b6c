// The member level at checkout, as pricing sees it: the stage-1 member price terms (member price
// eligibility or the level discount: src/domain/promotions/unit-price.ts), free shipping, the
// points multiplier.
import type { Db } from '../../db/client';
import type { ShippingPolicy } from '../../domain/pricing';
import type { MemberPriceTerms } from '../../domain/promotions/unit-price';
import { memberBenefitsRead, type MemberBenefits } from './membership';
import { mapRead } from '../../db/reads';

export const memberPricingRead = (db: Db, userId: string, now: number) => mapRead(memberBenefitsRead(db, userId, now), memberPricingOf);

function memberPricingOf(benefits: MemberBenefits) {
  const terms: MemberPriceTerms = { isMember: benefits.memberPrice, levelDiscountBps: benefits.discountBps };
  return {
    terms,
    shipping: (policy: ShippingPolicy): ShippingPolicy => (benefits.freeShipping ? () => 0 : policy),
    pointsMultiplierBps: benefits.pointsMultiplierBps,
  };
}
