// The member level at checkout, as pricing sees it: member price eligibility, the level discount
// (a PriceRule that runs before 满减/满折 and coupons), free shipping, the points multiplier.
import type { Db } from '../../db/client';
import { levelDiscountRule } from '../../domain/loyalty/levels';
import type { PriceRule, ShippingPolicy } from '../../domain/pricing';
import { memberBenefitsAtCheckout } from './membership';

export async function memberPricing(db: Db, userId: string, now: number) {
  const benefits = await memberBenefitsAtCheckout(db, userId, now);
  const rules: PriceRule[] = benefits.discountBps > 0 ? [levelDiscountRule(benefits.discountBps, benefits.levelName)] : [];
  return {
    isMember: benefits.memberPrice,
    rules,
    shipping: (policy: ShippingPolicy): ShippingPolicy => (benefits.freeShipping ? () => 0 : policy),
    pointsMultiplierBps: benefits.pointsMultiplierBps,
  };
}
