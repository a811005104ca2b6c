// Buying in a flash sale. The reply waits for the stock object, not for D1:
//  1. a refusal for a SKU this isolate knows is sold out is decided here, from memory: no D1
//     read, no call to the object (a winner's retry is the one exception; see soldOutShards below);
//  2. the reservation is made in the SKU shard's stock object, with what its order is written
//     from (the shopper's address check runs at the same time, against D1);
//  3. the order is queued (order-writer.ts writes it in batches off the reply path) and the
//     shopper gets its id and deadline at once; paying, opening or cancelling it before the
//     queue has written it writes it on demand.
import { and, eq } from 'drizzle-orm';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import type { Db } from '../../db/client';
import { reservationRef, shardFor, type FlashOrderIntent, type FlashOrderJob } from '../../domain/flash-sale';
import type { Env } from '../../env';
import { type ApiError, businessRule, conflict, notFound, tooManyRequests } from '../../lib/errors';
import { addressSnapshot, shippingAddressRead } from '../../services/addresses';
import { ensureStockObjectsConfigured } from './stock-objects';
import { callConfigured, refusalError, type RefusalErrors } from '../kernel/object-calls';
import { flashStockStub } from '../kernel/object-stubs';
import { RefusalMemory } from '../../lib/refusal-memory';
import type { ReserveRefusal, ReserveResult } from '../../../durable-objects/flash-sale-stock.types';
import { findOrderBySource, newOrderRows, type CreateContext } from '../../services/orders';
import { newOrderView } from '../../services/order-views';
import { flashOrderPlacement } from './flash-order';
import { purchasableSkusRead, type PurchasableSku } from '../../services/purchasable';
import { deliverablePolicy, shippingTemplatesRead, type ShippingTemplates } from '../../services/shipping-templates';
import { combine, runRead } from '../../db/reads';
import { logEvent } from '../../lib/log';
import { derivedId } from '../../lib/ids';
import type { OrderRow } from '../../services/order-transitions';
import { enqueueWork } from '../../services/work-queue';

/**
 * Sold-out shards in isolate memory, by "itemId/shard", with the shoppers whose reservations the
 * shard still held or had sold when it said so. Later buyers of that shard are refused here,
 * before anything is hashed; those shoppers are sent on to the object, which answers a winner's
 * retry (the same Idempotency-Key) with its reservation. Units may come back when an unpaid
 * hold expires, so the refusal is remembered for a second, never longer; when it lapses, one
 * buyer asks the object again while the others are still refused (for up to another second).
 */
const SOLD_OUT_FLAG_MS = 1_000;
const soldOutShards = new RefusalMemory<'sold_out'>({ probeMs: SOLD_OUT_FLAG_MS });
const shardKey = (itemId: string, shard: number) => `${itemId}/${shard}`;

/** Whether this isolate currently holds a sold-out flag for the shard (tests wait for it). */
export const isFlaggedSoldOut = (itemId: string, shard: number, now: number) => soldOutShards.holds(shardKey(itemId, shard), now);

/**
 * Campaign SKUs as D1 last said, with what a reply shows of them (the SKU) and what shipping it
 * costs where (its shipping templates), in isolate memory for a moment: a burst of buyers reads
 * them once a second, not once per request — a reservation's reply reads only the buyer's
 * address. Staleness is harmless: the stock object enforces the window (a cancellation closes it
 * there too) and the limits; a template edited a second ago prices its orders a second later.
 */
const campaignItems = new Map<string, { row: Promise<CampaignItem | null>; until: number }>();
const CAMPAIGN_MEMORY_MS = 1_000;
type CampaignItem = { campaign: typeof flashSales.$inferSelect; item: typeof flashSaleItems.$inferSelect; sku: PurchasableSku | undefined; shipping: ShippingTemplates };

/** One read per second per campaign SKU and isolate: the requests that arrive while it runs wait for it rather than read too. */
function campaignItem(db: Db, flashSaleId: string, skuId: string, now: number): Promise<CampaignItem | null> {
  const key = `${flashSaleId}/${skuId}`;
  const remembered = campaignItems.get(key);
  if (remembered && remembered.until > now) return remembered.row;
  const row = readCampaignItem(db, flashSaleId, skuId);
  if (campaignItems.size > 1_000) campaignItems.clear(); // bounded: only live campaigns matter
  campaignItems.set(key, { row, until: now + CAMPAIGN_MEMORY_MS });
  // A failed read is not remembered: the next request reads again.
  row.catch(() => {
    if (campaignItems.get(key)?.row === row) campaignItems.delete(key);
  });
  return row;
}

async function readCampaignItem(db: Db, flashSaleId: string, skuId: string): Promise<CampaignItem | null> {
  // The campaign and its item share column names (id, created_at …), which a D1 batch would mix
  // up (src/db/reads.ts): that query goes on its own, beside one batch for the SKU.
  const [[found], { skus, shipping }] = await Promise.all([
    db
      .select({ campaign: flashSales, item: flashSaleItems })
      .from(flashSaleItems)
      .innerJoin(flashSales, eq(flashSales.id, flashSaleItems.flashSaleId))
      .where(and(eq(flashSaleItems.flashSaleId, flashSaleId), eq(flashSaleItems.skuId, skuId))),
    runRead(db, combine({ skus: purchasableSkusRead(db, [skuId]), shipping: shippingTemplatesRead(db, [skuId]) })),
  ]);
  return found ? { ...found, sku: skus.get(skuId), shipping } : null;
}

/**
 * The reservation id for one shopper's request: the same Idempotency-Key and body give the same
 * id, so the object replays its decision to a copy. Another body under the same key gets its own
 * id, which the object refuses (one reservation per key and shopper): it can never replay, or
 * release, the first request's units.
 */
const reservationIdFor = (ctx: CreateContext) => derivedId('rsv', ctx.userId, ctx.idempotencyKey, ctx.requestHash);

export type FlashPurchase = { flashSaleId: string; skuId: string; quantity: number; addressId?: string };

/** What the shopper hears: the order as it will be written, or (for a retry) as it is now. */
export type FlashPurchaseAnswer = { kind: 'reserved'; view: ReturnType<typeof newOrderView>; replayed: boolean } | { kind: 'existing'; order: OrderRow };

/**
 * The crowd's answer once a shard is sold out, built once: a refusal from memory constructs no
 * Error (its message and status never change; the request id is added when it is answered).
 */
const soldOutFromMemory = conflict('sold_out', 'Sold out.');

/**
 * Refuses a purchase from memory, if this isolate knows the buyer's shard is sold out. The route
 * asks before it hashes the request, so the crowd behind the last unit costs no digest either;
 * buyInFlashSale does not ask again (the one buyer let through to probe a lapsed flag would be
 * refused by a second recall).
 */
export async function refusePurchaseFromMemory(db: Db, purchase: Pick<FlashPurchase, 'flashSaleId' | 'skuId'>, userId: string, now: number): Promise<void> {
  const row = await campaignItem(db, purchase.flashSaleId, purchase.skuId, now);
  if (!row) return; // buyInFlashSale answers the 404
  if (soldOutShards.recall(shardKey(row.item.id, shardFor(userId, row.campaign.shardCount)), userId, now)) throw soldOutFromMemory;
}

/** A reservation in the buyer's shard; the route has asked refusePurchaseFromMemory first. */
export async function buyInFlashSale(env: Env, ctx: CreateContext, purchase: FlashPurchase): Promise<FlashPurchaseAnswer> {
  const row = await campaignItem(ctx.db, purchase.flashSaleId, purchase.skuId, ctx.now);
  if (!row || row.campaign.status === 'cancelled' || !row.sku) throw notFound('Flash-sale item');
  const { campaign, item, sku } = row;
  const shard = shardFor(ctx.userId, campaign.shardCount);
  const reservationId = await reservationIdFor(ctx);

  const stock = flashStockStub(env, item.id, shard);
  const intent: FlashOrderIntent = { addressId: purchase.addressId ?? null, idempotencyKey: ctx.idempotencyKey, requestHash: ctx.requestHash };
  const request = { reservationId, userId: ctx.userId, quantity: purchase.quantity, nowMs: ctx.now, idempotencyKey: ctx.idempotencyKey, orderIntent: JSON.stringify(intent) };
  // The address (and what shipping to it costs) is looked up while the object decides: the reply
  // waits for the slower of the two.
  const [result, destination] = await Promise.all([
    callConfigured(
      async (): Promise<ReserveResult> => stock.reserve(request),
      () => ensureStockObjectsConfigured(env, campaign.id),
    ),
    shipToOf(ctx, purchase, row.shipping).catch((error: ApiError) => error),
  ]);
  if (!result.ok) throw refusal(item.id, shard, result, ctx.now);
  // Units came back (an unpaid hold released): the buyers behind this one ask the object again.
  if (!result.replayed) soldOutShards.forget(shardKey(item.id, shard));
  const ref = { itemId: item.id, shard, reservationId };
  if (result.replayed) {
    // A retry: its order may be written, paid or cancelled by now — answer with it as it is
    // (whatever has become of the address since).
    const order = await findOrderBySource(ctx.db, 'flash_sale', reservationRef(ref));
    if (order) return { kind: 'existing', order };
    if (result.status === 'released') throw conflict('sold_out', 'Sold out.');
  }
  if (destination instanceof Error) {
    // A shopper without an address (or one the SKU does not ship to) is refused, and no unit stays held for an order that cannot be written.
    if (!result.replayed)
      await stock.release(reservationId, 'no shipping address').catch((error: unknown) => logEvent('error', 'release after the address check failed', { reservation_id: reservationId, error }));
    throw destination;
  }
  const { address, shipping } = destination;
  const shipTo = addressSnapshot(address);
  const reserved: FlashOrderJob = {
    ...ref,
    userId: ctx.userId,
    quantity: result.quantity,
    expiresAt: result.expiresAt,
    createdAt: result.createdAt,
    intent: { ...intent, addressId: address.id },
    shipTo,
  };
  // The order number is given when the order is written (a moment later): the reply has none.
  const placed = flashOrderPlacement(reserved, item, sku, shipTo, shipping, '');
  const job: FlashOrderJob = { ...reserved, shippingFeeFen: placed.quote.shippingFeeFen };
  // Durable in the object already: a lost message is written by the sweep, or when the shopper opens the order.
  await enqueueWork(env, { kind: 'flash_order', job }).catch((error: unknown) => logEvent('error', 'queueing a flash order failed; the sweep will write it', { reservation_id: reservationId, error }));
  return { kind: 'reserved', view: newOrderView(newOrderRows(placed), null), replayed: result.replayed };
}

/** The shopper's address for this purchase and the shipping policy to it (a 422 when the SKU does not ship there). */
async function shipToOf(ctx: CreateContext, purchase: FlashPurchase, shippingTo: ShippingTemplates) {
  const address = await runRead(ctx.db, shippingAddressRead(ctx.db, ctx.userId, purchase.addressId));
  return { address, shipping: deliverablePolicy(shippingTo(address)) };
}

const reserveRefusals: RefusalErrors<ReserveRefusal, { retryAfterMs?: number | undefined }> = {
  sold_out: () => conflict('sold_out', 'Sold out.'),
  rate_limited: ({ retryAfterMs }) => tooManyRequests((retryAfterMs ?? 1000) / 1000, 'Too many attempts; wait a moment.'),
  not_started: () => businessRule('not_started', 'This flash sale has not started yet.'),
  ended: () => businessRule('ended', 'This flash sale has ended.'),
  per_order_limit: () => businessRule('per_order_limit', 'That is more than one order may hold in this flash sale.', [{ path: 'body.quantity', message: 'over the per-order limit' }]),
  per_user_limit: () => businessRule('per_user_limit', 'You have reached the limit for this flash sale.', [{ path: 'body.quantity', message: 'over the per-shopper limit' }]),
  idempotency_key_reused: () => businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.'),
};

function refusal(itemId: string, shard: number, result: Extract<ReserveResult, { ok: false }>, now: number): ApiError {
  // Later buyers of this shard are refused from this isolate's memory, without asking the object.
  if (result.reason === 'sold_out') soldOutShards.remember(shardKey(itemId, shard), 'sold_out', now + SOLD_OUT_FLAG_MS, result.holders ?? []);
  return refusalError(reserveRefusals, result.reason, result);
}
