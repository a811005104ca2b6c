// A flash sale's stock objects: one FlashSaleStock per campaign SKU and shard (see campaigns.ts
// for why and how many). They are configured from D1, idempotently, and read for live figures.
import { eq, sql } from 'drizzle-orm';
import { createDb, type Db } from '../../db/client';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import { splitStockAcrossShards } from '../../domain/flash-sale';
import type { Env } from '../../env';
import { ApiError, notFound } from '../../lib/errors';
import { logEvent } from '../../lib/log';
import { flashStockStub } from '../kernel/object-stubs';
import type { FlashSaleItemRow, FlashSaleRow } from './model';

/**
 * The window the stock objects enforce. A cancelled campaign's objects end at the cancellation
 * (updated_at: nothing changes a cancelled campaign until settlement, and settled campaigns are
 * never configured again); its start is pulled back too, so the window stays a window.
 */
export function salesWindow(c: FlashSaleRow) {
  if (c.status !== 'cancelled') return { startsAt: c.startsAt, endsAt: c.endsAt };
  const endsAt = Math.min(c.endsAt, c.updatedAt);
  return { startsAt: Math.min(c.startsAt, endsAt - 1), endsAt };
}

/** Configures every shard of every item (idempotent: the first call sets the stock, later ones only the window and limits). */
export async function configureStockObjects(env: Env, campaign: FlashSaleRow, items: FlashSaleItemRow[]): Promise<void> {
  const { startsAt, endsAt } = salesWindow(campaign);
  await Promise.all(
    items.flatMap((item) =>
      splitStockAcrossShards(item.flashStock, campaign.shardCount).map((initialStock, shard) =>
        flashStockStub(env, item.id, shard).configure({
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
export const listedOrder = sql`"flash_sale_items"."rowid"`;

export async function loadCampaign(db: Db, flashSaleId: string) {
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

const stockObjectsUnavailable = () => new ApiError(503, 'stock_objects_unavailable', 'The live stock of this flash sale cannot be read right now; try again.', [], { 'Retry-After': '1' });

/**
 * Live figures per item, summed over its shards. An object that does not know the campaign as D1
 * has it (creation or cancellation could not reach it) is configured from D1 here, then read again.
 */
export async function liveFigures(env: Env, campaign: FlashSaleRow, items: FlashSaleItemRow[]): Promise<Map<string, LiveFigures>> {
  const readAll = () =>
    Promise.all(items.map(async (item) => ({ item, shards: await Promise.all(Array.from({ length: campaign.shardCount }, (_, shard) => flashStockStub(env, item.id, shard).snapshot())) })));
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
