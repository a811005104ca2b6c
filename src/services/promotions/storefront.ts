// 限时折扣 on the storefront: product cards and product pages carry the promotional price and
// when it ends, and say when the next price change is due (a discount starting or ending), so
// the edge cache keeps no page past it (src/http/catalog-cache.ts, freshUntil).
import { and, eq, inArray } from 'drizzle-orm';
import { skus } from '../../db/catalog';
import type { Db } from '../../db/client';
import { nextPriceChangeAt, timedPriceOf, type TimedDiscount } from '../../domain/promotions/activity';
import { toIso } from '../../lib/clock';
import { currentTimedDiscounts } from './active';

type Promotion = { price_fen: number; ends_at: string | null };

/** The discounts of these products that are running or still to start, and the next change among them. */
async function discountsOf(db: Db, productIds: string[], now: number) {
  const discounts = productIds.length ? await currentTimedDiscounts(db, now, productIds) : [];
  return { discounts, nextChangeAt: nextPriceChangeAt(discounts, now) };
}

const promotionOf = (discounts: readonly TimedDiscount[], sku: { id: string; productId: string; priceFen: number }, now: number): Promotion | null => {
  const timed = timedPriceOf(discounts, { skuId: sku.id, productId: sku.productId, priceFen: sku.priceFen }, now);
  return timed && { price_fen: timed.priceFen, ends_at: toIso(timed.endsAt) };
};

/** Cards with `promotion: {price_fen (the lowest SKU's), ends_at} | null`. */
export async function cardsWithPromotions<C extends { id: string }>(db: Db, cards: C[], now: number) {
  const { discounts, nextChangeAt } = await discountsOf(
    db,
    cards.map((c) => c.id),
    now,
  );
  const discounted = [...new Set(discounts.map((d) => d.productId))];
  const skuRows = discounted.length
    ? await db
        .select({ id: skus.id, productId: skus.productId, priceFen: skus.priceFen })
        .from(skus)
        .where(and(inArray(skus.productId, discounted), eq(skus.active, 1)))
    : [];
  const best = new Map<string, Promotion>();
  for (const sku of skuRows) {
    const promotion = promotionOf(discounts, sku, now);
    const current = best.get(sku.productId);
    if (promotion && (!current || promotion.price_fen < current.price_fen)) best.set(sku.productId, promotion);
  }
  return { cards: cards.map((c) => ({ ...c, promotion: best.get(c.id) ?? null })), nextChangeAt };
}

/** A product page with each SKU's `promotion` and the product's (its lowest). */
export async function detailWithPromotions<D extends { id: string; skus: { id: string; price_fen: number }[] }>(db: Db, detail: D, now: number) {
  const { discounts, nextChangeAt } = await discountsOf(db, [detail.id], now);
  const withSkus = detail.skus.map((s) => ({ ...s, promotion: promotionOf(discounts, { id: s.id, productId: detail.id, priceFen: s.price_fen }, now) }));
  const lowest = withSkus.reduce<Promotion | null>((low, s) => (s.promotion && (!low || s.promotion.price_fen < low.price_fen) ? s.promotion : low), null);
  return { page: { ...detail, promotion: lowest, skus: withSkus }, nextChangeAt };
}
