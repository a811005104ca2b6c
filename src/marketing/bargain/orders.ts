import type { BeginBuyResult, BuyRefusal } from '../../../durable-objects/bargain-session.types';
import { refusalError, type RefusalErrors } from '../kernel/object-calls';
import type { Db } from '../../db/client';
import { priceLines } from '../../domain/pricing';
import type { Env } from '../../env';
import { businessRule, conflict, forbidden } from '../../lib/errors';
import { addressSnapshot, findOwnAddress } from '../../services/addresses';
import { findCampaign } from './campaigns';
import { findSessionRow, withConfiguredSession } from './sessions';
import { bargainSessionStub } from '../kernel/object-stubs';
import { defaultAddress, findByIdempotencyKey, findOrderBySource, insertOrder, reserveStockStatements, type CreateContext } from '../../services/orders';
import type { OrderRow } from '../../services/order-transitions';
import { loadPurchasableSkus, unavailableReason } from '../../services/purchasable';
import { getShopSettings } from '../../services/shop-settings';
import { shippingPolicyFor } from '../../services/shipping-templates';
import { logEvent } from '../../lib/log';

/** The order a session was bought with, if any. */
const findBargainOrder = (db: Db, sessionId: string) => findOrderBySource(db, 'bargain', sessionId);

export async function buyBargain(env: Env, ctx: CreateContext, purchase: { sessionId: string; addressId?: string | undefined }): Promise<{ order: OrderRow; created: boolean }> {
  const earlier = await findByIdempotencyKey(ctx);
  if (earlier) return { order: earlier, created: false };
  const row = await findSessionRow(ctx.db, purchase.sessionId);
  if (row.ownerId !== ctx.userId) throw forbidden('Only the shopper who launched this bargain can buy it.');
  const bought = await findBargainOrder(ctx.db, row.id);
  if (bought) return { order: bought, created: false };
  // The address first: a shopper without one is refused before the price is locked.
  const address = purchase.addressId ? await findOwnAddress(ctx.db, ctx.userId, purchase.addressId) : await defaultAddress(ctx.db, ctx.userId);
  const campaign = await findCampaign(ctx.db, row.campaignId);

  const begun = await withConfiguredSession(env, ctx.db, row.id, async (stub): Promise<BeginBuyResult> => stub.beginBuy({ ownerId: ctx.userId, nowMs: ctx.now }));
  if (!begun.ok) {
    if (begun.reason === 'bought') {
      const order = await findBargainOrder(ctx.db, row.id);
      if (order) return { order, created: false };
    }
    throw refusalError(buyRefusals, begun.reason, undefined);
  }

  // beginBuy found the object set up; these calls reach the same object.
  const stub = bargainSessionStub(env, row.id);
  let result: { order: OrderRow; created: boolean };
  try {
    result = await writeBargainOrder(ctx, { sessionId: row.id, skuId: campaign.skuId, priceFen: begun.priceFen, address: addressSnapshot(address) });
  } catch (error) {
    // A concurrent buy of this session wrote the order first: that is the order.
    const winner = await findBargainOrder(ctx.db, row.id);
    if (winner) result = { order: winner, created: false };
    else {
      await stub.abandonBuy().catch((e: unknown) => logEvent('error', 'unlocking a bargain after a failed buy', { session_id: row.id, error: e }));
      throw error;
    }
  }
  // If this fails the session stays locked; its alarm finds the order in D1 and closes it.
  await stub.markBought(result.order.id, ctx.now);
  return result;
}

const buyRefusals: RefusalErrors<BuyRefusal> = {
  expired: () => conflict('expired', 'This bargain has expired and can no longer be bought.'),
  floor_not_reached: () => businessRule('floor_not_reached', 'This bargain can only be bought once friends have cut it to the lowest price.'),
  not_owner: () => forbidden('Only the shopper who launched this bargain can buy it.'),
  // Bought by a concurrent buy whose order is not in D1 yet (a bought one with its order is answered with it).
  bought: () => conflict('session_closed', 'This bargain cannot be bought now.'),
};

async function writeBargainOrder(ctx: CreateContext, r: { sessionId: string; skuId: string; priceFen: number; address: Parameters<typeof insertOrder>[1]['address'] }) {
  const [skus, settings, shipping] = await Promise.all([loadPurchasableSkus(ctx.db, [r.skuId]), getShopSettings(ctx.db), shippingPolicyFor(ctx.db, [r.skuId], r.address)]);
  const unavailable = unavailableReason(skus.get(r.skuId), 1);
  if (unavailable) throw businessRule(unavailable === 'insufficient_stock' || unavailable === 'out_of_stock' ? 'insufficient_stock' : 'items_unavailable', 'This product cannot be bought now.');
  // The bargain price is the price: no member price on top of it.
  const quote = priceLines([{ skuId: r.skuId, quantity: 1, unitPriceFen: r.priceFen, memberPriceFen: null }], { isMember: false, shipping });
  return insertOrder(ctx, {
    quote,
    skus,
    address: r.address,
    paymentDeadline: ctx.now + settings.paymentWindowMinutes * 60_000,
    source: { kind: 'bargain', ref: r.sessionId },
    also: reserveStockStatements(quote, skus, ctx.now),
  });
}
