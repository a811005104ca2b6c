// Points mall (积分商城): items a shopper exchanges points (and cash) for. A coupon item costs points
// only, and the coupon is issued in the exchange's batch (or the exchange fails); a SKU item becomes a normal order (address, stock, shipping, payment of its cash part,
// after-sales) whose points are the order's own, so cancellations and refunds give them back
// through the points entry of the order-ledgers table. Stock and the per-shopper limit are guarded
// statements in the exchange's batch (a CHECK on stock, a guarded count), exact under any burst.
import { and, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { runBatch, type Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { mallExchanges, mallItems } from '../../db/loyalty';
import type { MallItemKind } from '../../domain/loyalty/vocabulary';
import { priceLines } from '../../domain/pricing';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { businessRule, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { addressSnapshot, findOwnAddress } from '../addresses';
import { BUMP_CATALOG_VERSION_SQL } from '../catalog-version';
import { assertRewardTemplate, boughtCouponStatements, loadRewardTemplates, rewardCouponIds } from '../coupons/rewards';
import { type CreateContext, defaultAddress, insertOrder, reserveStockStatements } from '../orders';
import { loadPurchasableSkus, unavailableReason } from '../purchasable';
import { getShopSettings } from '../shop-settings';
import { shippingPolicyFor } from '../shipping-templates';
import { debitStatements } from './points-ledger';

type ItemRow = typeof mallItems.$inferSelect;

export const mallItemView = (i: ItemRow) => ({
  id: i.id,
  kind: i.kind,
  title: i.title,
  image_url: i.imageUrl,
  sku_id: i.skuId,
  coupon_template_id: i.couponTemplateId,
  points_price: i.pointsPrice,
  cash_fen: i.cashFen,
  stock: i.stock,
  per_shopper_limit: i.perShopperLimit,
  active: i.active === 1,
});

export const listMallItems = async (db: Db, forShoppers: boolean) =>
  (
    await db
      .select()
      .from(mallItems)
      .where(forShoppers ? and(eq(mallItems.active, 1), gt(mallItems.stock, 0)) : undefined)
      .orderBy(desc(mallItems.createdAt))
  ).map(mallItemView);

export type MallItemInput = {
  kind: MallItemKind;
  title: string;
  image_url?: string | null;
  sku_id?: string;
  coupon_template_id?: string;
  points_price: number;
  cash_fen: number;
  stock: number;
  per_shopper_limit: number;
};

export async function createMallItem(db: Db, input: MallItemInput, now: number) {
  if (input.kind === 'sku' && !(await loadPurchasableSkus(db, [input.sku_id!])).has(input.sku_id!)) {
    throw businessRule('sku_not_found', 'No such SKU.', [{ path: 'body.sku_id', message: 'does not exist' }]);
  }
  if (input.kind === 'coupon') await assertRewardTemplate(db, input.coupon_template_id, 'body.coupon_template_id');
  const id = newId('pmi');
  await runBatch(db, [
    // The public list is cached with the catalog: a new version makes the next read fresh.
    sql.raw(BUMP_CATALOG_VERSION_SQL),
    db.insert(mallItems).values({
      id,
      kind: input.kind,
      title: input.title,
      imageUrl: input.image_url ?? null,
      skuId: input.kind === 'sku' ? input.sku_id! : null,
      couponTemplateId: input.kind === 'coupon' ? input.coupon_template_id! : null,
      pointsPrice: input.points_price,
      cashFen: input.cash_fen,
      stock: input.stock,
      perShopperLimit: input.per_shopper_limit,
      createdAt: now,
    }),
  ]);
  return mallItemView((await db.query.mallItems.findFirst({ where: eq(mallItems.id, id) }))!);
}

export async function setMallItemActive(db: Db, id: string, active: boolean) {
  await runBatch(db, [
    sql.raw(BUMP_CATALOG_VERSION_SQL),
    db
      .update(mallItems)
      .set({ active: active ? 1 : 0 })
      .where(eq(mallItems.id, id)),
  ]);
  const row = await db.query.mallItems.findFirst({ where: eq(mallItems.id, id) });
  if (!row) throw notFound('Points-mall item');
  return mallItemView(row);
}

/** One unit out of the item's stock and one of the shopper's exchanges of it: either holds or the batch fails. */
function unitAndLimitStatements(item: ItemRow, userId: string): Statement[] {
  return [
    sql`INSERT OR IGNORE INTO mall_exchange_counts (item_id, user_id, used) VALUES (${item.id}, ${userId}, 0)`,
    sql`INSERT INTO loyalty_guards (refusal) SELECT 'exchange_limit_reached' FROM mall_exchange_counts WHERE item_id = ${item.id} AND user_id = ${userId} AND used >= ${item.perShopperLimit}`,
    sql`UPDATE mall_exchange_counts SET used = used + 1 WHERE item_id = ${item.id} AND user_id = ${userId}`,
    sql`UPDATE mall_items SET stock = stock - 1 WHERE id = ${item.id}`,
  ];
}

type ExchangeRow = typeof mallExchanges.$inferSelect;

const exchangeView = (e: ExchangeRow, couponIds: Map<string, string>) => ({
  id: e.id,
  item_id: e.itemId,
  points: e.points,
  cash_fen: e.cashFen,
  order_id: e.orderId,
  coupon_template_id: e.couponTemplateId,
  /** The coupon the exchange issued (a coupon item), keyed by the exchange. */
  coupon_id: couponIds.get(e.id) ?? null,
  created_at: toIso(e.createdAt),
});

const exchangeCouponIds = (db: Db, userId: string, exchanges: ExchangeRow[]) =>
  rewardCouponIds(
    db,
    userId,
    'points_mall',
    exchanges.filter((e) => e.couponTemplateId).map((e) => e.id),
  );

const viewOfExchange = async (db: Db, e: ExchangeRow) => exchangeView(e, await exchangeCouponIds(db, e.userId, [e]));

const exchangeCursor = v.object({ k: v.number(), id: v.string() });

/** The shopper's own exchanges, newest first, with each item's title (for 我的兑换). */
export async function listOwnExchanges(db: Db, userId: string, page: { cursor?: string; limit: number }) {
  const conditions: SQL[] = [eq(mallExchanges.userId, userId)];
  if (page.cursor) {
    const c = decodeCursor(page.cursor, exchangeCursor);
    conditions.push(or(lt(mallExchanges.createdAt, c.k), and(eq(mallExchanges.createdAt, c.k), lt(mallExchanges.id, c.id)))!);
  }
  const rows = await db
    .select({ exchange: mallExchanges, title: mallItems.title, kind: mallItems.kind })
    .from(mallExchanges)
    .innerJoin(mallItems, eq(mallItems.id, mallExchanges.itemId))
    .where(and(...conditions))
    .orderBy(desc(mallExchanges.createdAt), desc(mallExchanges.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1)?.exchange;
  const couponIds = await exchangeCouponIds(
    db,
    userId,
    items.map((r) => r.exchange),
  );
  return {
    items: items.map((r) => ({ ...exchangeView(r.exchange, couponIds), title: r.title, kind: r.kind })),
    next_cursor: rows.length > page.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null,
  };
}

/**
 * Exchanges one unit. The same Idempotency-Key and body answer with the first exchange; another
 * body is a 422. A SKU item answers with its order (pay its cash part with POST /orders/:id/pay).
 */
export async function exchangeMallItem(ctx: CreateContext, itemId: string, input: { addressId?: string }) {
  const earlier = await ctx.db.query.mallExchanges.findFirst({ where: and(eq(mallExchanges.userId, ctx.userId), eq(mallExchanges.idempotencyKey, ctx.idempotencyKey)) });
  if (earlier) {
    if (earlier.requestHash !== ctx.requestHash) throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
    return { exchange: await viewOfExchange(ctx.db, earlier), created: false };
  }
  const item = await ctx.db.query.mallItems.findFirst({ where: and(eq(mallItems.id, itemId), eq(mallItems.active, 1)) });
  if (!item) throw notFound('Points-mall item');
  const exchangeId = newId('pmx');
  const orderId = item.kind === 'sku' ? newId('ord') : null;
  const exchangeRow = ctx.db.insert(mallExchanges).values({
    id: exchangeId,
    itemId: item.id,
    userId: ctx.userId,
    points: item.pointsPrice,
    cashFen: item.cashFen,
    orderId,
    couponTemplateId: item.couponTemplateId,
    idempotencyKey: ctx.idempotencyKey,
    requestHash: ctx.requestHash,
    createdAt: ctx.now,
  });
  const statements = [...unitAndLimitStatements(item, ctx.userId), exchangeRow];
  try {
    if (orderId) await exchangeForOrder(ctx, item, orderId, input.addressId, statements);
    else {
      const template = (await loadRewardTemplates(ctx.db, [item.couponTemplateId])).get(item.couponTemplateId!);
      if (!template) throw businessRule('coupon_not_active', 'This coupon is not being given out now.');
      await runBatch(ctx.db, [
        ...statements,
        ...debitStatements({ userId: ctx.userId, amount: item.pointsPrice, source: 'exchange', ref: exchangeId, reason: `兑换 ${item.title}`, mode: 'spend', now: ctx.now }),
        ...boughtCouponStatements(ctx.db, { template, userId: ctx.userId, source: 'points_mall', sourceRef: exchangeId }, ctx.now, ctx.timeZone),
      ]);
    }
  } catch (error) {
    // A concurrent request with the same key won the unique index: answer with its exchange.
    if (/mall_exchanges\.user_id, mall_exchanges\.idempotency_key/.test(String((error as Error)?.message))) return exchangeMallItem(ctx, itemId, input);
    throw error;
  }
  return { exchange: await viewOfExchange(ctx.db, (await ctx.db.query.mallExchanges.findFirst({ where: eq(mallExchanges.id, exchangeId) }))!), created: true };
}

/** The SKU item as a normal order: its cash part (and shipping) to pay, if any, its points the order's own spend. */
async function exchangeForOrder(ctx: CreateContext, item: ItemRow, orderId: string, addressId: string | undefined, mallStatements: Statement[]) {
  const [skus, settings, address] = await Promise.all([
    loadPurchasableSkus(ctx.db, [item.skuId!]),
    getShopSettings(ctx.db),
    addressId ? findOwnAddress(ctx.db, ctx.userId, addressId) : defaultAddress(ctx.db, ctx.userId),
  ]);
  const sku = skus.get(item.skuId!);
  const reason = unavailableReason(sku, 1);
  if (reason) throw businessRule(reason === 'insufficient_stock' ? 'out_of_stock' : reason, 'This item cannot be exchanged now.');
  // Shipped like any order: by the product's shipping template to the address (a 422 where it does not go).
  const shipping = await shippingPolicyFor(ctx.db, [item.skuId!], address);
  // Points only (no cash part, free shipping): a 0-fen order, which the route settles at once.
  const quote = priceLines([{ skuId: item.skuId!, quantity: 1, unitPriceFen: item.cashFen, memberPriceFen: null }], { isMember: false, shipping });
  const orderPoints = sql`INSERT INTO order_points (order_id, user_id, spent, spent_fen, earns, first_order_bonus, after_sales_days, growth, created_at)
                          VALUES (${orderId}, ${ctx.userId}, ${item.pointsPrice}, 0, 0, 0, 0, 0, ${ctx.now})`;
  const spend = debitStatements({ userId: ctx.userId, amount: item.pointsPrice, source: 'order', ref: orderId, reason: `兑换 ${item.title}`, mode: 'spend', now: ctx.now });
  await insertOrder(ctx, {
    id: orderId,
    quote,
    skus,
    address: addressSnapshot(address),
    paymentDeadline: ctx.now + settings.paymentWindowMinutes * 60_000,
    source: { kind: 'shop' },
    also: [...reserveStockStatements(quote, skus, ctx.now), ...mallStatements, orderPoints, ...spend],
  });
}
