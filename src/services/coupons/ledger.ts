// The coupon ledger of an order (one entry of src/services/order-ledgers.ts). The coupon is locked
// in the order's own creation batch (lockCouponStatements); from there:
//   paid              locked → used
//   cancelled unpaid  locked → unused (expired if its validity is over)
//   refunded in full  used → unused (expired if its validity is over); a partial refund keeps it used
// Each move is guarded by the status it leaves, so a replayed batch changes nothing.
import { sql } from 'drizzle-orm';
import type { Statement } from '../../db/batch';

const giveBack = (orderId: string, from: 'locked' | 'used', now: number): Statement =>
  sql`UPDATE shopper_coupons SET status = CASE WHEN valid_until > ${now} THEN 'unused' ELSE 'expired' END,
        order_id = NULL, saving_fen = NULL, locked_at = NULL, used_at = NULL, updated_at = ${now}
      WHERE order_id = ${orderId} AND status = ${from}`;

/** The order's coupon moves as the order-ledgers table asks (its `coupons` entry). */
export const couponLedgerStatements = {
  paid: (orderId: string, now: number): Statement[] => [sql`UPDATE shopper_coupons SET status = 'used', used_at = ${now}, updated_at = ${now} WHERE order_id = ${orderId} AND status = 'locked'`],
  cancelledUnpaid: (orderId: string, now: number): Statement[] => [giveBack(orderId, 'locked', now)],
  refunded: (orderId: string, inFull: boolean, now: number): Statement[] => (inFull ? [giveBack(orderId, 'used', now)] : []),
};

/**
 * Locks the shopper's coupon for the order being written in the same batch (found by its
 * Idempotency-Key, as the order's id is made inside insertOrder). If the coupon is not unused,
 * valid and this shopper's any more (another order took it a moment ago), the guard aborts the
 * whole batch: no order, no stock taken (coupon_unavailable).
 */
export function lockCouponStatements(lock: { couponId: string; userId: string; idempotencyKey: string; savingFen: number }, now: number): Statement[] {
  return [
    sql`UPDATE shopper_coupons SET status = 'locked', saving_fen = ${lock.savingFen}, locked_at = ${now}, updated_at = ${now},
          order_id = (SELECT id FROM orders WHERE user_id = ${lock.userId} AND idempotency_key = ${lock.idempotencyKey})
        WHERE id = ${lock.couponId} AND user_id = ${lock.userId} AND status = 'unused' AND valid_from <= ${now} AND valid_until > ${now}`,
    sql`INSERT INTO coupon_guards (guard) SELECT 'coupon_available' WHERE changes() = 0`,
  ];
}
