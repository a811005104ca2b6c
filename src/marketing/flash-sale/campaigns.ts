// Flash-sale (秒杀) campaigns: creating one, setting up its stock objects, cancelling it, and the
// views that the admin and the storefront read. Buying is purchase.ts.
//
// Where the stock is. A campaign takes its flash stock out of the SKU (skus.stock) in the same
// D1 batch that writes the campaign, with a stock-ledger row "flash sale <id>", so the normal
// shop can never sell those units too. From then on the units live in FlashSaleStock Durable
// Objects, one per campaign SKU and shard (stockObjectName(itemId, shard)); each object is the
// serialisation point for its part of the stock and keeps its own reservation ledger. Unsold
// units go back to the SKU when the campaign is settled after it ends.
//
// Shard sizing. A Durable Object handles its requests one at a time; one that writes its SQLite
// ledger on every reservation manages a few hundred per second (shardsNeeded's per-object
// capacity, 300/s by default). So the number of objects a campaign SKU needs is
//     objects = ceil(peak purchase attempts per second ÷ per-object capacity)   (1…64)
// which is what shard_count defaults to when the merchant gives expected_peak_per_second.
// The stock is split across the shards as evenly as possible, exactly (splitStockAcrossShards).
// The shard count is fixed when the campaign is created, and that is what makes sharding safe:
//  - a shopper always lands on the same shard (shardFor hashes the shopper id), so the per-user
//    and per-order limits are counted in one place and hold exactly;
//  - a shard that runs dry borrows from its siblings, so no unit is stranded on a quiet shard
//    while another shard's shoppers are told "sold out".
//
// Races. D1 has no interactive transactions, so every rule that another request could break
// between our read and our write is checked again inside the write batch:
//  - stock: the UPDATE of skus.stock trips CHECK (stock >= 0), which rolls the batch back;
//  - overlap, price, SKU state: each campaign SKU is inserted by an INSERT … SELECT that only
//    yields a row when the SKU is active, published, priced at or above the flash price, and no
//    other scheduled campaign holds it in an overlapping window; abortUnlessChanged() right
//    after it rolls the whole batch back when it inserted nothing. D1 runs batches one at a time,
//    so of two overlapping campaigns created together exactly one gets in.
// The reads before the batch exist to name the failing field; after a rolled-back batch they are
// run again to say which rule the race broke.
import { and, asc, desc, eq, gt, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { products, skus } from '../../db/catalog';
import { abortUnlessChanged, runBatch, type Statement } from '../../db/batch';
import { createDb, type Db } from '../../db/client';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import { shardsNeeded, splitStockAcrossShards, stockObjectName } from '../../domain/flash-sale';
import { salesMomentAt, type DailySlot } from '../../domain/flash-sale-slots';
import type { Env } from '../../env';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { ApiError, businessRule, conflict, notFound, type ErrorDetail } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { PurchasableSku } from '../../services/purchasable';
import { assertStartNotPast, cancelStatements, loadSellableSkus } from '../kernel/campaign-rules';
import { campaignState, type CampaignState } from '../../domain/campaign';
import { commitCatalogWrite, refreshProductSummary, type WriteContext } from '../../services/catalog-admin';
import { BUMP_CATALOG_VERSION_SQL, rememberCatalogVersion } from '../../services/catalog-cache';
import { logEvent } from '../../lib/log';

export type FlashSaleRow = typeof flashSales.$inferSelect;
export type FlashSaleItemRow = typeof flashSaleItems.$inferSelect;

export type FlashSaleItemInput = { sku_id: string; flash_price_fen: number; flash_stock: number };

/** A validated POST /admin/api/flash-sales body (routes/admin/schemas.ts). */
export type FlashSaleInput = {
  title: string;
  starts_at: string;
  ends_at: string;
  per_user_limit: number;
  per_order_limit: number;
  payment_window_minutes: number;
  shard_count?: number | undefined;
  expected_peak_per_second?: number | undefined;
  daily_slots?: DailySlot[] | undefined;
  items: FlashSaleItemInput[];
};

/** items × shards: every object is configured on create and read for live figures, within a request's subrequest budget. */
export const MAX_STOCK_OBJECTS_PER_CAMPAIGN = 512;

/** The shard count a campaign gets: as asked, else sized from the expected peak, else 1. */
export const shardCountFor = (input: Pick<FlashSaleInput, 'shard_count' | 'expected_peak_per_second'>) =>
  input.shard_count ?? (input.expected_peak_per_second !== undefined ? shardsNeeded(input.expected_peak_per_second) : 1);

/**
 * The window the stock objects enforce. A cancelled campaign's objects end at the cancellation
 * (updated_at: nothing changes a cancelled campaign until settlement, and settled campaigns are
 * never configured again); its start is pulled back too, so the window stays a window.
 */
function salesWindow(c: FlashSaleRow) {
  if (c.status !== 'cancelled') return { startsAt: c.startsAt, endsAt: c.endsAt };
  const endsAt = Math.min(c.endsAt, c.updatedAt);
  return { startsAt: Math.min(c.startsAt, endsAt - 1), endsAt };
}

// ---------------------------------------------------------------------------------------------
// Stock objects

const stockObject = (env: Env, itemId: string, shard: number) => env.FLASH_SALE_STOCK.get(env.FLASH_SALE_STOCK.idFromName(stockObjectName(itemId, shard)));

/** Configures every shard of every item (idempotent: the first call sets the stock, later ones only the window and limits). */
async function configureStockObjects(env: Env, campaign: FlashSaleRow, items: FlashSaleItemRow[]): Promise<void> {
  const { startsAt, endsAt } = salesWindow(campaign);
  await Promise.all(
    items.flatMap((item) =>
      splitStockAcrossShards(item.flashStock, campaign.shardCount).map((initialStock, shard) =>
        stockObject(env, item.id, shard).configure({
          itemId: item.id,
          flashSaleId: campaign.id,
          skuId: item.skuId,
          shard,
          shardCount: campaign.shardCount,
          startsAt,
          endsAt,
          perUserLimit: campaign.perUserLimit,
          perOrderLimit: campaign.perOrderLimit,
          holdMs: campaign.paymentWindowMinutes * 60_000,
          initialStock,
          dailySlots: campaign.dailySlots ?? null,
          timeZone: env.SHOP_TIME_ZONE,
        }),
      ),
    ),
  );
}

/** A campaign's items in the order the merchant listed them (the order the batch inserted them). */
const listedOrder = sql`"flash_sale_items"."rowid"`;

async function loadCampaign(db: Db, flashSaleId: string) {
  const campaign = await db.query.flashSales.findFirst({ where: eq(flashSales.id, flashSaleId) });
  if (!campaign) throw notFound('Flash sale');
  const items = await db.select().from(flashSaleItems).where(eq(flashSaleItems.flashSaleId, flashSaleId)).orderBy(listedOrder);
  return { campaign, items };
}

/**
 * Configures the stock objects of a campaign from D1. Creation does this right after its batch;
 * when that failed (the campaign exists, its objects do not know it yet), the first read or
 * reservation that finds an unconfigured object calls this. Safe to call any number of times.
 */
export async function ensureStockObjectsConfigured(env: Env, flashSaleId: string): Promise<void> {
  const { campaign, items } = await loadCampaign(createDb(env.DB), flashSaleId);
  if (campaign.status === 'settled') return;
  await configureStockObjects(env, campaign, items);
}

export type LiveFigures = { available: number; held: number; paid: number; released: number };

const stockObjectsUnavailable = () =>
  new ApiError(503, 'stock_objects_unavailable', 'The live stock of this flash sale cannot be read right now; try again.', [], { 'Retry-After': '1' });

/**
 * Live figures per item, summed over its shards. An object that does not know the campaign as D1
 * has it (creation or cancellation could not reach it) is configured from D1 here, then read again.
 */
async function liveFigures(env: Env, campaign: FlashSaleRow, items: FlashSaleItemRow[]): Promise<Map<string, LiveFigures>> {
  const readAll = () =>
    Promise.all(items.map(async (item) => ({ item, shards: await Promise.all(Array.from({ length: campaign.shardCount }, (_, shard) => stockObject(env, item.id, shard).snapshot())) })));
  const window = salesWindow(campaign);
  const behind = (s: { config: { startsAt: number; endsAt: number } | null }) => !s.config || s.config.startsAt !== window.startsAt || s.config.endsAt !== window.endsAt;
  try {
    let read = await readAll();
    if (campaign.status !== 'settled' && read.some((r) => r.shards.some(behind))) {
      await configureStockObjects(env, campaign, items);
      read = await readAll();
    }
    return new Map(
      read.map(({ item, shards }) => [
        item.id,
        shards.reduce((sum, s) => ({ available: sum.available + s.available, held: sum.held + s.held, paid: sum.paid + s.paid, released: sum.released + s.released }), {
          available: 0,
          held: 0,
          paid: 0,
          released: 0,
        }),
      ]),
    );
  } catch (error) {
    if (error instanceof ApiError) throw error;
    logEvent('error', 'flash-sale stock objects unreadable', { flash_sale_id: campaign.id, error });
    throw stockObjectsUnavailable();
  }
}

// ---------------------------------------------------------------------------------------------
// Creating and cancelling

/** Scheduled campaigns holding any of these SKUs in a window that overlaps [startsAt, endsAt). */
async function overlappingCampaigns(db: Db, skuIds: string[], startsAt: number, endsAt: number) {
  return db
    .select({ skuId: flashSaleItems.skuId, flashSaleId: flashSaleItems.flashSaleId })
    .from(flashSaleItems)
    .innerJoin(flashSales, eq(flashSales.id, flashSaleItems.flashSaleId))
    .where(and(inArray(flashSaleItems.skuId, skuIds), lt(flashSaleItems.startsAt, endsAt), gt(flashSaleItems.endsAt, startsAt), eq(flashSales.status, 'scheduled')));
}

/**
 * The business rules that depend on the catalog, in a fixed order; the first rule that fails is
 * answered with every item that fails it. Returns the SKUs' products for the write.
 */
async function checkAgainstCatalog(db: Db, input: FlashSaleInput, startsAt: number, endsAt: number, now: number, timeZone: string): Promise<Map<string, PurchasableSku>> {
  assertStartNotPast(startsAt, now);
  if (salesMomentAt({ startsAt, endsAt, dailySlots: input.daily_slots ?? null }, startsAt, timeZone).state === 'ended') {
    throw businessRule('no_slot_in_window', 'None of the daily slots falls between the start and the end.', [{ path: 'body.daily_slots', message: 'no slot opens within the window' }]);
  }
  const skuIds = input.items.map((i) => i.sku_id);
  const catalog = await loadSellableSkus(
    db,
    input.items.map((item, i) => ({ skuId: item.sku_id, path: `body.items.${i}.sku_id` })),
  );
  const failing = (code: string, message: string, test: (item: FlashSaleItemInput, sku: PurchasableSku | undefined) => ErrorDetail | null) => {
    const details = input.items.flatMap((item, i) => {
      const problem = test(item, catalog.get(item.sku_id));
      return problem ? [{ path: `body.items.${i}.${problem.path}`, message: problem.message }] : [];
    });
    if (details.length) throw businessRule(code, message, details);
  };
  failing('flash_price_above_price', 'A flash price must not be above the SKU’s normal price.', (item, sku) =>
    item.flash_price_fen > sku!.priceFen ? { path: 'flash_price_fen', message: `is above the SKU's price of ${sku!.priceFen} fen` } : null,
  );
  failing('insufficient_stock', 'A flash stock is more than the SKU has in stock.', (item, sku) =>
    item.flash_stock > sku!.stock ? { path: 'flash_stock', message: `is more than the ${sku!.stock} in stock` } : null,
  );
  const overlaps = new Map((await overlappingCampaigns(db, skuIds, startsAt, endsAt)).map((o) => [o.skuId, o.flashSaleId]));
  failing('flash_sale_overlap', 'A SKU is already in another flash sale at an overlapping time.', (item) =>
    overlaps.has(item.sku_id) ? { path: 'sku_id', message: `is already in flash sale ${overlaps.get(item.sku_id)} at an overlapping time` } : null,
  );
  return catalog;
}

/** One campaign SKU: inserted only if every rule still holds at write time (see "Races" above). */
function insertItemIfStillAllowed(item: FlashSaleItemInput, ids: { itemId: string; flashSaleId: string }, startsAt: number, endsAt: number, now: number): SQL {
  return sql`INSERT INTO flash_sale_items (id, flash_sale_id, product_id, sku_id, flash_price_fen, flash_stock, starts_at, ends_at, created_at)
    SELECT ${ids.itemId}, ${ids.flashSaleId}, s.product_id, s.id, ${item.flash_price_fen}, ${item.flash_stock}, ${startsAt}, ${endsAt}, ${now}
    FROM skus s JOIN products p ON p.id = s.product_id
    WHERE s.id = ${item.sku_id} AND s.active = 1 AND p.status = 'published' AND s.price_fen >= ${item.flash_price_fen}
      AND NOT EXISTS (
        SELECT 1 FROM flash_sale_items o JOIN flash_sales f ON f.id = o.flash_sale_id
        WHERE o.sku_id = ${item.sku_id} AND o.starts_at < ${endsAt} AND o.ends_at > ${startsAt} AND f.status = 'scheduled')`;
}

/**
 * Creates a campaign: one D1 batch writes it, takes each flash stock out of its SKU (ledger row
 * "flash sale <id>"), refreshes the products' totals and bumps the catalog version. Then the
 * stock objects are configured; `configured: false` means they could not be reached and will be
 * configured on first use (the campaign itself is saved).
 */
export async function createFlashSale(env: Env, ctx: WriteContext, input: FlashSaleInput): Promise<{ id: string; configured: boolean }> {
  const startsAt = Date.parse(input.starts_at);
  const endsAt = Date.parse(input.ends_at);
  const catalog = await checkAgainstCatalog(ctx.db, input, startsAt, endsAt, ctx.now, env.SHOP_TIME_ZONE);

  const id = newId('fls');
  const reason = `flash sale ${id}`;
  const statements: Statement[] = [
    ctx.db.insert(flashSales).values({
      id,
      title: input.title,
      startsAt,
      endsAt,
      perUserLimit: input.per_user_limit,
      perOrderLimit: input.per_order_limit,
      paymentWindowMinutes: input.payment_window_minutes,
      dailySlots: input.daily_slots ?? null,
      shardCount: shardCountFor(input),
      status: 'scheduled',
      createdBy: ctx.actor.id,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }),
  ];
  for (const item of input.items) {
    statements.push(
      insertItemIfStillAllowed(item, { itemId: newId('fsi'), flashSaleId: id }, startsAt, endsAt, ctx.now),
      abortUnlessChanged(),
      // CHECK (stock >= 0) refuses (and rolls back) a flash stock that a sale since our read made too big.
      sql`UPDATE skus SET stock = stock - ${item.flash_stock}, updated_at = ${ctx.now} WHERE id = ${item.sku_id}`,
      sql`INSERT INTO stock_ledger (id, sku_id, delta, stock_after, reason, actor_id, created_at)
          SELECT ${newId('stk')}, id, ${-item.flash_stock}, stock, ${reason}, ${ctx.actor.id}, ${ctx.now} FROM skus WHERE id = ${item.sku_id}`,
    );
  }
  for (const productId of new Set(input.items.map((i) => catalog.get(i.sku_id)!.productId))) statements.push(refreshProductSummary(productId, ctx.now));

  try {
    await commitCatalogWrite(ctx, statements);
  } catch (error) {
    // A rule broke between the check and the batch (a concurrent campaign or sale): name it.
    if (error instanceof ApiError && (error.code === 'concurrent_change' || error.code === 'insufficient_stock')) {
      await checkAgainstCatalog(ctx.db, input, startsAt, endsAt, ctx.now, env.SHOP_TIME_ZONE);
    }
    throw error;
  }

  try {
    await ensureStockObjectsConfigured(env, id);
    return { id, configured: true };
  } catch (error) {
    logEvent('error', 'configuring flash-sale stock objects failed; they will be configured on first use', { flash_sale_id: id, error });
    return { id, configured: false };
  }
}

/** The answer when a campaign was saved but its stock objects could not be configured yet. */
export const configurationPending = (id: string) =>
  new ApiError(
    503,
    'stock_objects_unavailable',
    `Flash sale ${id} was saved, but its stock objects could not be set up yet; they are set up on first use. Do not create it again.`,
    [{ path: 'id', message: id }],
    { 'Retry-After': '1', Location: `/admin/api/flash-sales/${id}` },
  );

/**
 * Cancels a campaign that has not ended: D1 first (the purchase path refuses cancelled campaigns,
 * so sales stop as soon as this commits), then each stock object's window is closed at once.
 * The unsold stock goes back to the SKUs when the campaign is settled. Returns whether the
 * objects were reached (if not, the next read or reservation configures them from D1).
 */
export async function cancelFlashSale(env: Env, ctx: WriteContext, flashSaleId: string): Promise<{ configured: boolean }> {
  const { campaign } = await loadCampaign(ctx.db, flashSaleId);
  await commitCatalogWrite(ctx, cancelStatements(flashSales, campaign, ctx.now));
  try {
    await ensureStockObjectsConfigured(env, flashSaleId);
    return { configured: true };
  } catch (error) {
    logEvent('error', 'closing flash-sale stock objects failed; D1 already refuses sales', { flash_sale_id: flashSaleId, error });
    return { configured: false };
  }
}

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
  const items = await itemsWithSkus(db, page.map((c) => c.id));
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
  const items = await storefrontItems(db, campaigns.map((c) => c.id));
  return {
    server_time: toIso(now)!,
    items: campaigns
      .map((c) => ({ ...storefrontCampaign(c, now, timeZone), products: items.filter((i) => i.flashSaleId === c.id).map(storefrontProduct) }))
      .filter((c) => c.products.length > 0),
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

// ---------------------------------------------------------------------------------------------
// Settlement: unsold units go back to the SKUs

/** Campaigns looked at per run of the sweep. */
const SETTLE_PER_RUN = 10;

export type SettlementOutcome = { flash_sale_id: string; outcome: 'settled' | 'waiting' | 'failed'; returned?: Record<string, number>; waiting_for?: string };

/**
 * For the cron sweep: settles campaigns that have ended or were cancelled. Each stock object is
 * closed out (its unsold units taken out; refused while a reservation is still held, since that
 * may yet be paid). Once every object of a campaign is closed, one D1 batch gives each SKU back
 * what its objects closed out (ledger row "flash sale <id> settled") and marks the campaign
 * settled; the status guard in that batch makes a second run give nothing back twice.
 * The units come from the objects' own ledgers (closed_out totals), so a run that dies between
 * closing out and the D1 batch loses nothing: the next run reads the same totals.
 */
export async function settleEndedFlashSales(env: Env, now: number): Promise<SettlementOutcome[]> {
  const db = createDb(env.DB);
  const due = await db
    .select()
    .from(flashSales)
    .where(or(and(eq(flashSales.status, 'scheduled'), lte(flashSales.endsAt, now)), eq(flashSales.status, 'cancelled')))
    .orderBy(asc(flashSales.endsAt), asc(flashSales.id))
    .limit(SETTLE_PER_RUN);
  const outcomes: SettlementOutcome[] = [];
  for (const campaign of due) {
    try {
      outcomes.push(await settleCampaign(env, db, campaign, now));
    } catch (error) {
      logEvent('error', 'flash-sale settlement failed; the next run tries again', { flash_sale_id: campaign.id, error });
      outcomes.push({ flash_sale_id: campaign.id, outcome: 'failed' });
    }
  }
  return outcomes;
}

async function settleCampaign(env: Env, db: Db, campaign: FlashSaleRow, now: number): Promise<SettlementOutcome> {
  const items = await db.select().from(flashSaleItems).where(eq(flashSaleItems.flashSaleId, campaign.id));
  // A cancelled campaign's objects may not have heard of the cancellation, and an object that
  // creation never reached has not got its units yet: configure (idempotent) before closing.
  await configureStockObjects(env, campaign, items);
  const shardsOf = (item: FlashSaleItemRow) => Array.from({ length: campaign.shardCount }, (_, shard) => stockObject(env, item.id, shard));
  const closing = await Promise.all(items.map(async (item) => ({ item, results: await Promise.all(shardsOf(item).map((s) => s.closeOut(now))) })));
  const refused = closing.flatMap(({ item, results }) => results.flatMap((r, shard) => (r.refused ? [`${stockObjectName(item.id, shard)}: ${r.refused}`] : [])));
  if (refused.length) return { flash_sale_id: campaign.id, outcome: 'waiting', waiting_for: refused.join(', ') };

  const returned = new Map<FlashSaleItemRow, number>();
  for (const item of items) {
    const snapshots = await Promise.all(shardsOf(item).map((s) => s.snapshot()));
    returned.set(item, snapshots.reduce((n, s) => n + s.ledger.closedOut, 0));
  }
  const reason = `flash sale ${campaign.id} settled`;
  const statements: Statement[] = [
    sql`UPDATE flash_sales SET status = 'settled', updated_at = ${now} WHERE id = ${campaign.id} AND status = ${campaign.status}`,
    abortUnlessChanged(),
  ];
  for (const [item, units] of returned) {
    if (units === 0) continue;
    statements.push(
      sql`UPDATE skus SET stock = stock + ${units}, updated_at = ${now} WHERE id = ${item.skuId}`,
      sql`INSERT INTO stock_ledger (id, sku_id, delta, stock_after, reason, actor_id, created_at)
          SELECT ${newId('stk')}, id, ${units}, stock, ${reason}, NULL, ${now} FROM skus WHERE id = ${item.skuId}`,
    );
  }
  for (const productId of new Set(items.map((i) => i.productId))) statements.push(refreshProductSummary(productId, now));
  const results = await runBatch(db, [...statements, sql.raw(BUMP_CATALOG_VERSION_SQL)]);
  const version = (results[results.length - 1]?.results?.[0] as { version?: number } | undefined)?.version;
  if (typeof version === 'number') await rememberCatalogVersion(version, env, { now: () => now });
  return { flash_sale_id: campaign.id, outcome: 'settled', returned: Object.fromEntries([...returned].map(([item, units]) => [item.skuId, units])) };
}
