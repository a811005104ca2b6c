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
import { afterSaleRefundedStatements } from './after-sale-claims';
import { orderPage, subscribeMessageStatements } from './subscribe-messages';
import { couponLedgerStatements as coupon } from './coupons/ledger';
import { stockHeldInD1 } from './order-source-policy';
import { earnOnPaymentStatements, pointsBackOnCancelStatements, pointsOnRefundStatements } from './loyalty/order-points';
import { mallUnitBackOnCancelStatements } from './loyalty/mall-ledger';
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
  // After-sales (售后): per line — restockable returns, and unshipped units refunded as money only,
  // go back on sale (unless the stock entry above released the whole order); the request is done.
  afterSales: {
    paid: () => [],
    cancelledUnpaid: () => [],
    refunded: (db, order, { refund, inFull }, now) => [
      ...afterSaleRefundedStatements(db, refund.id, stockHeldInD1(order) && !(inFull && !order.shippedAt), now),
      // The refund result reaches the shopper as a subscribe message (when they accepted one).
      ...subscribeMessageStatements(
        db,
        { userId: order.userId, key: 'refund_result', subjectId: refund.id, values: [order.orderNo, refund.amountFen, '退款成功', refund.reason], page: orderPage(order.id) },
        now,
      ),
    ],
  },
  points: {
    // Earned points are credited frozen until the after-sales window closes (the sweep thaws them).
    paid: (_db, order, now) => earnOnPaymentStatements(order, now),
    cancelledUnpaid: (_db, order, now) => pointsBackOnCancelStatements(order, now),
    // Spent points back and earned points taken back in proportion to all refunded so far (debt where already spent).
    refunded: (_db, order, { refundedTotalFen }, now) => pointsOnRefundStatements(order, refundedTotalFen, now),
  },
  pointsMall: {
    paid: () => [],
    // An exchange whose order was never paid gives its unit back to the points mall.
    cancelledUnpaid: (_db, order) => mallUnitBackOnCancelStatements(order.id),
    // A refunded exchange keeps its unit spent (the goods may be back in the shop's stock, not the mall's).
    refunded: () => [],
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
