// Bargain (砍价) campaigns: the merchant creates and cancels them; shoppers list the live ones.
// A campaign does not take stock out of its SKU: a bargain order reserves one unit of the SKU's
// normal stock when the owner buys (like any order), and the checkout's expiry gives it back
// when the order is not paid. Creating or cancelling a campaign bumps the catalog version, so the
// cached storefront list is fresh at once.
import { and, desc, eq, gt, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { bargainCampaigns, bargainSessions } from '../../db/bargains';
import { products, skus } from '../../db/catalog';
import { orders } from '../../db/orders';
import type { Db } from '../../db/client';
import { campaignState } from '../../domain/campaign';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { businessRule, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { commitCatalogWrite, type WriteContext } from '../../services/catalog-admin';
import { assertStartNotPast, cancelStatements, loadSellableSkus } from '../kernel/campaign-rules';

export type BargainCampaignRow = typeof bargainCampaigns.$inferSelect;

/** A validated POST /admin/api/bargains body (routes/admin/bargains.ts). */
export type BargainCampaignInput = {
  title: string;
  sku_id: string;
  start_price_fen: number;
  floor_price_fen: number;
  helpers_needed: number;
  session_minutes: number;
  launches_per_shopper: number;
  helps_per_day: number;
  buy_before_floor: boolean;
  new_helper_bonus_pct: number;
  starts_at: string;
  ends_at: string;
};

export async function createBargainCampaign(ctx: WriteContext, input: BargainCampaignInput): Promise<string> {
  const startsAt = Date.parse(input.starts_at);
  const endsAt = Date.parse(input.ends_at);
  assertStartNotPast(startsAt, ctx.now);
  const sku = (await loadSellableSkus(ctx.db, [{ skuId: input.sku_id, path: 'body.sku_id' }])).get(input.sku_id)!;
  if (input.start_price_fen > sku.priceFen) {
    throw businessRule('start_above_price', `The starting price may not exceed the SKU's price (${sku.priceFen} fen).`, [{ path: 'body.start_price_fen', message: `at most ${sku.priceFen}` }]);
  }
  const id = newId('bgn');
  await commitCatalogWrite(ctx, [
    ctx.db.insert(bargainCampaigns).values({
      id,
      title: input.title,
      productId: sku.productId,
      skuId: sku.skuId,
      startPriceFen: input.start_price_fen,
      floorPriceFen: input.floor_price_fen,
      helpersNeeded: input.helpers_needed,
      sessionMinutes: input.session_minutes,
      launchesPerShopper: input.launches_per_shopper,
      helpsPerDay: input.helps_per_day,
      buyBeforeFloor: input.buy_before_floor ? 1 : 0,
      newHelperBonusPct: input.new_helper_bonus_pct,
      startsAt,
      endsAt,
      status: 'scheduled',
      createdBy: ctx.actor.id,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }),
  ]);
  return id;
}

/** Stops new launches; sessions already open run to their end and may still be bought. */
export async function cancelBargainCampaign(ctx: WriteContext, campaignId: string): Promise<void> {
  const campaign = await findCampaign(ctx.db, campaignId);
  await commitCatalogWrite(ctx, cancelStatements(bargainCampaigns, campaign, ctx.now));
}

export async function findCampaign(db: Db, campaignId: string): Promise<BargainCampaignRow> {
  const campaign = await db.query.bargainCampaigns.findFirst({ where: eq(bargainCampaigns.id, campaignId) });
  if (!campaign) throw notFound('Bargain campaign');
  return campaign;
}

// ---------------------------------------------------------------------------------------------
// Views

type CampaignWithProduct = BargainCampaignRow & { productTitle: string; imageUrl: string; specValues: string[]; skuPriceFen: number };

const withProduct = {
  campaign: bargainCampaigns,
  productTitle: products.title,
  mainImageUrl: products.mainImageUrl,
  skuImageUrl: skus.imageUrl,
  specValues: skus.specValues,
  skuPriceFen: skus.priceFen,
};

async function campaignsWithProducts(db: Db, where: SQL | undefined, limit: number): Promise<CampaignWithProduct[]> {
  const rows = await db
    .select(withProduct)
    .from(bargainCampaigns)
    .innerJoin(skus, eq(skus.id, bargainCampaigns.skuId))
    .innerJoin(products, eq(products.id, bargainCampaigns.productId))
    .where(where)
    .orderBy(desc(bargainCampaigns.createdAt), desc(bargainCampaigns.id))
    .limit(limit);
  return rows.map((r) => ({ ...r.campaign, productTitle: r.productTitle, imageUrl: r.skuImageUrl ?? r.mainImageUrl, specValues: r.specValues, skuPriceFen: r.skuPriceFen }));
}

/** What the mini-program shows for a campaign (GET /bargains, GET /bargains/:campaignId). */
export const campaignView = (c: CampaignWithProduct) => ({
  id: c.id,
  title: c.title,
  product_id: c.productId,
  sku_id: c.skuId,
  product_title: c.productTitle,
  spec_values: c.specValues,
  image: c.imageUrl,
  start_price_fen: c.startPriceFen,
  floor_price_fen: c.floorPriceFen,
  helpers_needed: c.helpersNeeded,
  session_minutes: c.sessionMinutes,
  buy_before_floor: c.buyBeforeFloor === 1,
  starts_at: toIso(c.startsAt)!,
  ends_at: toIso(c.endsAt)!,
});

export type BargainCampaignView = ReturnType<typeof campaignView>;

const listCursor = v.object({ k: v.number(), id: v.string() });

const afterCursor = (cursor: string | undefined): SQL | undefined => {
  if (!cursor) return undefined;
  const c = decodeCursor(cursor, listCursor);
  return or(lt(bargainCampaigns.createdAt, c.k), and(eq(bargainCampaigns.createdAt, c.k), lt(bargainCampaigns.id, c.id)));
};

function page<T extends CampaignWithProduct, V>(rows: T[], limit: number, view: (row: T) => V) {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return { items: shown.map(view), next_cursor: rows.length > limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null };
}

/** Live campaigns (started, not ended, not cancelled) whose SKU is on sale, newest first. */
export async function storefrontBargains(db: Db, opts: { cursor?: string | undefined; limit: number; now: number }) {
  const rows = await campaignsWithProducts(
    db,
    and(
      eq(bargainCampaigns.status, 'scheduled'),
      lte(bargainCampaigns.startsAt, opts.now),
      gt(bargainCampaigns.endsAt, opts.now),
      eq(skus.active, 1),
      eq(products.status, 'published'),
      afterCursor(opts.cursor),
    ),
    opts.limit + 1,
  );
  return { ...page(rows, opts.limit, campaignView), server_time: toIso(opts.now)! };
}

/** One campaign a shopper may see: not cancelled (an ended one is shown, so an open page can say so). */
export async function storefrontBargain(db: Db, campaignId: string, now: number) {
  const [row] = await campaignsWithProducts(db, and(eq(bargainCampaigns.id, campaignId), eq(bargainCampaigns.status, 'scheduled')), 1);
  if (!row) throw notFound('Bargain campaign');
  return { ...campaignView(row), state: campaignState(row, now), server_time: toIso(now)! };
}

const adminView = (c: CampaignWithProduct, now: number) => ({
  ...campaignView(c),
  state: campaignState(c, now),
  sku_price_fen: c.skuPriceFen,
  launches_per_shopper: c.launchesPerShopper,
  helps_per_day: c.helpsPerDay,
  new_helper_bonus_pct: c.newHelperBonusPct,
  created_by: c.createdBy,
  created_at: toIso(c.createdAt)!,
  updated_at: toIso(c.updatedAt)!,
});

export type AdminBargainCampaign = ReturnType<typeof adminView> & { stats?: { sessions: number; orders: number; paid_orders: number } };

export async function listBargainsForAdmin(db: Db, opts: { cursor?: string | undefined; limit: number; now: number }) {
  const rows = await campaignsWithProducts(db, afterCursor(opts.cursor), opts.limit + 1);
  return page(rows, opts.limit, (c) => adminView(c, opts.now));
}

/** One campaign with its figures: sessions launched, orders created from them, orders paid. */
export async function bargainForAdmin(db: Db, campaignId: string, now: number): Promise<AdminBargainCampaign> {
  const [row] = await campaignsWithProducts(db, eq(bargainCampaigns.id, campaignId), 1);
  if (!row) throw notFound('Bargain campaign');
  const [stats] = await db
    .select({
      sessions: sql<number>`count(DISTINCT ${bargainSessions.id})`,
      orders: sql<number>`count(${orders.id})`,
      paid_orders: sql<number>`count(${orders.paidAt})`,
    })
    .from(bargainSessions)
    .leftJoin(orders, and(eq(orders.source, 'bargain'), eq(orders.sourceRef, bargainSessions.id)))
    .where(eq(bargainSessions.campaignId, campaignId));
  return { ...adminView(row, now), stats: stats ?? { sessions: 0, orders: 0, paid_orders: 0 } };
}
