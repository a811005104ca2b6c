// The stacking order of every price reduction, in one place (README, "Stacking"):
//
//   1. unit price   (unit-price.ts) the lowest of list price, member price and 限时折扣 price: one of them,
//                   never two on top of each other. (A member-level discount is a member
//                   price: it is one more candidate here, not a stage of its own.)
//   2. promotion    at most one 满减/满折 activity: the one whose best reached tier saves most.
//   3. coupon       at most one coupon: the one chosen, or else the best usable one.
//   4. later rules  (points) come after the coupon, as PriceRules appended to these.
//
// Campaign prices (flash sale, group buy, bargain) take no promotion or coupon unless their
// campaign allows it (scope.ts, takesPromotions). Each stage sees what the earlier stages left
// of each line and is capped by it; priceLines shares each discount among its lines exactly.
import type { PriceRule, PricedLine } from '../pricing';
import { bestActivity, type ActivityEvaluation, type TieredActivity } from './activity';
import { bestCoupon, evaluateCoupon, type CouponEvaluation, type CouponRefusal, type HeldCoupon } from './coupon';
import type { LineGoods } from './scope';

export { unitPriceOf, type PriceSource } from './unit-price';

/** Which coupon to use: the best usable one (the default), none, or the one the shopper picked. */
export type CouponChoice = { kind: 'best' } | { kind: 'none' } | { kind: 'chosen'; couponId: string };

export type PromotionInputs = {
  goodsOf: (skuId: string) => LineGoods;
  activities: readonly TieredActivity[];
  /** The shopper's unused coupons (each with its label for the order's adjustments). */
  wallet: readonly (HeldCoupon & { label: string })[];
  couponChoice: CouponChoice;
  now: number;
};

export type WalletEntry = { coupon: HeldCoupon & { label: string }; evaluation: CouponEvaluation };

export type PromotionOutcome = {
  activity: ActivityEvaluation | null;
  coupon: WalletEntry | null;
  /** Every coupon in the wallet, evaluated after stage 2 (what the coupon stage saw). */
  wallet: WalletEntry[];
  /** The chosen coupon's refusal, when the shopper picked one that cannot be used. */
  chosenRefusal: CouponRefusal | null;
};

/** Stages 2 and 3 as PriceRules, and what they decided (read after priceLines has run them). */
export function promotionStages(inputs: PromotionInputs): { rules: PriceRule[]; outcome: () => PromotionOutcome } {
  const outcome: PromotionOutcome = { activity: null, coupon: null, wallet: [], chosenRefusal: null };
  const promotionStage: PriceRule = (lines) => {
    outcome.activity = bestActivity(inputs.activities, lines, inputs.goodsOf);
    const a = outcome.activity;
    return a ? [{ source: 'promotion', label: a.activity.name, amountFen: a.savingFen, skuIds: a.skuIds, ref: a.activity.id }] : [];
  };
  const couponStage: PriceRule = (lines: readonly PricedLine[]) => {
    outcome.wallet = inputs.wallet.map((coupon) => ({ coupon, evaluation: evaluateCoupon(coupon, lines, inputs.goodsOf, inputs.now) }));
    const choice = inputs.couponChoice;
    let picked: WalletEntry | null = null;
    if (choice.kind === 'best') picked = bestCoupon(outcome.wallet);
    else if (choice.kind === 'chosen') {
      const entry = outcome.wallet.find((w) => w.coupon.id === choice.couponId) ?? null;
      if (entry && !entry.evaluation.usable) outcome.chosenRefusal = entry.evaluation.reason;
      else picked = entry;
    }
    outcome.coupon = picked;
    if (!picked?.evaluation.usable) return [];
    return [{ source: 'coupon', label: picked.coupon.label, amountFen: picked.evaluation.savingFen, skuIds: picked.evaluation.skuIds, ref: picked.coupon.id }];
  };
  return { rules: [promotionStage, couponStage], outcome: () => outcome };
}
