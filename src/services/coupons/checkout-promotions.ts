// What checkout needs from store promotions and the shopper's coupons: each SKU's 限时折扣 price,
// and stages 2 and 3 of the stacking order (src/domain/promotions/stacking.ts) over the
// shopper's wallet. A coupon id that is not this shopper's is a 404 and discounts nothing.
import type { Db } from '../../db/client';
import { combine, known, mapRead } from '../../db/reads';
import { timedPriceOf } from '../../domain/promotions/activity';
import { promotionStages, type CouponChoice, type PromotionOutcome } from '../../domain/promotions/stacking';
import { ApiError, businessRule } from '../../lib/errors';
import type { PurchasableSku } from '../purchasable';
import { activeActivitiesRead, currentTimedDiscountsRead } from '../promotions/active';
import { ownCouponRead, walletRead } from './wallet';

/** The request's coupon_id: absent = the best one, null = none, an id = that one. */
export type CouponRequest = string | null | undefined;

export const couponChoiceOf = (couponId: CouponRequest): CouponChoice => (couponId === undefined ? { kind: 'best' } : couponId === null ? { kind: 'none' } : { kind: 'chosen', couponId });

/** What checkout reads of store promotions and the shopper's coupons (the chosen one checked first: 404, 409). */
export const checkoutPromotionsRead = (db: Db, userId: string, now: number, couponId: CouponRequest) =>
  mapRead(
    combine({
      chosen: couponId ? ownCouponRead(db, userId, couponId) : known(null),
      activities: activeActivitiesRead(db, now),
      discounts: currentTimedDiscountsRead(db, now),
      wallet: walletRead(db, userId),
    }),
    (got) => {
      const own = got.chosen; // 404 for anyone else's
      if (own && own.status !== 'unused') throw new ApiError(409, 'coupon_unavailable', `This coupon is ${own.status}.`, [{ path: 'body.coupon_id', message: `is ${own.status}` }]);
      const { activities, discounts, wallet } = got;
      return {
        timedPriceOf: (sku: PurchasableSku) => timedPriceOf(discounts, sku, now)?.priceFen ?? null,
        stages: (skus: Map<string, PurchasableSku>) =>
          promotionStages({
            goodsOf: (skuId) => ({ productId: skus.get(skuId)!.productId, categoryId: skus.get(skuId)!.categoryId }),
            activities,
            wallet,
            couponChoice: couponChoiceOf(couponId),
            now,
          }),
      };
    },
  );

/**
 * A chosen coupon that left the wallet between the ownership check and the wallet's read (another
 * order locked it): 409, never an order at full price. One that cannot be used on these lines: 422.
 */
export function assertChosenCouponApplies(outcome: PromotionOutcome, couponId: CouponRequest) {
  if (couponId && !outcome.wallet.some((w) => w.coupon.id === couponId)) {
    throw new ApiError(409, 'coupon_unavailable', 'This coupon was just used by another order.', [{ path: 'body.coupon_id', message: 'is no longer unused' }]);
  }
  if (outcome.chosenRefusal) {
    throw businessRule('coupon_not_applicable', `This coupon cannot be used on this order (${outcome.chosenRefusal}).`, [{ path: 'body.coupon_id', message: outcome.chosenRefusal }]);
  }
}

export function promotionOutcomeView(outcome: PromotionOutcome) {
  const couponSummary = (w: PromotionOutcome['wallet'][number]) => ({
    id: w.coupon.id,
    name: w.coupon.label,
    valid_from: new Date(w.coupon.validFrom).toISOString(),
    valid_until: new Date(w.coupon.validUntil).toISOString(),
  });
  return {
    promotion: outcome.activity && { id: outcome.activity.activity.id, name: outcome.activity.activity.name, tier: outcome.activity.tier, saving_fen: outcome.activity.savingFen },
    coupon: outcome.coupon?.evaluation.usable ? { ...couponSummary(outcome.coupon), saving_fen: outcome.coupon.evaluation.savingFen } : null,
    coupons: {
      usable: outcome.wallet.flatMap((w) => (w.evaluation.usable ? [{ ...couponSummary(w), saving_fen: w.evaluation.savingFen }] : [])),
      unusable: outcome.wallet.flatMap((w) => (w.evaluation.usable ? [] : [{ ...couponSummary(w), reason: w.evaluation.reason }])),
    },
  };
}
