// The ledgers an order takes part in, each one entry here: what the order took from it (stock,
// and later a coupon, points) is given back, or made final, in the same D1 batch as the order's
// own change. Payments (paid, cancelled unpaid) and refunds (applied once per refund id) ask this
// table and nothing else, so a new ledger is one more entry and cannot be forgotten by one path.
//
// Every entry is idempotent by construction (guarded by a flag or a unique key), because a
// batch may be replayed after a lost answer.
import type { Statement } from '../db/batch';
import type { Db } from '../db/client';
import type { refunds } from '../db/orders';
import { couponLedgerStatements as coupon } from './coupons/ledger';
import { stockHeldInD1 } from './order-source-policy';
import { recordSalesStatements, releaseStockStatements, type OrderRow } from './order-transitions';

export type RefundRow = typeof refunds.$inferSelect;

/** A refund that WeChat Pay has just completed, as the ledgers see it. */
export type CompletedRefund = {
  refund: RefundRow;
  /** The order has now been refunded in full (this refund included). */
  inFull: boolean;
  /** All that was refunded on the order, this refund included (for exact cumulative shares). */
  refundedTotalFen: number;
};

export type OrderLedger = {
  /** In the batch that marks the order paid. */
  paid(db: Db, order: OrderRow, now: number): Statement[];
  /** In the batch that cancels an unpaid order (by the shopper, the merchant or the expiry sweep). */
  cancelledUnpaid(db: Db, order: OrderRow, now: number): Statement[];
  /**
   * In the batch that applies a shopper's or an engine's refund that succeeded. Not for the
   * shop's own 'system' refunds (a late payment on a cancelled order, a tier difference): those
   * give back money the order was never meant to keep, not goods.
   */
  refunded(db: Db, order: OrderRow, completed: CompletedRefund, now: number): Statement[];
};

export const orderLedgers = {
  stock: {
    // Units sold count from payment (the storefront's sales sort).
    paid: (_db, order) => recordSalesStatements(order.id),
    // A flash-sale order's units live in its FlashSaleStock object, released by afterOrderCancelled.
    cancelledUnpaid: (db, order) => (stockHeldInD1(order) ? releaseStockStatements(db, order.id) : []),
    // Goods that never left the shop go back on sale when the money is given back in full.
    refunded: (db, order, { inFull }) => (inFull && !order.shippedAt && stockHeldInD1(order) ? releaseStockStatements(db, order.id) : []),
  },
  // Locked in the order's creation batch; used at payment, given back on cancel and full refund (coupons/ledger.ts).
  coupons: {
    paid: (_db, order, now) => coupon.paid(order.id, now),
    cancelledUnpaid: (_db, order, now) => coupon.cancelledUnpaid(order.id, now),
    refunded: (_db, order, { inFull }, now) => coupon.refunded(order.id, inFull, now),
  },
} satisfies Record<string, OrderLedger>;

export type LedgerName = keyof typeof orderLedgers;

const ledgers: OrderLedger[] = Object.values(orderLedgers);

export const paidLedgerStatements = (db: Db, order: OrderRow, now: number) => ledgers.flatMap((l) => l.paid(db, order, now));
export const cancelledUnpaidLedgerStatements = (db: Db, order: OrderRow, now: number) => ledgers.flatMap((l) => l.cancelledUnpaid(db, order, now));
export const refundedLedgerStatements = (db: Db, order: OrderRow, completed: CompletedRefund, now: number) => ledgers.flatMap((l) => l.refunded(db, order, completed, now));
