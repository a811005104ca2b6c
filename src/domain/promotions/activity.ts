// Store promotions: 满减 / 满折 activities with tiers over a scope, and 限时折扣 (a product's or
// SKU's price for a while). Pure rules; the stacking order is stacking.ts's.
import type { PricedLine } from '../pricing';
import { inScope, takesPromotions, type LineGoods, type Scope } from './scope';

/**
 * A tiered activity. `condition`: tiers reached by the in-scope goods' amount (fen) or their
 * number of units; `benefit`: each tier's value is fen off (满减) or percent off (满折, 1–99).
 * Tiers have strictly increasing thresholds.
 */
export type TieredActivity = {
  id: string;
  name: string;
  scope: Scope;
  condition: 'amount' | 'quantity';
  benefit: 'amount_off' | 'percent_off';
  tiers: readonly { threshold: number; value: number }[];
};

export type ActivityEvaluation = { activity: TieredActivity; tier: { threshold: number; value: number }; savingFen: number; skuIds: string[] };

/** The tier of `activity` that saves the most on `lines` (what is left of them), or null when none is reached. */
export function evaluateActivity(activity: TieredActivity, lines: readonly PricedLine[], goodsOf: (skuId: string) => LineGoods): ActivityEvaluation | null {
  const eligible = lines.filter((l) => inScope(activity.scope, goodsOf(l.skuId)) && takesPromotions(goodsOf(l.skuId)));
  const goodsFen = eligible.reduce((sum, l) => sum + l.payableFen, 0);
  const units = eligible.reduce((sum, l) => sum + l.quantity, 0);
  const measure = activity.condition === 'amount' ? goodsFen : units;
  let best: ActivityEvaluation | null = null;
  for (const tier of activity.tiers) {
    if (measure < tier.threshold) continue;
    const savingFen = Math.min(goodsFen, activity.benefit === 'amount_off' ? tier.value : Math.floor((goodsFen * tier.value) / 100));
    if (savingFen > 0 && (!best || savingFen > best.savingFen)) best = { activity, tier, savingFen, skuIds: eligible.map((l) => l.skuId) };
  }
  return best;
}

/** The one activity that saves the most (ties: the earlier in the list), or null. */
export function bestActivity(activities: readonly TieredActivity[], lines: readonly PricedLine[], goodsOf: (skuId: string) => LineGoods): ActivityEvaluation | null {
  let best: ActivityEvaluation | null = null;
  for (const activity of activities) {
    const evaluation = evaluateActivity(activity, lines, goodsOf);
    if (evaluation && (!best || evaluation.savingFen > best.savingFen)) best = evaluation;
  }
  return best;
}

/** 限时折扣 on a product (every SKU) or one SKU: percent off the SKU's price, or a fixed price. */
export type TimedDiscount = { id: string; productId: string; skuId: string | null; kind: 'percent_off' | 'fixed_price'; value: number; startsAt: number; endsAt: number };

/** The SKU's price under the discount (never above the SKU's own price, never below 0). */
export function timedDiscountPrice(discount: TimedDiscount, skuPriceFen: number): number {
  const price = discount.kind === 'fixed_price' ? discount.value : skuPriceFen - Math.floor((skuPriceFen * discount.value) / 100);
  return Math.max(0, Math.min(skuPriceFen, price));
}

export const timedDiscountActive = (d: TimedDiscount, now: number) => d.startsAt <= now && now < d.endsAt;

/**
 * The lowest price the running discounts give one SKU now, and when that price ends; a SKU-level
 * discount and a product-level one both count (the lower wins).
 */
export function timedPriceOf(
  discounts: readonly TimedDiscount[],
  sku: { skuId: string; productId: string; priceFen: number },
  now: number,
): { priceFen: number; endsAt: number; discountId: string } | null {
  let best: { priceFen: number; endsAt: number; discountId: string } | null = null;
  for (const d of discounts) {
    if (!timedDiscountActive(d, now) || d.productId !== sku.productId || (d.skuId !== null && d.skuId !== sku.skuId)) continue;
    const priceFen = timedDiscountPrice(d, sku.priceFen);
    if (priceFen < sku.priceFen && (!best || priceFen < best.priceFen)) best = { priceFen, endsAt: d.endsAt, discountId: d.id };
  }
  return best;
}

/**
 * When the storefront's price of anything changes next because a discount starts or ends: the
 * edge cache may not keep a response past it.
 */
export function nextPriceChangeAt(discounts: readonly Pick<TimedDiscount, 'startsAt' | 'endsAt'>[], now: number): number | null {
  let next: number | null = null;
  for (const d of discounts) {
    for (const t of [d.startsAt, d.endsAt]) if (t > now && (next === null || t < next)) next = t;
  }
  return next;
}

/** Badge figures: fen as whole yuan (100 → "1", 150 → "1.5"), percent off as 折 (15 → "8.5"). */
export const yuan = (fen: number) => String(fen / 100);
export const zhe = (percentOff: number) => String((100 - percentOff) / 10);

/** The storefront's badge text of each tier: 满100减10, 满200享9折, 满2件减5, 满2件8.5折. */
export function tierLabels(activity: Pick<TieredActivity, 'condition' | 'benefit' | 'tiers'>): string[] {
  return activity.tiers.map(({ threshold, value }) => {
    const reach = activity.condition === 'amount' ? `满${yuan(threshold)}` : `满${threshold}件`;
    if (activity.benefit === 'amount_off') return `${reach}减${yuan(value)}`;
    return activity.condition === 'amount' ? `${reach}享${zhe(value)}折` : `${reach}${zhe(value)}折`;
  });
}
