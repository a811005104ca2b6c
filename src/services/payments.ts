// WeChat Pay for orders: prepay, notifications, cancelling (close first, then release stock),
// and the query fallback when a notification never comes. Refunds are refunds.ts.
//
// Rules (DESIGN.md, "Consistency"): the prepay's time_expire is the order's payment deadline;
// stock is released only after the transaction is closed at WeChat Pay; a payment that arrives
// for an order already cancelled is refunded automatically; every step is keyed and idempotent
// (out_trade_no, out_refund_no, notification id), so a replay or retry never applies twice.
import { and, asc, eq, lte } from 'drizzle-orm';
import { orders, payments } from '../db/orders';
import { users } from '../db/shoppers';
import { runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { canApply } from '../domain/order-state';
import { ApiError, businessRule, conflict } from '../lib/errors';
import { newId } from '../lib/ids';
import { WeChatPayApiError } from '../wechat/errors';
import type { WeChatPayNotification, WeChatPayTransaction } from '../wechat/pay-client';
import type { RequestPaymentParams } from '../wechat/signing';
import { transitionStatements, type Actor, type OrderRow } from './order-transitions';
import { cancelledUnpaidLedgerStatements, paidLedgerStatements } from './order-ledgers';
import type { PayClient } from './wechat';
import { alreadyApplied, isDuplicateApplication, rememberNotification } from './notification-dedup';
import { applyRefundResult, systemRefundStatements } from './refunds';
import { logEvent } from '../lib/log';
import { applyPlanTransaction, isPlanTradeNo } from './loyalty/plans';
import { orderPaidMessageStatements } from './subscribe-messages';
import { applyPlanRefundResult, isPlanRefundNo } from './loyalty/plan-refunds';

/** Told after an order's payment or cancellation has committed (see order-source-policy.ts). */
export type OrderHooks = { paid(order: OrderRow): Promise<void>; cancelled(order: OrderRow): Promise<void> };
/** For callers that settle the stock holder themselves (a FlashSaleStock alarm). */
export const noOrderHooks: OrderHooks = { paid: async () => {}, cancelled: async () => {} };

const wechatPay: Actor = { type: 'wechat_pay', id: null };
const system: Actor = { type: 'system', id: null };

/** WeChat Pay refuses a time_expire less than a minute away; keep a margin for the round trip. */
const MIN_PAYMENT_TIME_LEFT_MS = 90_000;

const providerUnavailable = (error: unknown) => {
  logEvent('error', 'WeChat Pay call failed', { error });
  return new ApiError(503, 'payment_provider_unavailable', 'WeChat Pay did not answer; please try again shortly.', [], { 'Retry-After': '5' });
};

/**
 * Creates (or finds again) the JSAPI transaction for a pending order and returns what
 * wx.requestPayment needs. The payment row is written before WeChat is called, so the expiry
 * sweep always knows a transaction may exist and closes it before releasing stock.
 */
export async function preparePayment(db: Db, pay: PayClient, order: OrderRow, now: number): Promise<RequestPaymentParams> {
  if (!canApply('pay', order.status)) throw conflict('not_payable', `An order that is ${order.status} cannot be paid.`);
  if (order.payableFen === 0) throw conflict('not_payable', 'This order has nothing to pay.');
  if (order.paymentDeadline - now < MIN_PAYMENT_TIME_LEFT_MS) throw businessRule('payment_window_closed', 'The time to pay for this order is over.');
  const user = await db.query.users.findFirst({ where: eq(users.id, order.userId) });
  await db
    .insert(payments)
    .values({ id: newId('pay'), orderId: order.id, outTradeNo: order.orderNo, amountFen: order.payableFen, status: 'prepared', createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: payments.outTradeNo });
  const firstItem = await db.query.orderItems.findFirst({ where: (items, { eq: equals }) => equals(items.orderId, order.id) });
  let prepayId: string;
  try {
    prepayId = await pay.createJsapiPrepay({
      outTradeNo: order.orderNo,
      description: (firstItem?.title ?? `订单 ${order.orderNo}`).slice(0, 127),
      totalFen: order.payableFen,
      openid: user!.openid,
      timeExpireMs: order.paymentDeadline,
    });
  } catch (error) {
    if (error instanceof WeChatPayApiError && !error.retryable) throw businessRule('payment_refused', `WeChat Pay refused the payment (${error.code}).`);
    throw providerUnavailable(error);
  }
  await db.update(payments).set({ prepayId, updatedAt: now }).where(eq(payments.outTradeNo, order.orderNo));
  return pay.requestPaymentParams(prepayId);
}

export type PaymentOutcome = 'paid' | 'refunding_late_payment' | 'already_applied' | 'not_paid';

/**
 * Applies a successful transaction (from a notification or a query) exactly once. A pending
 * order becomes paid; an order in any later status is never moved back (litemall #271); an
 * order already cancelled (stock released) gets its money back automatically.
 */
export async function applyTransaction(db: Db, tx: WeChatPayTransaction, notificationId: string | undefined, now: number, hooks: OrderHooks): Promise<PaymentOutcome> {
  if (tx.trade_state !== 'SUCCESS') return 'not_paid';
  if (await alreadyApplied(db, notificationId)) return 'already_applied';
  // A paid-membership purchase pays like an order but is not one (src/services/loyalty/plans.ts).
  if (isPlanTradeNo(tx.out_trade_no)) return applyPlanTransaction(db, tx, notificationId, now);
  const payment = await db.query.payments.findFirst({ where: eq(payments.outTradeNo, tx.out_trade_no) });
  if (!payment) throw new ApiError(404, 'unknown_transaction', `No payment for out_trade_no ${tx.out_trade_no}.`);
  const order = (await db.query.orders.findFirst({ where: eq(orders.id, payment.orderId) }))!;
  if (tx.amount?.total !== payment.amountFen || payment.amountFen !== order.payableFen) {
    // Never credit an amount that is not the order's: leave it for a person, and keep WeChat retrying.
    logEvent('error', 'WeChat Pay amount mismatch', { out_trade_no: tx.out_trade_no, amount: tx.amount, expected_fen: payment.amountFen });
    throw new ApiError(400, 'amount_mismatch', 'The paid amount does not match the order.');
  }
  const paymentSucceeded = db
    .update(payments)
    .set({ status: 'succeeded', transactionId: tx.transaction_id ?? null, payerOpenid: tx.payer?.openid ?? null, succeededAt: now, updatedAt: now })
    .where(eq(payments.id, payment.id));
  const remember = rememberNotification(db, notificationId, 'TRANSACTION.SUCCESS', now);

  let statements: Statement[];
  let outcome: PaymentOutcome;
  if (order.status === 'pending_payment') {
    outcome = 'paid';
    statements = await paidStatements(db, order, { event: 'pay', actor: wechatPay, reason: `WeChat Pay ${tx.transaction_id ?? ''}`.trim(), also: [paymentSucceeded, ...remember] }, now);
  } else if (order.status === 'cancelled' && payment.status !== 'succeeded') {
    outcome = 'refunding_late_payment';
    statements = [paymentSucceeded, ...systemRefundStatements(db, order, { reason: 'Paid after the order was cancelled; refunded automatically.' }, now), ...remember];
  } else {
    outcome = 'already_applied';
    statements = remember;
  }
  try {
    await runBatch(db, statements);
  } catch (error) {
    if (isDuplicateApplication(error)) return 'already_applied';
    throw error;
  }
  if (outcome === 'paid') await hooks.paid(order);
  return outcome;
}

/** The one way an order becomes paid: its transition, every ledger's part of payment and the "paid" message, in one batch. */
async function paidStatements(db: Db, order: OrderRow, how: { event: 'pay' | 'settle_free'; actor: Actor; reason: string; also: Statement[] }, now: number): Promise<Statement[]> {
  const also = [...how.also, ...paidLedgerStatements(db, order, now), ...(await orderPaidMessageStatements(db, order, now))];
  return transitionStatements(db, order, { event: how.event, actor: how.actor, reason: how.reason, set: { paidAt: now }, also }, now);
}

/**
 * An order whose payable is 0 fen (its discounts took everything) is paid at once, without
 * WeChat Pay, through the same ledgers and hooks as a paid one. Returns false for any other order.
 */
export async function settleFreeOrder(db: Db, order: OrderRow, now: number, hooks: OrderHooks): Promise<boolean> {
  if (order.payableFen !== 0 || order.status !== 'pending_payment') return false;
  await runBatch(db, await paidStatements(db, order, { event: 'settle_free', actor: system, reason: 'Nothing to pay (0 fen): paid at once.', also: [] }, now));
  logEvent('info', 'order settled without payment', { order_id: order.id });
  await hooks.paid(order);
  return true;
}

/**
 * Cancels an unpaid order: closes its WeChat Pay transaction first (if one was prepared), and
 * only then, in one batch, cancels the order and gives its stock back (exactly once). If the
 * close shows the order was paid meanwhile, the payment is applied instead and the order stays.
 */
export async function cancelUnpaidOrder(
  db: Db,
  pay: PayClient,
  order: OrderRow,
  how: { event: 'cancel' | 'expire'; actor: Actor; reason: string },
  now: number,
  hooks: OrderHooks,
): Promise<'cancelled' | 'paid'> {
  if (!canApply(how.event, order.status)) throw conflict('illegal_transition', `An order that is ${order.status} cannot be cancelled.`);
  const payment = await db.query.payments.findFirst({ where: eq(payments.orderId, order.id) });
  if (payment && payment.status === 'prepared') {
    try {
      await pay.closeByOutTradeNo(payment.outTradeNo);
    } catch (error) {
      if (!(error instanceof WeChatPayApiError) || error.retryable) throw providerUnavailable(error);
      // ORDERPAID (or another refusal): ask WeChat Pay what really happened.
      const tx = await pay.queryByOutTradeNo(payment.outTradeNo).catch((queryError) => {
        throw providerUnavailable(queryError);
      });
      if (tx.trade_state === 'SUCCESS' || tx.trade_state === 'REFUND') {
        await applyTransaction(db, tx, undefined, now, hooks);
        return 'paid';
      }
      if (tx.trade_state === 'USERPAYING') throw conflict('payment_in_progress', 'The shopper is paying for this order right now.');
    }
  }
  await runBatch(db, [
    ...transitionStatements(db, order, { event: how.event, actor: how.actor, reason: how.reason, set: { cancelledAt: now } }, now),
    ...(payment
      ? [
          db
            .update(payments)
            .set({ status: 'closed', updatedAt: now })
            .where(and(eq(payments.id, payment.id), eq(payments.status, 'prepared'))),
        ]
      : []),
    ...cancelledUnpaidLedgerStatements(db, order, now),
  ]);
  await hooks.cancelled(order);
  return 'cancelled';
}

/** The cron sweep: every unpaid order past its deadline is closed at WeChat Pay and cancelled. */
export async function cancelExpiredOrders(db: Db, pay: PayClient, now: number, hooks: OrderHooks, batchSize = 50) {
  const expired = await db
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'pending_payment'), lte(orders.paymentDeadline, now)))
    .orderBy(asc(orders.paymentDeadline))
    .limit(batchSize);
  const result = { cancelled: 0, paid: 0, failed: 0 };
  for (const order of expired) {
    try {
      result[await cancelUnpaidOrder(db, pay, order, { event: 'expire', actor: system, reason: 'Not paid in time.' }, now, hooks)]++;
    } catch (error) {
      // Left pending: the next sweep tries again (e.g. WeChat Pay was unreachable).
      if (!(error instanceof ApiError && error.code === 'concurrent_change')) logEvent('error', 'order expiry failed', { order_id: order.id, error });
      result.failed++;
    }
  }
  return result;
}

/** Asks WeChat Pay about an order's transaction (the fallback when no notification came). */
export async function syncPayment(db: Db, pay: PayClient, order: OrderRow, now: number, hooks: OrderHooks): Promise<PaymentOutcome> {
  const payment = await db.query.payments.findFirst({ where: eq(payments.orderId, order.id) });
  if (!payment) return 'not_paid';
  let tx: WeChatPayTransaction;
  try {
    tx = await pay.queryByOutTradeNo(payment.outTradeNo);
  } catch (error) {
    throw providerUnavailable(error);
  }
  return applyTransaction(db, tx, undefined, now, hooks);
}

/** Verifies, decrypts and applies one notification from WeChat Pay. */
export async function handleNotification(db: Db, pay: PayClient, headers: Headers, rawBody: string, now: number, hooks: OrderHooks) {
  const notification: WeChatPayNotification = await pay.parseNotification(headers, rawBody);
  if (notification.event_type === 'TRANSACTION.SUCCESS') return applyTransaction(db, notification.resource, notification.id, now, hooks);
  const resource = notification.resource;
  // A paid-membership refund is not an order's (src/services/loyalty/plan-refunds.ts).
  if (isPlanRefundNo(resource.out_refund_no))
    return applyPlanRefundResult(db, { out_refund_no: resource.out_refund_no, refund_id: resource.refund_id, status: resource.refund_status }, notification.id, now);
  return applyRefundResult(db, { out_refund_no: resource.out_refund_no, refund_id: resource.refund_id, status: resource.refund_status }, notification.id, now);
}
