// What the admin and the storefront read of flash sales: campaigns with their items, live
// figures from the stock objects (admin) and the slot a shopper can buy in now (storefront).
import { and, asc, desc, eq, gt, inArray, lt, or, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { products, skus } from '../../db/catalog';
import type { Db } from '../../db/client';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import { salesMomentAt } from '../../domain/flash-sale-slots';
import { campaignState } from '../../domain/campaign';
import type { Env } from '../../env';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { notFound } from '../../lib/errors';
import type { FlashSaleItemRow, FlashSaleRow } from './model';
import { listedOrder, liveFigures, type LiveFigures } from './stock-objects';

// ---------------------------------------------------------------------------------------------
// Admin views

type ItemWithSku = FlashSaleItemRow & { title: string; specValues: string[]; priceFen: number };

async function itemsWithSkus(db: Db, flashSaleIds: string[]): Promise<ItemWithSku[]> {
  if (flashSaleIds.length === 0) return [];
  const rows = await db
    .select({ item: flashSaleItems, title: products.title, specValues: skus.specValues, priceFen: skus.priceFen })
    .from(flashSaleItems)
    .innerJoin(skus, eq(skus.id, flashSaleItems.skuId))
    .innerJoin(products, eq(products.id, flashSaleItems.productId))
    .where(inArray(flashSaleItems.flashSaleId, flashSaleIds))
    .orderBy(listedOrder);
  return rows.map((r) => ({ ...r.item, title: r.title, specValues: r.specValues, priceFen: r.priceFen }));
}

function campaignView(c: FlashSaleRow, now: number) {
  return {
    id: c.id,
    title: c.title,
    status: c.status,
    state: campaignState(c, now),
    starts_at: toIso(c.startsAt)!,
    ends_at: toIso(c.endsAt)!,
    per_user_limit: c.perUserLimit,
    per_order_limit: c.perOrderLimit,
    payment_window_minutes: c.paymentWindowMinutes,
    daily_slots: c.dailySlots ?? null,
    shard_count: c.shardCount,
    created_by: c.createdBy,
    created_at: toIso(c.createdAt)!,
    updated_at: toIso(c.updatedAt)!,
    cancelled_at: c.status === 'cancelled' ? toIso(c.updatedAt) : null,
  };
}

function adminItemView(i: ItemWithSku, live?: LiveFigures) {
  return {
    id: i.id,
    sku_id: i.skuId,
    product_id: i.productId,
    title: i.title,
    spec_values: i.specValues,
    price_fen: i.priceFen,
    flash_price_fen: i.flashPriceFen,
    flash_stock: i.flashStock,
    ...(live && { live }),
  };
}

export type AdminFlashSale = ReturnType<typeof campaignView> & { items: ReturnType<typeof adminItemView>[] };

/** A campaign for the admin; with `live`, each item carries its available/held/paid/released units summed over its shards. */
export async function flashSaleForAdmin(env: Env, db: Db, flashSaleId: string, now: number, opts: { live: boolean }): Promise<AdminFlashSale> {
  const campaign = await db.query.flashSales.findFirst({ where: eq(flashSales.id, flashSaleId) });
  if (!campaign) throw notFound('Flash sale');
  const items = await itemsWithSkus(db, [campaign.id]);
  const live = opts.live ? await liveFigures(env, campaign, items) : undefined;
  return { ...campaignView(campaign, now), items: items.map((i) => adminItemView(i, live?.get(i.id))) };
}

const listCursor = v.object({ k: v.number(), id: v.string() });

/** Every campaign, newest first, with its items (no live figures: a list must not fan out to every object). */
export async function listFlashSalesForAdmin(db: Db, opts: { status?: FlashSaleRow['status'] | undefined; cursor?: string | undefined; limit: number; now: number }) {
  const conditions: SQL[] = [];
  if (opts.status) conditions.push(eq(flashSales.status, opts.status));
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor, listCursor);
    conditions.push(or(lt(flashSales.createdAt, c.k), and(eq(flashSales.createdAt, c.k), lt(flashSales.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(flashSales)
    .where(and(...conditions))
    .orderBy(desc(flashSales.createdAt), desc(flashSales.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const items = await itemsWithSkus(
    db,
    page.map((c) => c.id),
  );
  const last = page[page.length - 1];
  return {
    items: page.map((c) => ({ ...campaignView(c, opts.now), items: items.filter((i) => i.flashSaleId === c.id).map((i) => adminItemView(i)) })),
    next_cursor: rows.length > opts.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Storefront views

/** At most this many current and upcoming campaigns are listed (the nearest first). */
export const STOREFRONT_CAMPAIGN_LIMIT = 50;

type StorefrontItem = FlashSaleItemRow & { title: string; imageUrl: string; specValues: string[]; priceFen: number };

/** The items shoppers can see: SKUs still active in published products. */
async function storefrontItems(db: Db, flashSaleIds: string[]): Promise<StorefrontItem[]> {
  if (flashSaleIds.length === 0) return [];
  const rows = await db
    .select({ item: flashSaleItems, title: products.title, mainImageUrl: products.mainImageUrl, skuImageUrl: skus.imageUrl, specValues: skus.specValues, priceFen: skus.priceFen })
    .from(flashSaleItems)
    .innerJoin(skus, eq(skus.id, flashSaleItems.skuId))
    .innerJoin(products, eq(products.id, flashSaleItems.productId))
    .where(and(inArray(flashSaleItems.flashSaleId, flashSaleIds), eq(skus.active, 1), eq(products.status, 'published')))
    .orderBy(listedOrder);
  return rows.map((r) => ({ ...r.item, title: r.title, imageUrl: r.skuImageUrl ?? r.mainImageUrl, specValues: r.specValues, priceFen: r.priceFen }));
}

const storefrontProduct = (i: StorefrontItem) => ({
  item_id: i.id,
  sku_id: i.skuId,
  product_id: i.productId,
  title: i.title,
  image_url: i.imageUrl,
  spec_values: i.specValues,
  flash_price_fen: i.flashPriceFen,
  /** The SKU's normal selling price, which the flash price undercuts. */
  original_price_fen: i.priceFen,
  /** The units the campaign took for this SKU (live remaining units: GET /flash-sales/:id). */
  flash_stock: i.flashStock,
});

/**
 * Shoppers see live (selling now, until closes_at), upcoming (opens_at: the start, or the next
 * daily slot) or ended; a settled campaign has simply ended, cancelled ones are never shown.
 */
function storefrontCampaign(c: FlashSaleRow, now: number, timeZone: string) {
  const moment = c.status === 'scheduled' ? salesMomentAt(c, now, timeZone) : ({ state: 'ended' } as const);
  return {
    id: c.id,
    title: c.title,
    starts_at: toIso(c.startsAt)!,
    ends_at: toIso(c.endsAt)!,
    daily_slots: c.dailySlots ?? null,
    state: moment.state === 'open' ? ('live' as const) : moment.state === 'closed' ? ('upcoming' as const) : ('ended' as const),
    opens_at: moment.state === 'closed' ? toIso(moment.opensAt) : null,
    closes_at: moment.state === 'open' ? toIso(moment.closesAt) : null,
    per_user_limit: c.perUserLimit,
    per_order_limit: c.perOrderLimit,
  };
}

/** Current and upcoming campaigns, soonest first; campaigns with nothing a shopper can buy are left out. */
export async function storefrontFlashSales(db: Db, now: number, timeZone: string) {
  const campaigns = await db
    .select()
    .from(flashSales)
    .where(and(eq(flashSales.status, 'scheduled'), gt(flashSales.endsAt, now)))
    .orderBy(asc(flashSales.startsAt), asc(flashSales.id))
    .limit(STOREFRONT_CAMPAIGN_LIMIT);
  const items = await storefrontItems(
    db,
    campaigns.map((c) => c.id),
  );
  return {
    server_time: toIso(now)!,
    items: campaigns.map((c) => ({ ...storefrontCampaign(c, now, timeZone), products: items.filter((i) => i.flashSaleId === c.id).map(storefrontProduct) })).filter((c) => c.products.length > 0),
  };
}

/**
 * One campaign with each item's live remaining units (the sum of `available` over its shards).
 * Cancelled campaigns are not shown; an ended one is, with nothing remaining, so a shopper who
 * kept the page open sees that it ended.
 */
export async function storefrontFlashSale(env: Env, db: Db, flashSaleId: string, now: number) {
  const campaign = await db.query.flashSales.findFirst({ where: eq(flashSales.id, flashSaleId) });
  if (!campaign || campaign.status === 'cancelled') throw notFound('Flash sale');
  const items = await storefrontItems(db, [campaign.id]);
  const view = storefrontCampaign(campaign, now, env.SHOP_TIME_ZONE);
  const live = view.state === 'ended' || items.length === 0 ? undefined : await liveFigures(env, campaign, items);
  return {
    server_time: toIso(now)!,
    ...view,
    products: items.map((i) => ({ ...storefrontProduct(i), remaining: live?.get(i.id)?.available ?? 0 })),
  };
}
