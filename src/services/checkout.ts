// Pricing requested lines against the live catalog: the quote a shopper sees and the figures
// an order is created from. The rules themselves are pure (src/domain/pricing.ts).
import { eq } from 'drizzle-orm';
import { users } from '../db/shoppers';
import type { Db } from '../db/client';
import { combine, firstRow, runRead, type ReadValue } from '../db/reads';
import { priceLines, type PriceRule, type Quote } from '../domain/pricing';
import { notFound } from '../lib/errors';
import { assertChosenCouponApplies, checkoutPromotionsRead, promotionOutcomeView, type CouponRequest } from './coupons/checkout-promotions';
import type { PromotionOutcome } from '../domain/promotions/stacking';
import { purchasableSkusRead, unavailableReason, type PurchasableSku, type SkuSelection, type UnavailableReason } from './purchasable';
import { shopSettingsRead } from './shop-settings';
import { shippingTemplatesRead } from './shipping-templates';
import type { Destination } from '../domain/shipping';
import { applyPoints, pointsPlanView, pointsStepRead, type PointsPlan } from './loyalty/order-points';
import { memberPricingRead } from './loyalty/member-pricing';

export type RequestedLine = { skuId: string; quantity: number };

export type CheckoutQuote = {
  quote: Quote;
  skus: Map<string, PurchasableSku>;
  unavailable: { skuId: string; quantity: number; reason: UnavailableReason }[];
  paymentWindowMinutes: number;
  points: PointsPlan;
  promotions: PromotionOutcome;
};

/**
 * `points`: how many the shopper wants to pay with (0 = none); `forOrder`: the balance is checked
 * by the order's batch, not capped here; `couponId`: absent = the best usable, null = none;
 * `timeZone`: the shop's, for the shopper's birthday (the birthday points multiplier).
 */
export type QuoteOptions = { points?: number; forOrder?: boolean; now: number; timeZone: string; couponId?: CouponRequest };

/**
 * Rules that take discounts after the coupon are added here by later features; the unit price
 * (member level or 限时折扣), store promotions and the coupon come first
 * (src/domain/promotions/stacking.ts has their order), points last (applyPoints, on the finished quote).
 */
const priceRules: PriceRule[] = [];

/**
 * Everything a quote reads, as one read (one D1 batch: src/db/reads.ts). `selection`: the lines'
 * SKU ids, or a subquery giving them (an order from the cart reads the cart in the same batch).
 */
export const quoteRead = (db: Db, userId: string, selection: SkuSelection, options: Pick<QuoteOptions, 'now' | 'timeZone' | 'couponId'>) =>
  combine({
    promotions: checkoutPromotionsRead(db, userId, options.now, options.couponId),
    user: firstRow(db.select({ memberLevel: users.memberLevel }).from(users).where(eq(users.id, userId)), () => notFound('Shopper')),
    settings: shopSettingsRead(db),
    skus: purchasableSkusRead(db, selection),
    shipping: shippingTemplatesRead(db, selection),
    member: memberPricingRead(db, userId, options.now),
    points: pointsStepRead(db, userId, options.now, options.timeZone),
  });

export type QuoteInputs = ReadValue<ReturnType<typeof quoteRead>>;

/** Prices the lines for delivery to `to` (shipping per template; lines that cannot go there are unavailable). */
export async function quoteLines(db: Db, userId: string, requested: RequestedLine[], to: Destination, options: QuoteOptions): Promise<CheckoutQuote> {
  const selection = requested.map((l) => l.skuId);
  return priceQuote(await runRead(db, quoteRead(db, userId, selection, options)), requested, to, options);
}

/** The quote from what quoteRead read: no I/O. A chosen coupon's refusal (404, 409) comes first, as when it was read first. */
export function priceQuote(inputs: QuoteInputs, requested: RequestedLine[], to: Destination, options: QuoteOptions): CheckoutQuote {
  const { promotions, user, settings, skus, member } = inputs;
  const shipping = inputs.shipping(to);
  // The same SKU twice counts once, with the quantities added.
  const merged = new Map<string, number>();
  for (const line of requested) merged.set(line.skuId, (merged.get(line.skuId) ?? 0) + line.quantity);

  const unavailable: CheckoutQuote['unavailable'] = [];
  const priced: Parameters<typeof priceLines>[0] = [];
  for (const [skuId, quantity] of merged) {
    const sku = skus.get(skuId);
    const reason = unavailableReason(sku, quantity) ?? (shipping.undeliverableSkuIds.has(skuId) ? 'not_deliverable' : null);
    if (reason || !sku) unavailable.push({ skuId, quantity, reason: reason ?? 'sku_removed' });
    else priced.push({ skuId, quantity, unitPriceFen: sku.priceFen, memberPriceFen: sku.memberPriceFen, promotionalPriceFen: promotions.timedPriceOf(sku) });
  }
  // Stage 1 (the member level's price or a 限时折扣, the lower) inside priceLines, then the store
  // promotions and the coupon; points come last.
  const stages = promotions.stages(skus);
  const memberTerms = { ...member.terms, isMember: user.memberLevel > 0 || member.terms.isMember };
  const beforePoints = priceLines(priced, { ...memberTerms, shipping: member.shipping(shipping.policy) }, [...stages.rules, ...priceRules]);
  assertChosenCouponApplies(stages.outcome(), options.couponId);
  const { quote, plan } = applyPoints(inputs.points, beforePoints, skus, {
    points: options.points ?? 0,
    forOrder: options.forOrder ?? false,
    levelMultiplierBps: member.pointsMultiplierBps,
  });
  return { quote, skus, unavailable, paymentWindowMinutes: settings.paymentWindowMinutes, points: plan, promotions: stages.outcome() };
}

export function quoteView({ quote, skus, unavailable, points, promotions }: CheckoutQuote) {
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
    points: pointsPlanView(points),
    ...promotionOutcomeView(promotions),
  };
}
