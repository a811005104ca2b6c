// The shopper's cart. Lines keep their SKU and quantity; prices and availability are read
// live from the catalog every time, and unavailable lines stay visible with the reason.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { cartItems } from '../db/shoppers';
import type { Db } from '../db/client';
import { combine, known, read, runRead, type Read } from '../db/reads';
import { stockStatus } from '../domain/catalog';
import { businessRule, invalidInput, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { destinationOf, destinationRead } from './shipping-templates';
import { priceQuote, quoteLines, quoteRead, quoteView, type RequestedLine } from './checkout';
import type { CouponRequest } from './coupons/checkout-promotions';
import { loadPurchasableSkus, unavailableReason, type SkuSelection } from './purchasable';

export const MAX_CART_LINES = 100;
export const MAX_LINE_QUANTITY = 999;

/**
 * The cart, its selected lines quoted as checkout quotes them at `now` (quoteLines): store
 * promotions and the best usable coupon, which checkout preselects and the shopper may change.
 * Each available line carries the unit price checkout charges (`effective_unit_price_fen`: the
 * member, level or 限时折扣 price when lower than `price_fen`) and its `price_source`.
 */
export async function cartView(db: Db, userId: string, now: number, timeZone: string) {
  const lines = await db.select().from(cartItems).where(eq(cartItems.userId, userId)).orderBy(asc(cartItems.createdAt), asc(cartItems.id));
  const skus = await loadPurchasableSkus(
    db,
    lines.map((l) => l.skuId),
  );
  const items = lines.map((line) => {
    const sku = skus.get(line.skuId);
    return {
      id: line.id,
      sku_id: line.skuId,
      product_id: sku?.productId ?? null,
      title: sku?.title ?? null,
      spec_values: sku?.specValues ?? [],
      image_url: sku?.imageUrl ?? null,
      quantity: line.quantity,
      selected: line.selected === 1,
      price_fen: sku?.priceFen ?? null,
      original_price_fen: sku?.originalPriceFen ?? null,
      member_price_fen: sku?.memberPriceFen ?? null,
      stock_status: sku ? stockStatus(sku.stock) : 'out_of_stock',
      unavailable_reason: unavailableReason(sku, line.quantity),
    };
  });
  const available = items.filter((i) => !i.unavailable_reason);
  const selectedAvailable = available.filter((i) => i.selected);
  const unselected = available.filter((i) => !i.selected);
  const destination = await destinationOf(db, userId);
  const asLines = (lines: typeof items) => lines.map((i) => ({ skuId: i.sku_id, quantity: i.quantity }));
  // The selected lines' quote is the summary; the others are priced too (no coupon), only for the
  // unit price each line would be charged (stage 1 does not depend on the other lines).
  const [selectedQuote, unselectedQuote] = await Promise.all([
    quoteLines(db, userId, asLines(selectedAvailable), destination, { now, timeZone }),
    unselected.length ? quoteLines(db, userId, asLines(unselected), destination, { now, timeZone, couponId: null }) : null,
  ]);
  const unitPrices = new Map([...selectedQuote.quote.lines, ...(unselectedQuote?.quote.lines ?? [])].map((l) => [l.skuId, l]));
  const summary = quoteView(selectedQuote);
  return {
    items: items.map((i) => {
      const priced = unitPrices.get(i.sku_id);
      return { ...i, effective_unit_price_fen: priced?.effectiveUnitPriceFen ?? null, price_source: priced?.priceSource ?? null };
    }),
    summary: {
      selected_count: selectedAvailable.reduce((n, i) => n + i.quantity, 0),
      items_total_fen: summary.items_total_fen,
      discount_fen: summary.discount_fen,
      shipping_fee_fen: summary.shipping_fee_fen,
      payable_fen: summary.payable_fen,
      // The same quote checkout starts from: the best 满减/满折 reached and the best coupon held.
      adjustments: summary.adjustments,
      promotion: summary.promotion,
      coupon: summary.coupon,
    },
  };
}

export async function addToCart(db: Db, userId: string, skuId: string, quantity: number, now: number) {
  const sku = (await loadPurchasableSkus(db, [skuId])).get(skuId);
  if (!sku?.active || !sku.published) {
    throw businessRule('not_purchasable', 'This item cannot be bought now.', [{ path: 'body.sku_id', message: 'not on sale' }]);
  }
  const lines = await db.select({ skuId: cartItems.skuId }).from(cartItems).where(eq(cartItems.userId, userId));
  if (!lines.some((l) => l.skuId === skuId) && lines.length >= MAX_CART_LINES) {
    throw businessRule('cart_full', `A cart holds at most ${MAX_CART_LINES} different items.`);
  }
  // Adding a SKU already in the cart adds to its quantity (capped), in one statement.
  await db
    .insert(cartItems)
    .values({ id: newId('crt'), userId, skuId, quantity, selected: 1, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [cartItems.userId, cartItems.skuId],
      set: { quantity: sql`MIN(${cartItems.quantity} + excluded.quantity, ${MAX_LINE_QUANTITY})`, selected: 1, updatedAt: now },
    });
}

async function ownLine(db: Db, userId: string, lineId: string) {
  const line = await db.query.cartItems.findFirst({ where: and(eq(cartItems.id, lineId), eq(cartItems.userId, userId)) });
  if (!line) throw notFound('Cart item');
  return line;
}

export async function updateCartLine(db: Db, userId: string, lineId: string, patch: { quantity?: number; selected?: boolean }, now: number) {
  await ownLine(db, userId, lineId);
  await db
    .update(cartItems)
    .set({
      ...(patch.quantity !== undefined && { quantity: patch.quantity }),
      ...(patch.selected !== undefined && { selected: patch.selected ? 1 : 0 }),
      updatedAt: now,
    })
    .where(and(eq(cartItems.id, lineId), eq(cartItems.userId, userId)));
}

export async function removeCartLine(db: Db, userId: string, lineId: string) {
  await ownLine(db, userId, lineId);
  await db.delete(cartItems).where(and(eq(cartItems.id, lineId), eq(cartItems.userId, userId)));
}

/** Selects or unselects the given lines, or every line when none are named. */
/** Selects or deselects the given lines (all when none are given); another shopper's or an unknown line is a 404 and nothing changes. */
export async function selectCartLines(db: Db, userId: string, lineIds: string[] | undefined, selected: boolean, now: number) {
  const scope = lineIds ? and(eq(cartItems.userId, userId), inArray(cartItems.id, lineIds)) : eq(cartItems.userId, userId);
  if (lineIds?.length) {
    const own = await db.select({ id: cartItems.id }).from(cartItems).where(scope);
    if (own.length < new Set(lineIds).size) throw notFound('Cart item');
  }
  await db
    .update(cartItems)
    .set({ selected: selected ? 1 : 0, updatedAt: now })
    .where(scope);
}

const isSelectedLineOf = (userId: string) => and(eq(cartItems.userId, userId), eq(cartItems.selected, 1));

/**
 * The lines a checkout buys: the request's items ("buy now"), else the cart's selected lines
 * (none is a 400); and the SKUs the quote reads for them — for the cart, a subquery on it, so
 * that the cart and everything the quote needs are read in one batch.
 */
export function checkoutLinesRead(db: Db, userId: string, items: RequestedLine[] | undefined): { lines: Read<RequestedLine[]>; skus: SkuSelection } {
  if (items) return { lines: known(items), skus: items.map((l) => l.skuId) };
  const selectedLines = db.select({ skuId: cartItems.skuId, quantity: cartItems.quantity }).from(cartItems).where(isSelectedLineOf(userId));
  const lines = read([selectedLines], ([selected]): RequestedLine[] => {
    if (selected.length === 0) throw invalidInput([{ path: 'body.items', message: 'nothing to check out: select cart items or pass items' }]);
    return selected;
  });
  return { lines, skus: db.select({ skuId: cartItems.skuId }).from(cartItems).where(isSelectedLineOf(userId)) };
}

/** `items`: the lines to buy ("buy now"); absent, the cart's selected lines. `couponId`: see CouponRequest. */
export type CheckoutRequest = { items?: RequestedLine[]; addressId?: string; points?: number; couponId?: CouponRequest };

/** POST /checkout/quote: the lines, where they would ship and their quote, read in one D1 batch. */
export async function quoteCheckout(db: Db, userId: string, request: CheckoutRequest, now: number, timeZone: string) {
  const lines = checkoutLinesRead(db, userId, request.items);
  const got = await runRead(
    db,
    combine({
      lines: lines.lines,
      destination: destinationRead(db, userId, request.addressId),
      quote: quoteRead(db, userId, lines.skus, { now, timeZone, couponId: request.couponId }),
    }),
  );
  return priceQuote(got.quote, got.lines, got.destination, { points: request.points, couponId: request.couponId, now, timeZone });
}
