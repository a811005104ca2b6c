// Store promotions on the storefront: product cards and product pages carry the 限时折扣 price
// and when it ends, the 满减/满折 activities they take part in (offers) and the coupon centre's
// coupons that apply to them; listings sort and filter by the price shoppers see; every answer
// says when the next change is due (a discount, an activity or a coupon's claim window starting
// or ending), so the edge cache keeps no page past it (src/http/catalog-cache.ts, freshUntil).
import { and, eq, inArray } from 'drizzle-orm';
import { chunkForBoundParams } from '../../db/batch';
import { skus } from '../../db/catalog';
import type { Db } from '../../db/client';
import { nextPriceChangeAt, tierLabels, timedDiscountActive, timedPriceOf } from '../../domain/promotions/activity';
import { benefitLabel } from '../../domain/promotions/coupon';
import { inScope } from '../../domain/promotions/scope';
import { toIso } from '../../lib/clock';
import { listProducts, type ProductListFilter } from '../catalog';
import { centreTemplates } from '../coupons/wallet';
import { currentActivities, currentTimedDiscounts } from './active';

type Promotion = { price_fen: number; ends_at: string | null };
type Offer = { id: string; name: string; tiers: string[]; ends_at: string | null };
type CouponBadge = { template_id: string; name: string; label: string };

/**
 * The promotions the storefront shows at `now`, loaded once per (uncached) request: of the given
 * products, or of the whole shop when the answer's order depends on every price (a listing by
 * price). Its `nextChangeAt` covers the same products (and every activity: scopes are broad).
 */
export async function storefrontPromotions(db: Db, now: number, productIds?: readonly string[]) {
  const wanted = productIds && new Set(productIds);
  const [allDiscounts, activities, centre] = await Promise.all([currentTimedDiscounts(db, now), currentActivities(db, now), centreTemplates(db, now)]);
  const discounts = wanted ? allDiscounts.filter((d) => wanted.has(d.productId)) : allDiscounts;
  const discountedProducts = [...new Set(discounts.filter((d) => timedDiscountActive(d, now)).map((d) => d.productId))];
  // Within D1's 100 bound parameters per statement, however many products are discounted.
  const skuRows = (
    await Promise.all(
      chunkForBoundParams(discountedProducts, 1, 1).map((chunk) =>
        db
          .select({ id: skus.id, productId: skus.productId, priceFen: skus.priceFen })
          .from(skus)
          .where(and(inArray(skus.productId, chunk), eq(skus.active, 1))),
      ),
    )
  ).flat();
  const skuPromotion = (sku: { id: string; productId: string; priceFen: number }): Promotion | null => {
    const timed = timedPriceOf(discounts, { skuId: sku.id, productId: sku.productId, priceFen: sku.priceFen }, now);
    return timed && { price_fen: timed.priceFen, ends_at: toIso(timed.endsAt) };
  };
  // Each product's lowest 限时折扣 price among its SKUs.
  const productPromotion = new Map<string, Promotion>();
  for (const sku of skuRows) {
    const promotion = skuPromotion(sku);
    const current = productPromotion.get(sku.productId);
    if (promotion && (!current || promotion.price_fen < current.price_fen)) productPromotion.set(sku.productId, promotion);
  }
  const running = activities.filter((a) => a.startsAt <= now);
  // A sold-out coupon is no reason to look (claims do not bump the catalog version: it may show until the next change).
  const claimable = centre.filter((t) => t.claimStartsAt <= now && (t.totalQuantity === null || t.issuedCount < t.totalQuantity));
  const claimWindows = centre.map((t) => ({ startsAt: t.claimStartsAt, endsAt: t.claimEndsAt }));
  return {
    nextChangeAt: nextPriceChangeAt([...discounts, ...activities, ...claimWindows], now),
    skuPromotion,
    productPromotion: (productId: string) => productPromotion.get(productId) ?? null,
    /** What listings sort and filter by: the lowest 限时折扣 price of each product that has one (others: their list price). */
    discountedMinPrices: Object.fromEntries([...productPromotion].map(([id, p]) => [id, p.price_fen])),
    offersOf: (goods: { productId: string; categoryId: string }): Offer[] =>
      running.filter((a) => inScope(a.scope, goods)).map((a) => ({ id: a.id, name: a.name, tiers: tierLabels(a), ends_at: toIso(a.endsAt) })),
    couponsOf: (goods: { productId: string; categoryId: string }): CouponBadge[] =>
      claimable.filter((t) => inScope(t.scope, goods)).map((t) => ({ template_id: t.id, name: t.name, label: benefitLabel(t.benefit) })),
  };
}

export type StorefrontPromotions = Awaited<ReturnType<typeof storefrontPromotions>>;

/** What a product shows besides its 限时折扣 price: its activities and the centre's coupons for it. */
const badgesOf = (promotions: StorefrontPromotions, product: { id: string; category_id: string }) => {
  const goods = { productId: product.id, categoryId: product.category_id };
  return { offers: promotions.offersOf(goods), coupons: promotions.couponsOf(goods) };
};

/** Cards with `promotion: {price_fen (the lowest SKU's), ends_at} | null`, their `offers` and `coupons`. */
export const cardsWithPromotions = <C extends { id: string; category_id: string }>(promotions: StorefrontPromotions, cards: C[]) =>
  cards.map((c) => ({ ...c, promotion: promotions.productPromotion(c.id), ...badgesOf(promotions, c) }));

/** A product page with each SKU's `promotion`, the product's (its lowest), its `offers` and `coupons`. */
export function detailWithPromotions<D extends { id: string; category_id: string; skus: { id: string; price_fen: number }[] }>(promotions: StorefrontPromotions, detail: D) {
  return {
    ...detail,
    promotion: promotions.productPromotion(detail.id),
    ...badgesOf(promotions, detail),
    skus: detail.skus.map((s) => ({ ...s, promotion: promotions.skuPromotion({ id: s.id, productId: detail.id, priceFen: s.price_fen }) })),
  };
}

/**
 * A storefront listing with its promotions. Sorted or filtered by price, it needs every
 * discounted product's shown price before the query (and its freshness covers them all);
 * otherwise only the page's products count.
 */
export async function listProductsWithPromotions(db: Db, filter: Omit<ProductListFilter, 'discountedMinPrices'>, now: number) {
  const byPrice = filter.sort === 'price_asc' || filter.sort === 'price_desc' || filter.minPriceFen !== undefined || filter.maxPriceFen !== undefined;
  const everywhere = byPrice ? await storefrontPromotions(db, now) : null;
  const list = await listProducts(db, { ...filter, discountedMinPrices: everywhere?.discountedMinPrices });
  const promotions =
    everywhere ??
    (await storefrontPromotions(
      db,
      now,
      list.items.map((c) => c.id),
    ));
  return { page: { ...list, items: cardsWithPromotions(promotions, list.items) }, nextChangeAt: promotions.nextChangeAt };
}
