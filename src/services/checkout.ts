// Pricing requested lines against the live catalog: the quote a shopper sees and the figures
// an order is created from. The rules themselves are pure (src/domain/pricing.ts).
import { eq } from 'drizzle-orm';
import { users } from '../db/shoppers';
import type { Db } from '../db/client';
import { priceLines, type PriceRule, type Quote } from '../domain/pricing';
import { notFound } from '../lib/errors';
import { assertChosenCouponApplies, loadCheckoutPromotions, promotionOutcomeView, type CouponRequest } from './coupons/checkout-promotions';
import type { PromotionOutcome } from '../domain/promotions/stacking';
import { loadPurchasableSkus, unavailableReason, type PurchasableSku, type UnavailableReason } from './purchasable';
import { getShopSettings, shippingPolicyOf } from './shop-settings';

export type RequestedLine = { skuId: string; quantity: number };

export type CheckoutQuote = {
  quote: Quote;
  skus: Map<string, PurchasableSku>;
  unavailable: { skuId: string; quantity: number; reason: UnavailableReason }[];
  paymentWindowMinutes: number;
  promotions: PromotionOutcome;
};

/**
 * Rules that take discounts after the coupon (points) are added here by later features; store
 * promotions and the coupon come first (src/domain/promotions/stacking.ts has the order).
 */
const priceRules: PriceRule[] = [];

export async function quoteLines(db: Db, userId: string, requested: RequestedLine[], now: number, couponId?: CouponRequest): Promise<CheckoutQuote> {
  const [user, settings, skus, promotions] = await Promise.all([
    db.query.users.findFirst({ where: eq(users.id, userId) }),
    getShopSettings(db),
    loadPurchasableSkus(
      db,
      requested.map((l) => l.skuId),
    ),
    loadCheckoutPromotions(db, userId, now, couponId),
  ]);
  if (!user) throw notFound('Shopper');
  // The same SKU twice counts once, with the quantities added.
  const merged = new Map<string, number>();
  for (const line of requested) merged.set(line.skuId, (merged.get(line.skuId) ?? 0) + line.quantity);

  const unavailable: CheckoutQuote['unavailable'] = [];
  const priced: Parameters<typeof priceLines>[0] = [];
  for (const [skuId, quantity] of merged) {
    const sku = skus.get(skuId);
    const reason = unavailableReason(sku, quantity);
    if (reason || !sku) unavailable.push({ skuId, quantity, reason: reason ?? 'sku_removed' });
    else priced.push({ skuId, quantity, unitPriceFen: sku.priceFen, memberPriceFen: sku.memberPriceFen, promotionalPriceFen: promotions.timedPriceOf(sku) });
  }
  const stages = promotions.stages(skus);
  const quote = priceLines(priced, { isMember: user.memberLevel > 0, shipping: shippingPolicyOf(settings) }, [...stages.rules, ...priceRules]);
  assertChosenCouponApplies(stages.outcome(), couponId);
  return { quote, skus, unavailable, paymentWindowMinutes: settings.paymentWindowMinutes, promotions: stages.outcome() };
}

export function quoteView({ quote, skus, unavailable, promotions }: CheckoutQuote) {
  return {
    lines: quote.lines.map((l) => {
      const sku = skus.get(l.skuId)!;
      return {
        sku_id: l.skuId,
        product_id: sku.productId,
        title: sku.title,
        spec_values: sku.specValues,
        image_url: sku.imageUrl,
        quantity: l.quantity,
        unit_price_fen: l.unitPriceFen,
        member_price_applied: l.memberPriceApplied,
        price_source: l.priceSource,
        effective_unit_price_fen: l.effectiveUnitPriceFen,
        line_total_fen: l.lineTotalFen,
        discount_share_fen: l.discountShareFen,
        payable_fen: l.payableFen,
      };
    }),
    unavailable: unavailable.map((u) => ({ sku_id: u.skuId, quantity: u.quantity, reason: u.reason })),
    items_total_fen: quote.itemsTotalFen,
    adjustments: quote.adjustments.map((a) => ({ source: a.source, label: a.label, amount_fen: a.amountFen })),
    discount_fen: quote.discountFen,
    shipping_fee_fen: quote.shippingFeeFen,
    payable_fen: quote.payableFen,
    ...promotionOutcomeView(promotions),
  };
}
