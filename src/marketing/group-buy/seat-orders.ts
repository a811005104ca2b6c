// Joiners' seat orders, written off the reply path. The shopper hears "yes" once the room's
// object holds the seat (with what its order is written from: GroupSeatJob); the D1 order and
// member row follow, written by whichever comes first — the work queue's consumer (a whole batch
// of seats in one D1 batch), the shopper opening, paying or cancelling the order (on demand), or
// the room's alarm a minute later (for anything the queue lost). All of them write the same rows:
// the order id derives from the seat and every statement is "insert if absent".
//
// The seat's unit is its room's (taken out of skus.stock when the room opened), so the order
// holds none of skus.stock: cancelling it gives nothing back there (the seat, and so the unit,
// goes back to the room); the room's close hands each paid seat's unit to its order.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { runBatchOrEach } from '../../db/batch';
import { groupSeatOrderId, parseGroupSeatOrderId, seatRef, type GroupSeatJob } from '../../domain/group-buy';
import { priceLines } from '../../domain/pricing';
import type { Env } from '../../env';
import { logEvent } from '../../lib/log';
import { findOrderBySource, newOrderNumber, newOrderStatements, type PlacedOrder } from '../../services/orders';
import type { OrderRow } from '../../services/order-transitions';
import { loadPurchasableSkus, type PurchasableSku } from '../../services/purchasable';
import { paymentDueMessageStatements } from '../../services/subscribe-messages';
import type { SeatIntent } from '../../../durable-objects/group-buy-room.types';
import { groupRoomStub } from '../kernel/object-stubs';

/** What the room keeps of a job (its hold's expiry is the room's own). */
export type SeatOrderIntent = Omit<GroupSeatJob, 'expiresAt'>;

export const jobFromIntent = (orderIntent: string, holdExpiresAt: number): GroupSeatJob => ({ ...(JSON.parse(orderIntent) as SeatOrderIntent), expiresAt: holdExpiresAt });

/** One line at the seat's price (no member price on top of the group price), payable while the seat is held. */
export function seatOrderPlacement(job: GroupSeatJob, sku: PurchasableSku, orderNo: string): PlacedOrder {
  const quote = priceLines([{ skuId: job.skuId, quantity: 1, unitPriceFen: job.unitPriceFen, memberPriceFen: null }], { isMember: false, shipping: () => job.shippingFeeFen });
  return {
    quote,
    skus: new Map([[sku.skuId, sku]]),
    address: job.shipTo,
    orderId: groupSeatOrderId(job.roomId, job.seatId),
    orderNo,
    userId: job.userId,
    createdAt: job.createdAt,
    idempotencyKey: job.idempotencyKey,
    requestHash: job.requestHash,
    paymentDeadline: job.expiresAt,
    source: { kind: 'group_buy', ref: seatRef(job.roomId, job.seatId) },
    unitsHeldElsewhere: true,
    also: [],
  };
}

/** Writes the seats' orders and member rows (insert if absent). Returns the jobs that could not be written. */
export async function writeSeatOrders(db: Db, jobs: GroupSeatJob[], timeZone: string): Promise<GroupSeatJob[]> {
  if (jobs.length === 0) return [];
  const skus = await loadPurchasableSkus(db, [...new Set(jobs.map((j) => j.skuId))]);
  const [writable, gone] = [jobs.filter((j) => skus.has(j.skuId)), jobs.filter((j) => !skus.has(j.skuId))];
  for (const job of gone) logEvent('error', 'seat order cannot be written: its SKU is gone', { order_id: groupSeatOrderId(job.roomId, job.seatId) });
  const failed = await runBatchOrEach(
    db,
    writable.map((job) => ({
      job,
      statements: () => {
        const placed = seatOrderPlacement(job, skus.get(job.skuId)!, newOrderNumber(job.createdAt, timeZone));
        const order = { id: placed.orderId, orderNo: placed.orderNo, userId: job.userId, createdAt: job.createdAt, paymentDeadline: job.expiresAt, title: skus.get(job.skuId)!.title };
        return newOrderStatements(
          db,
          {
            ...placed,
            also: [
              sql`INSERT INTO group_buy_members (seat_id, room_id, group_buy_id, user_id, order_id, is_leader, created_at)
                  VALUES (${job.seatId}, ${job.roomId}, ${job.campaignId}, ${job.userId}, ${placed.orderId}, 0, ${job.createdAt})
                  ON CONFLICT DO NOTHING`,
              // A reminder to pay shortly before the seat's hold runs out (sent only if still unpaid then).
              ...paymentDueMessageStatements(db, order),
            ],
          },
          { ifAbsent: true },
        );
      },
    })),
    (job) => ({ order_id: groupSeatOrderId(job.roomId, job.seatId) }),
  );
  return [...failed, ...gone];
}

/**
 * The shopper's seat order, written first if the work queue has not written it yet (the join's
 * answer gave its id at once). Null: not a seat order's id, or not this shopper's held seat.
 */
export async function writeSeatOrderOnDemand(env: Env, db: Db, orderId: string, userId: string): Promise<OrderRow | null> {
  const ref = parseGroupSeatOrderId(orderId);
  if (!ref) return null;
  const seat: SeatIntent | null = await groupRoomStub(env, ref.roomId)
    .seatIntent(ref.seatId)
    .catch((error: unknown) => {
      logEvent('error', 'reading a seat for its order failed', { order_id: orderId, error });
      return null;
    });
  // Another shopper's seat is as unknown as a made-up id.
  if (!seat?.orderIntent || seat.userId !== userId || seat.status !== 'held') return null;
  await writeSeatOrders(db, [jobFromIntent(seat.orderIntent, seat.holdExpiresAt)], env.SHOP_TIME_ZONE);
  const order = await findOrderBySource(db, 'group_buy', seatRef(ref.roomId, ref.seatId));
  return order?.userId === userId ? order : null;
}
