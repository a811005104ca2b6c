// Buying in a flash sale: admission (sold-out flag), the reservation in the SKU's stock object,
// then the D1 order keyed by that reservation. If the order cannot be written, the reservation
// is released at once, so no unit stays held for an order that does not exist.
import { and, eq } from 'drizzle-orm';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import { users } from '../../db/shoppers';
import type { Db } from '../../db/client';
import { priceLines } from '../../domain/pricing';
import { reservationRef, shardFor } from '../../domain/flash-sale';
import type { Env } from '../../env';
import { encodeBase64Url } from '../../lib/base64url';
import { type ApiError, businessRule, conflict, notFound, tooManyRequests } from '../../lib/errors';
import { findOwnAddress } from '../../services/addresses';
import { ensureStockObjectsConfigured } from './stock-objects';
import { callConfigured, refusalError, type RefusalErrors } from '../kernel/object-calls';
import { flashStockStub } from '../kernel/object-stubs';
import type { ReserveRefusal, ReserveResult } from '../../../durable-objects/flash-sale-stock.types';
import { defaultAddress, findByIdempotencyKey, insertOrder, type CreateContext } from '../../services/orders';
import { loadPurchasableSkus } from '../../services/purchasable';
import { shippingPolicyFor } from '../../services/shipping-templates';
import { logEvent } from '../../lib/log';
import type { OrderRow } from '../../services/order-transitions';

/**
 * Sold-out flags per campaign SKU ("flashSaleId/skuId", both from the request), in isolate
 * memory: once an object says "sold out", further attempts are refused here without a round trip
 * to the object and with one indexed D1 read (the shopper's own earlier order), for a short while
 * — units may come back when an unpaid reservation expires, so the flag is never permanent.
 */
const soldOutUntil = new Map<string, number>();
const SOLD_OUT_FLAG_MS = 1_000;
const flagKey = (flashSaleId: string, skuId: string) => `${flashSaleId}/${skuId}`;

export const isFlaggedSoldOut = (flashSaleId: string, skuId: string, now: number) => (soldOutUntil.get(flagKey(flashSaleId, skuId)) ?? 0) > now;

/**
 * Campaign SKUs as D1 last said, in isolate memory for a moment: a burst of buyers for one SKU
 * reads the campaign once a second, not once per request. Staleness is harmless: the stock object
 * enforces the window (a cancellation closes it there too) and the limits.
 */
const campaignItems = new Map<string, { row: CampaignItem | null; until: number }>();
const CAMPAIGN_MEMORY_MS = 1_000;
type CampaignItem = { campaign: typeof flashSales.$inferSelect; item: typeof flashSaleItems.$inferSelect };

async function campaignItem(db: Db, flashSaleId: string, skuId: string, now: number): Promise<CampaignItem | null> {
  const key = flagKey(flashSaleId, skuId);
  const remembered = campaignItems.get(key);
  if (remembered && remembered.until > now) return remembered.row;
  const [row] = await db
    .select({ campaign: flashSales, item: flashSaleItems })
    .from(flashSaleItems)
    .innerJoin(flashSales, eq(flashSales.id, flashSaleItems.flashSaleId))
    .where(and(eq(flashSaleItems.flashSaleId, flashSaleId), eq(flashSaleItems.skuId, skuId)));
  if (campaignItems.size > 1_000) campaignItems.clear(); // bounded: only live campaigns matter
  campaignItems.set(key, { row: row ?? null, until: now + CAMPAIGN_MEMORY_MS });
  return row ?? null;
}

/**
 * The reservation id for one shopper's request: the same Idempotency-Key and body give the same
 * id, so the object replays its decision to a copy. Another body under the same key gets its own
 * id (and then its 422): it can never replay, or release, the first request's units.
 */
async function reservationIdFor(ctx: CreateContext): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${ctx.userId}\n${ctx.idempotencyKey}\n${ctx.requestHash}`));
  return `rsv_${encodeBase64Url(new Uint8Array(digest))
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .slice(0, 20)}`;
}

export type FlashPurchase = { flashSaleId: string; skuId: string; quantity: number; addressId?: string };

/**
 * Requests being answered in this isolate, by reservation id (shopper, key and body). A copy that
 * arrives meanwhile (a double tap) waits for the first one to finish and then asks again, so it
 * is answered from the first one's order instead of meeting the sold-out flag that other buyers
 * raised while the first was still writing it. It polls this set rather than awaiting the first
 * request's promise: in workerd a request that awaits another request's promise can hang when
 * that other request is cancelled.
 */
const inFlight = new Set<string>();
const COPY_WAIT_MS = 10_000;
const COPY_POLL_MS = 5;

/**
 * The same Idempotency-Key and body always get the same answer:
 *  - the key is looked up first, before anything that changes (flags, campaign, address, stock):
 *    a finished request is replayed from its order, another body under the key is a 422;
 *  - a copy sent while the first is in flight here waits for it, then is answered like a retry;
 *  - a copy that reaches the stock object (another isolate) is replayed there by its reservation
 *    id, and insertOrder answers it with the first one's order.
 */
export async function buyInFlashSale(env: Env, ctx: CreateContext, purchase: FlashPurchase): Promise<{ order: OrderRow; created: boolean }> {
  const earlier = await findByIdempotencyKey(ctx);
  if (earlier) return { order: earlier, created: false };
  const reservationId = await reservationIdFor(ctx);
  if (inFlight.has(reservationId)) {
    for (let waited = 0; inFlight.has(reservationId) && waited < COPY_WAIT_MS; waited += COPY_POLL_MS) await scheduler.wait(COPY_POLL_MS);
    const first = await findByIdempotencyKey(ctx);
    if (first) return { order: first, created: false };
  }
  inFlight.add(reservationId);
  try {
    return await reserveAndOrder(env, ctx, purchase, reservationId);
  } finally {
    inFlight.delete(reservationId);
  }
}

async function reserveAndOrder(env: Env, ctx: CreateContext, purchase: FlashPurchase, reservationId: string) {
  if (isFlaggedSoldOut(purchase.flashSaleId, purchase.skuId, ctx.now)) throw conflict('sold_out', 'Sold out.');

  const row = await campaignItem(ctx.db, purchase.flashSaleId, purchase.skuId, ctx.now);
  if (!row || row.campaign.status === 'cancelled') throw notFound('Flash-sale item');
  const { campaign, item } = row;

  // Address first: a shopper without one is refused before any unit is held.
  const address = purchase.addressId ? await findOwnAddress(ctx.db, ctx.userId, purchase.addressId) : await defaultAddress(ctx.db, ctx.userId);
  const shard = shardFor(ctx.userId, campaign.shardCount);
  const stock = flashStockStub(env, item.id, shard);
  const request = { reservationId, userId: ctx.userId, quantity: purchase.quantity, nowMs: ctx.now };
  const result = await callConfigured(
    async (): Promise<ReserveResult> => stock.reserve(request),
    () => ensureStockObjectsConfigured(env, campaign.id),
  );
  if (!result.ok) throw refusal(purchase, result, ctx.now);

  try {
    return await writeFlashOrder(ctx, { itemId: item.id, shard, reservationId, skuId: item.skuId, flashPriceFen: item.flashPriceFen, quantity: result.quantity, expiresAt: result.expiresAt, address });
  } catch (error) {
    await stock
      .release(reservationId, 'order could not be written')
      .catch((releaseError: unknown) => logEvent('error', 'release after failed order write', { reservation_id: reservationId, error: releaseError }));
    throw error;
  }
}

const reserveRefusals: RefusalErrors<ReserveRefusal, { retryAfterMs?: number | undefined }> = {
  sold_out: () => conflict('sold_out', 'Sold out.'),
  rate_limited: ({ retryAfterMs }) => tooManyRequests((retryAfterMs ?? 1000) / 1000, 'Too many attempts; wait a moment.'),
  not_started: () => businessRule('not_started', 'This flash sale has not started yet.'),
  ended: () => businessRule('ended', 'This flash sale has ended.'),
  per_order_limit: () => businessRule('per_order_limit', 'That is more than one order may hold in this flash sale.', [{ path: 'body.quantity', message: 'over the per-order limit' }]),
  per_user_limit: () => businessRule('per_user_limit', 'You have reached the limit for this flash sale.', [{ path: 'body.quantity', message: 'over the per-shopper limit' }]),
};

function refusal(purchase: FlashPurchase, result: { reason: ReserveRefusal; retryAfterMs?: number | undefined }, now: number): ApiError {
  // Later buyers of this SKU are refused from this isolate's memory, without asking the object.
  if (result.reason === 'sold_out') soldOutUntil.set(flagKey(purchase.flashSaleId, purchase.skuId), now + SOLD_OUT_FLAG_MS);
  return refusalError(reserveRefusals, result.reason, result);
}

async function writeFlashOrder(
  ctx: CreateContext,
  r: { itemId: string; shard: number; reservationId: string; skuId: string; flashPriceFen: number; quantity: number; expiresAt: number; address: Parameters<typeof insertOrder>[1]['address'] },
) {
  const [skus, shipping, user] = await Promise.all([
    loadPurchasableSkus(ctx.db, [r.skuId]),
    shippingPolicyFor(ctx.db, [r.skuId], r.address),
    ctx.db.query.users.findFirst({ where: eq(users.id, ctx.userId) }),
  ]);
  if (!user) throw notFound('Shopper');
  // The flash price is the price: no member price on top of it.
  const quote = priceLines([{ skuId: r.skuId, quantity: r.quantity, unitPriceFen: r.flashPriceFen, memberPriceFen: null }], { isMember: false, shipping });
  return insertOrder(ctx, {
    quote,
    skus,
    address: r.address,
    // The order must be paid while its units are held: the prepay's time_expire equals this.
    paymentDeadline: r.expiresAt,
    source: { kind: 'flash_sale', ref: reservationRef({ itemId: r.itemId, shard: r.shard, reservationId: r.reservationId }) },
    also: [],
  });
}
