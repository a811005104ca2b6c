// Group-buy (拼团) campaigns: creating and cancelling one (admin), and the views the storefront
// and the admin read. Rooms, seats and orders are rooms.ts; what a closed room means
// in D1 is settlement.ts.
//
// A campaign names SKUs of one product with their group price (tiered campaigns: the tiers'
// prices apply to every SKU). It takes no stock out of the SKUs: a seat's order reserves its
// unit from skus.stock like any order, and a failed group's refunds give it back.
import { and, asc, desc, eq, gt, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { products, skus } from '../../db/catalog';
import type { Db } from '../../db/client';
import { groupBuyRooms, groupBuys, groupBuySkus } from '../../db/group-buys';
import { tierProblems, type GroupRules, type Tier } from '../../domain/group-buy';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { businessRule, invalidInput, notFound, type ErrorDetail } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { assertStartNotPast, cancelStatements, loadSellableSkus } from '../kernel/campaign-rules';
import { campaignState, isLive, type CampaignState } from '../../domain/campaign';
import { commitCatalogWrite, type WriteContext } from '../../services/catalog-admin';

export type GroupBuyRow = typeof groupBuys.$inferSelect;

/** A validated POST /admin/api/group-buys body (routes/admin/group-buys-schemas.ts). */
export type GroupBuyInput = {
  title: string;
  starts_at: string;
  ends_at: string;
  skus: { sku_id: string; group_price_fen?: number | undefined }[];
  /** Not tiered: the room's size. Tiered: optional, must equal the first tier's size. */
  group_size?: number | undefined;
  /** Tiered: the largest group (seats per room). */
  max_size?: number | undefined;
  tiers?: { min_size: number; price_fen: number }[] | undefined;
  leader_discount_fen?: number | undefined;
  duration_minutes: number;
  payment_window_minutes?: number | undefined;
  per_user_limit?: number | undefined;
  simulate_share_percent?: number | null | undefined;
  full_room_policy?: 'refuse' | 'new_room' | undefined;
};

export const DEFAULT_PAYMENT_WINDOW_MINUTES = 15;

export const rulesOf = (c: Pick<GroupBuyRow, 'groupSize' | 'maxSize' | 'tiers' | 'leaderDiscountFen' | 'simulateSharePercent'>): GroupRules => ({
  groupSize: c.groupSize,
  maxSize: c.maxSize,
  tiers: c.tiers,
  leaderDiscountFen: c.leaderDiscountFen,
  simulateSharePercent: c.simulateSharePercent,
});

type Shape = { groupSize: number; maxSize: number; tiers: Tier[] };

/** The sizes and tiers of a campaign from its body, or a 400 naming each field that does not fit. */
function shapeOf(input: GroupBuyInput): Shape {
  const problems: ErrorDetail[] = [];
  const tiers = (input.tiers ?? []).map((t) => ({ minSize: t.min_size, priceFen: t.price_fen }));
  let shape: Shape;
  if (tiers.length) {
    const maxSize = input.max_size ?? tiers[tiers.length - 1]!.minSize;
    problems.push(...tierProblems(tiers, maxSize).map((p) => ({ path: p.path ? `body.tiers.${p.path}` : 'body.tiers', message: p.message })));
    if (input.group_size !== undefined && input.group_size !== tiers[0]!.minSize) problems.push({ path: 'body.group_size', message: 'must equal the first tier’s min_size (or be left out)' });
    input.skus.forEach((s, i) => {
      if (s.group_price_fen !== undefined) problems.push({ path: `body.skus.${i}.group_price_fen`, message: 'must be left out: the tiers set the price' });
    });
    shape = { groupSize: tiers[0]!.minSize, maxSize, tiers };
  } else {
    if (input.group_size === undefined) problems.push({ path: 'body.group_size', message: 'is required (or give tiers)' });
    if (input.max_size !== undefined && input.max_size !== input.group_size) problems.push({ path: 'body.max_size', message: 'must equal group_size unless the campaign is tiered' });
    input.skus.forEach((s, i) => {
      if (s.group_price_fen === undefined) problems.push({ path: `body.skus.${i}.group_price_fen`, message: 'is required' });
    });
    shape = { groupSize: input.group_size ?? 2, maxSize: input.group_size ?? 2, tiers: [] };
  }
  const window = input.payment_window_minutes ?? DEFAULT_PAYMENT_WINDOW_MINUTES;
  if (window > input.duration_minutes) problems.push({ path: 'body.payment_window_minutes', message: 'must not be longer than duration_minutes' });
  if (Date.parse(input.ends_at) <= Date.parse(input.starts_at)) problems.push({ path: 'body.ends_at', message: 'must be after starts_at' });
  if (new Set(input.skus.map((s) => s.sku_id)).size !== input.skus.length) problems.push({ path: 'body.skus', message: 'lists a SKU twice' });
  if (problems.length) throw invalidInput(problems, 'The group buy does not add up.');
  return shape;
}

/** The SKUs must be on sale (the kernel's check), of one product, and dearer than their group price (less the leader's discount). */
async function checkAgainstCatalog(db: Db, input: GroupBuyInput, shape: Shape): Promise<string> {
  const byId = await loadSellableSkus(
    db,
    input.skus.map((s, i) => ({ skuId: s.sku_id, path: `body.skus.${i}.sku_id` })),
  );
  const problems: ErrorDetail[] = [];
  const productIds = new Set([...byId.values()].map((r) => r.productId));
  input.skus.forEach((s, i) => {
    const sku = byId.get(s.sku_id)!;
    const path = `body.skus.${i}`;
    const price = shape.tiers[0]?.priceFen ?? s.group_price_fen!;
    if (price >= sku.priceFen) problems.push({ path: shape.tiers.length ? 'body.tiers.0.price_fen' : `${path}.group_price_fen`, message: `must be below the SKU's price (${sku.priceFen} fen)` });
    if ((input.leader_discount_fen ?? 0) >= price) problems.push({ path: 'body.leader_discount_fen', message: 'must be below the group price' });
  });
  if (productIds.size > 1) problems.push({ path: 'body.skus', message: 'all SKUs must belong to one product' });
  if (problems.length) throw businessRule('group_buy_not_allowed', 'These SKUs cannot be sold in this group buy.', problems);
  return byId.get(input.skus[0]!.sku_id)!.productId;
}

export async function createGroupBuy(ctx: WriteContext, input: GroupBuyInput): Promise<string> {
  const shape = shapeOf(input);
  const startsAt = Date.parse(input.starts_at);
  assertStartNotPast(startsAt, ctx.now);
  const productId = await checkAgainstCatalog(ctx.db, input, shape);
  const id = newId('gbc');
  const statements = [
    ctx.db.insert(groupBuys).values({
      id,
      title: input.title,
      productId,
      groupSize: shape.groupSize,
      maxSize: shape.maxSize,
      tiers: shape.tiers,
      leaderDiscountFen: input.leader_discount_fen ?? 0,
      durationMinutes: input.duration_minutes,
      paymentWindowMinutes: input.payment_window_minutes ?? DEFAULT_PAYMENT_WINDOW_MINUTES,
      perUserLimit: input.per_user_limit ?? 1,
      simulateSharePercent: input.simulate_share_percent ?? null,
      fullRoomPolicy: input.full_room_policy ?? 'refuse',
      startsAt,
      endsAt: Date.parse(input.ends_at),
      status: 'scheduled',
      createdBy: ctx.actor.id,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }),
    ctx.db.insert(groupBuySkus).values(input.skus.map((s) => ({ id: newId('gbs'), groupBuyId: id, skuId: s.sku_id, groupPriceFen: shape.tiers[0]?.priceFen ?? s.group_price_fen! }))),
  ];
  // The storefront's list is cached under the catalog version: bump it so the campaign shows.
  await commitCatalogWrite(ctx, statements);
  return id;
}

/** Stops new rooms and joins at once; open rooms run to their end (their members have paid). */
export async function cancelGroupBuy(ctx: WriteContext, id: string): Promise<void> {
  const campaign = await findCampaign(ctx.db, id);
  await commitCatalogWrite(ctx, cancelStatements(groupBuys, campaign, ctx.now));
}

export async function findCampaign(db: Db, id: string): Promise<GroupBuyRow> {
  const campaign = await db.query.groupBuys.findFirst({ where: eq(groupBuys.id, id) });
  if (!campaign) throw notFound('Group buy');
  return campaign;
}

// ---------------------------------------------------------------------------------------------
// Views

type CampaignSku = { sku_id: string; spec_text: string; price_fen: number; group_price_fen: number };

/** What the storefront shows for a campaign (the mini-program imports this type). */
export type GroupBuyCampaignView = {
  id: string;
  title: string;
  product_id: string;
  image: string;
  skus: CampaignSku[];
  group_size: number;
  tiers: { min_size: number; price_fen: number }[];
  max_size: number;
  leader_discount_fen: number;
  duration_minutes: number;
  starts_at: string;
  ends_at: string;
};

async function skusOf(db: Db, campaignIds: string[]): Promise<Map<string, CampaignSku[]>> {
  const rows = campaignIds.length
    ? await db
        .select({ campaignId: groupBuySkus.groupBuyId, skuId: groupBuySkus.skuId, groupPriceFen: groupBuySkus.groupPriceFen, specValues: skus.specValues, priceFen: skus.priceFen })
        .from(groupBuySkus)
        .innerJoin(skus, eq(skus.id, groupBuySkus.skuId))
        .where(inArray(groupBuySkus.groupBuyId, campaignIds))
        .orderBy(sql`"group_buy_skus"."rowid"`)
    : [];
  const out = new Map<string, CampaignSku[]>();
  for (const r of rows) {
    const list = out.get(r.campaignId) ?? [];
    list.push({ sku_id: r.skuId, spec_text: r.specValues.join(' / '), price_fen: r.priceFen, group_price_fen: r.groupPriceFen });
    out.set(r.campaignId, list);
  }
  return out;
}

async function imagesOf(db: Db, productIds: string[]): Promise<Map<string, string>> {
  const rows = productIds.length ? await db.select({ id: products.id, image: products.mainImageUrl }).from(products).where(inArray(products.id, productIds)) : [];
  return new Map(rows.map((r) => [r.id, r.image]));
}

function campaignView(c: GroupBuyRow, skuList: CampaignSku[], image: string): GroupBuyCampaignView {
  return {
    id: c.id,
    title: c.title,
    product_id: c.productId,
    image,
    skus: skuList,
    group_size: c.groupSize,
    tiers: c.tiers.map((t) => ({ min_size: t.minSize, price_fen: t.priceFen })),
    max_size: c.maxSize,
    leader_discount_fen: c.leaderDiscountFen,
    duration_minutes: c.durationMinutes,
    starts_at: toIso(c.startsAt)!,
    ends_at: toIso(c.endsAt)!,
  };
}

async function campaignViews(db: Db, rows: GroupBuyRow[]): Promise<GroupBuyCampaignView[]> {
  const [skuLists, images] = await Promise.all([
    skusOf(
      db,
      rows.map((r) => r.id),
    ),
    imagesOf(db, [...new Set(rows.map((r) => r.productId))]),
  ]);
  return rows.map((r) => campaignView(r, skuLists.get(r.id) ?? [], images.get(r.productId) ?? ''));
}

export const STOREFRONT_CAMPAIGN_LIMIT = 50;

/** The live campaigns, ending soonest first (public, cached briefly: the list changes with time). */
export async function storefrontGroupBuys(db: Db, now: number): Promise<{ items: GroupBuyCampaignView[]; next_cursor: null; server_time: string }> {
  const rows = await db
    .select()
    .from(groupBuys)
    .where(and(eq(groupBuys.status, 'scheduled'), lte(groupBuys.startsAt, now), gt(groupBuys.endsAt, now)))
    .orderBy(asc(groupBuys.endsAt), asc(groupBuys.id))
    .limit(STOREFRONT_CAMPAIGN_LIMIT);
  return { items: await campaignViews(db, rows), next_cursor: null, server_time: toIso(now)! };
}

/** One campaign as the storefront shows it; a cancelled or ended one is "not found". */
export async function storefrontGroupBuy(db: Db, id: string, now: number): Promise<GroupBuyCampaignView> {
  const campaign = await findCampaign(db, id);
  const state = campaignState(campaign, now);
  if (state !== 'live' && state !== 'upcoming') throw notFound('Group buy');
  return (await campaignViews(db, [campaign]))[0]!;
}

export type AdminGroupBuy = GroupBuyCampaignView & {
  status: GroupBuyRow['status'];
  /** The kernel's state (upcoming, live, ended, cancelled), as for every campaign. */
  state: CampaignState;
  live: boolean;
  payment_window_minutes: number;
  per_user_limit: number;
  simulate_share_percent: number | null;
  full_room_policy: GroupBuyRow['fullRoomPolicy'];
  rooms: { open: number; succeeded: number; failed: number };
  created_at: string;
};

export async function groupBuyForAdmin(db: Db, id: string, now: number): Promise<AdminGroupBuy> {
  const campaign = await findCampaign(db, id);
  const [view] = await campaignViews(db, [campaign]);
  const counts = await db.select({ status: groupBuyRooms.status, n: sql<number>`count(*)` }).from(groupBuyRooms).where(eq(groupBuyRooms.groupBuyId, id)).groupBy(groupBuyRooms.status);
  const rooms = { open: 0, succeeded: 0, failed: 0 };
  for (const c of counts) rooms[c.status] = c.n;
  return {
    ...view!,
    status: campaign.status,
    state: campaignState(campaign, now),
    live: isLive(campaign, now),
    payment_window_minutes: campaign.paymentWindowMinutes,
    per_user_limit: campaign.perUserLimit,
    simulate_share_percent: campaign.simulateSharePercent,
    full_room_policy: campaign.fullRoomPolicy,
    rooms,
    created_at: toIso(campaign.createdAt)!,
  };
}

const listCursor = v.object({ k: v.number(), id: v.string() });

export async function listGroupBuysForAdmin(db: Db, opts: { status?: GroupBuyRow['status'] | undefined; cursor?: string | undefined; limit: number; now: number }) {
  const conditions: SQL[] = [];
  if (opts.status) conditions.push(eq(groupBuys.status, opts.status));
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor, listCursor);
    conditions.push(or(lt(groupBuys.createdAt, c.k), and(eq(groupBuys.createdAt, c.k), lt(groupBuys.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(groupBuys)
    .where(and(...conditions))
    .orderBy(desc(groupBuys.createdAt), desc(groupBuys.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page[page.length - 1];
  const views = await campaignViews(db, page);
  return {
    items: views.map((view, i) => ({ ...view, status: page[i]!.status, state: campaignState(page[i]!, opts.now), created_at: toIso(page[i]!.createdAt)! })),
    next_cursor: rows.length > opts.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null,
  };
}
