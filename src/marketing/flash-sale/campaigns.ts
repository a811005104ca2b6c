// Flash-sale (秒杀) campaigns: creating and cancelling one. Its stock objects are
// stock-objects.ts, the admin's and storefront's views views.ts, buying purchase.ts and handing
// unsold units back settlement.ts.
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
import { and, eq, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { abortUnlessChanged, type Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import { salesMomentAt } from '../../domain/flash-sale-slots';
import type { Env } from '../../env';
import { ApiError, businessRule, type ErrorDetail } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { logEvent } from '../../lib/log';
import { commitCatalogWrite, refreshProductSummary, type WriteContext } from '../../services/catalog-admin';
import type { PurchasableSku } from '../../services/purchasable';
import { stockMovementStatements } from '../../services/stock';
import { assertStartNotPast, cancelStatements, loadSellableSkus } from '../kernel/campaign-rules';
import { shardCountFor, type FlashSaleInput, type FlashSaleItemInput } from './model';
import { ensureStockObjectsConfigured, loadCampaign } from './stock-objects';

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
      ...stockMovementStatements({ skuId: item.sku_id, delta: -item.flash_stock, reason, actorId: ctx.actor.id, now: ctx.now }),
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
