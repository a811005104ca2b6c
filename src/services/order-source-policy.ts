// The order-source policy: one entry per place an order can come from, answering every question
// orders and payments would otherwise ask with an if-chain per engine. A new engine is one more
// entry here (and in orderSources); the compiler refuses a missing one.
import { parseReservationRef } from '../domain/flash-sale';
import { parseSeatRef } from '../domain/group-buy';
import type { HoldSource, OrderSource } from '../domain/order-source';
import type { Env } from '../env';
import { logEvent } from '../lib/log';
import { flashStockStub, groupRoomStub } from '../marketing/kernel/object-stubs';
import type { orders, refunds } from '../db/orders';

type ShipHold = NonNullable<(typeof orders.$inferSelect)['shipHold']>;
type RefundInitiator = (typeof refunds.$inferSelect)['initiator'];

/** An object keeping a hold for an order, told when the order is paid or cancelled. */
type HoldHolder = {
  confirmPaid(holdId: string, orderId: string): Promise<unknown>;
  release(holdId: string, reason: string): Promise<unknown>;
};

export type SourcePolicy = {
  /**
   * Where the order's units are reserved: D1's skus.stock (given back by releaseStockStatements
   * on cancel or full refund), or the holding object's own ledger (given back by the object).
   */
  stockHeldIn: 'd1' | 'object';
  /** The object holding the order's units or seat, and the hold's id in it; null: nobody holds anything. */
  holderOf: ((env: Env, sourceRef: string) => { holder: HoldHolder; holdId: string } | null) | null;
  /** Set on a new order: why it may not ship yet (lifted by its engine); null: it ships once paid. */
  shipHoldOnCreate: ShipHold | null;
  /**
   * How an expired hold settles: 'close_order' = its order is closed at WeChat Pay and cancelled
   * (or found paid) before the object gives the hold back; null = the source keeps no hold.
   */
  expiredHold: 'close_order' | null;
  /**
   * Whom a refund the engine starts by itself is booked to: 'system' leaves the order's status
   * alone (a tier difference); 'group_buy' completes a group_failed order's move to refunded.
   */
  campaignRefundInitiator: RefundInitiator | null;
};

export const orderSourcePolicy = {
  shop: { stockHeldIn: 'd1', holderOf: null, shipHoldOnCreate: null, expiredHold: null, campaignRefundInitiator: null },
  flash_sale: {
    // The campaign's units were moved out of skus.stock into the FlashSaleStock shards.
    stockHeldIn: 'object',
    holderOf: (env, ref) => {
      const r = parseReservationRef(ref);
      return r && { holder: flashStockStub(env, r.itemId, r.shard), holdId: r.reservationId };
    },
    shipHoldOnCreate: null,
    expiredHold: 'close_order',
    campaignRefundInitiator: null,
  },
  group_buy: {
    // The room holds a seat; the unit itself is reserved in skus.stock like a shop order's.
    stockHeldIn: 'd1',
    holderOf: (env, ref) => {
      const r = parseSeatRef(ref);
      return r && { holder: groupRoomStub(env, r.roomId), holdId: r.seatId };
    },
    shipHoldOnCreate: 'group_open',
    expiredHold: 'close_order',
    campaignRefundInitiator: 'group_buy',
  },
  // The session locks a price, not units: the unit is reserved in skus.stock when the order is written.
  bargain: { stockHeldIn: 'd1', holderOf: null, shipHoldOnCreate: null, expiredHold: null, campaignRefundInitiator: null },
} as const satisfies Record<OrderSource, SourcePolicy>;

export const policyOf = (source: OrderSource): SourcePolicy => orderSourcePolicy[source];

/** Orders whose stock was reserved in skus.stock (a flash sale's units live in its object instead). */
export const stockHeldInD1 = (order: { source: OrderSource }) => policyOf(order.source).stockHeldIn === 'd1';

type HeldOrder = { id: string; source: OrderSource; sourceRef: string | null };

function holdOf(env: Env, order: HeldOrder) {
  const holderOf = policyOf(order.source).holderOf;
  return holderOf && order.sourceRef ? holderOf(env, order.sourceRef) : null;
}

// The calls below run after the D1 change has committed; if one fails, the object's own expiry
// alarm settles the hold from D1 later, so a failure delays the holder's bookkeeping but never
// loses or double-counts a unit or a seat.

export async function afterOrderPaid(env: Env, order: HeldOrder): Promise<void> {
  const hold = holdOf(env, order);
  if (!hold) return;
  try {
    await hold.holder.confirmPaid(hold.holdId, order.id);
  } catch (error) {
    logEvent('error', 'confirming the hold failed; its alarm will settle it', { order_id: order.id, error });
  }
}

export async function afterOrderCancelled(env: Env, order: HeldOrder): Promise<void> {
  const hold = holdOf(env, order);
  if (!hold) return;
  try {
    await hold.holder.release(hold.holdId, 'order cancelled');
  } catch (error) {
    logEvent('error', 'releasing the hold failed; its alarm will settle it', { order_id: order.id, error });
  }
}

/** The hooks for payments.ts, bound to this environment. */
export const orderHooksFor = (env: Env) => ({
  paid: (order: HeldOrder) => afterOrderPaid(env, order),
  cancelled: (order: HeldOrder) => afterOrderCancelled(env, order),
});

// The objects' port settles expired holds for HoldSource (src/domain/order-source.ts); it must
// name exactly the sources whose policy says their holds expire.
type SourcesWithExpiringHolds = { [K in OrderSource]: (typeof orderSourcePolicy)[K]['expiredHold'] extends 'close_order' ? K : never }[OrderSource];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const holdSourcesMatchPolicy: Same<HoldSource, SourcesWithExpiringHolds> = true;
