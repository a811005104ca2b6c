// WeChat Pay for orders: prepay, notifications, cancelling (close first, then release stock),
// refunds through the outbox, and the query fallbacks when a notification never comes.
//
// Rules (DESIGN.md, "Consistency"): the prepay's time_expire is the order's payment deadline;
// stock is released only after the transaction is closed at WeChat Pay; a payment that arrives
// for an order already cancelled is refunded automatically; every step is keyed and idempotent
// (out_trade_no, out_refund_no, notification id), so a replay or retry never applies twice.
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { orders, outbox, payments, refunds, wechatNotifications } from '../db/orders';
import { users } from '../db/shoppers';
import { abortUnlessChanged, runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { canApply } from '../domain/order-state';
import { ApiError, businessRule, conflict } from '../lib/errors';
import { newId } from '../lib/ids';
import { WeChatPayApiError } from '../wechat/errors';
import type { WeChatPayNotification, WeChatPayRefund, WeChatPayRefundResource, WeChatPayTransaction } from '../wechat/pay-client';
import type { RequestPaymentParams } from '../wechat/signing';
import { releaseStockStatements, recordSalesStatements, transitionStatements, type Actor, type OrderRow } from './order-transitions';
import { stockHeldInD1 } from './order-source-policy';
import type { PayClient } from './wechat';
import { logEvent } from '../lib/log';

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

/** A notification id already applied: the statement fails on the primary key and the batch rolls back. */
const rememberNotification = (db: Db, notificationId: string | undefined, eventType: string, now: number): Statement[] =>
  notificationId ? [db.insert(wechatNotifications).values({ id: notificationId, eventType, receivedAt: now })] : [];

async function alreadyApplied(db: Db, notificationId: string | undefined) {
  if (!notificationId) return false;
  return !!(await db.query.wechatNotifications.findFirst({ where: eq(wechatNotifications.id, notificationId) }));
}

/** Loses a race with a duplicate of itself: the other copy applied it, so this one is done. */
function isDuplicateApplication(error: unknown) {
  const text = String((error as Error)?.message ?? error);
  return (error instanceof ApiError && error.code === 'concurrent_change') || /UNIQUE constraint failed: wechat_notifications\.id/.test(text);
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
    statements = transitionStatements(
      db,
      order,
      { event: 'pay', actor: wechatPay, reason: `WeChat Pay ${tx.transaction_id ?? ''}`.trim(), set: { paidAt: now }, also: [paymentSucceeded, ...recordSalesStatements(order.id), ...remember] },
      now,
    );
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

export type SystemRefund = {
  reason: string;
  /** Default: all that was paid. */
  amountFen?: number;
  /** Makes the out_refund_no (order number + suffix): one refund per order and suffix, ever. */
  suffix?: string;
  /** Default 'system' (the order's status is left alone); an engine's own is its source policy's campaignRefundInitiator. */
  initiator?: 'system' | 'group_buy';
};

/**
 * A refund the shop starts by itself (no shopper request, no merchant decision), sent by the
 * outbox. Keyed by its out_refund_no, so writing it again (a replayed alarm) changes nothing.
 */
export function systemRefundStatements(db: Db, order: OrderRow, refund: SystemRefund, now: number): Statement[] {
  const outRefundNo = `${order.orderNo}R${refund.suffix ?? 'AUTO'}`;
  return [
    db
      .insert(refunds)
      .values({
        id: newId('rfd'),
        orderId: order.id,
        outRefundNo,
        amountFen: refund.amountFen ?? order.payableFen,
        reason: refund.reason,
        status: 'processing',
        initiator: refund.initiator ?? 'system',
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: refunds.outRefundNo }),
    sql`INSERT INTO outbox (id, kind, subject_id, status, attempts, next_attempt_at, created_at, updated_at)
        SELECT ${newId('obx')}, 'submit_refund', id, 'pending', 0, ${now}, ${now}, ${now} FROM refunds WHERE out_refund_no = ${outRefundNo}
        ON CONFLICT (kind, subject_id) DO NOTHING`,
  ];
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
    ...(payment ? [db.update(payments).set({ status: 'closed', updatedAt: now }).where(and(eq(payments.id, payment.id), eq(payments.status, 'prepared')))] : []),
    // A flash-sale order's units live in its FlashSaleStock object, released by afterOrderCancelled.
    ...(stockHeldInD1(order) ? releaseStockStatements(db, order.id) : []),
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

/**
 * Applies a refund's final result exactly once: the refund row, the order's refunded amount,
 * and, for a shopper's refund, the order's status (in full or in part). A refunded order that
 * never shipped gives its stock back.
 */
export async function applyRefundResult(
  db: Db,
  result: Pick<WeChatPayRefundResource, 'out_refund_no' | 'refund_id'> & { status: WeChatPayRefund['status'] },
  notificationId: string | undefined,
  now: number,
): Promise<'succeeded' | 'failed' | 'pending' | 'already_applied'> {
  if (result.status === 'PROCESSING') return 'pending';
  if (await alreadyApplied(db, notificationId)) return 'already_applied';
  const refund = await db.query.refunds.findFirst({ where: eq(refunds.outRefundNo, result.out_refund_no) });
  if (!refund) throw new ApiError(404, 'unknown_refund', `No refund ${result.out_refund_no}.`);
  const remember = rememberNotification(db, notificationId, `REFUND.${result.status}`, now);
  if (refund.status !== 'processing') {
    await runBatch(db, remember).catch((error) => {
      if (!isDuplicateApplication(error)) throw error;
    });
    return 'already_applied';
  }
  const order = (await db.query.orders.findFirst({ where: eq(orders.id, refund.orderId) }))!;
  const succeeded = result.status === 'SUCCESS';
  const refundUpdate: Statement[] = [
    db
      .update(refunds)
      .set({ status: succeeded ? 'succeeded' : 'failed', wechatRefundId: result.refund_id, updatedAt: now })
      .where(and(eq(refunds.id, refund.id), eq(refunds.status, 'processing'))),
    abortUnlessChanged(),
  ];
  let statements: Statement[];
  if (refund.initiator === 'system') {
    statements = [...refundUpdate, ...(succeeded ? [sql`UPDATE orders SET refunded_fen = refunded_fen + ${refund.amountFen}, updated_at = ${now} WHERE id = ${order.id}`] : []), ...remember];
  } else if (succeeded) {
    const inFull = order.refundedFen + refund.amountFen >= order.payableFen;
    statements = transitionStatements(
      db,
      order,
      {
        event: inFull ? 'refund_completed_in_full' : 'refund_completed_in_part',
        actor: wechatPay,
        reason: `Refunded ${refund.amountFen} fen`,
        set: { refundedFen: order.refundedFen + refund.amountFen },
        also: [...refundUpdate, ...(inFull && !order.shippedAt && stockHeldInD1(order) ? releaseStockStatements(db, order.id) : []), ...remember],
      },
      now,
    );
  } else {
    // WeChat Pay could not refund (ABNORMAL / CLOSED): back to the merchant with a fresh request.
    statements = transitionStatements(
      db,
      order,
      {
        event: 'refund_failed',
        actor: wechatPay,
        reason: `WeChat Pay refund ${result.status}`,
        also: [
          ...refundUpdate,
          db.insert(refunds).values({
            id: newId('rfd'),
            orderId: order.id,
            outRefundNo: `${order.orderNo}R${newId('x').slice(-8)}`,
            amountFen: refund.amountFen,
            reason: refund.reason,
            status: 'requested',
            initiator: refund.initiator,
            createdAt: now,
            updatedAt: now,
          }),
          ...remember,
        ],
      },
      now,
    );
  }
  try {
    await runBatch(db, statements);
  } catch (error) {
    if (isDuplicateApplication(error)) return 'already_applied';
    throw error;
  }
  return succeeded ? 'succeeded' : 'failed';
}

/** Verifies, decrypts and applies one notification from WeChat Pay. */
export async function handleNotification(db: Db, pay: PayClient, headers: Headers, rawBody: string, now: number, hooks: OrderHooks) {
  const notification: WeChatPayNotification = await pay.parseNotification(headers, rawBody);
  if (notification.event_type === 'TRANSACTION.SUCCESS') return applyTransaction(db, notification.resource, notification.id, now, hooks);
  const resource = notification.resource;
  return applyRefundResult(db, { out_refund_no: resource.out_refund_no, refund_id: resource.refund_id, status: resource.refund_status }, notification.id, now);
}

const OUTBOX_MAX_ATTEMPTS = 12;
/** After the 1st failure 30 s, then 1 min, 2 min … capped at an hour. */
const backoffMs = (attempts: number) => Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);

/**
 * Delivers due outbox rows: submits approved and automatic refunds to WeChat Pay. A refund is
 * idempotent by out_refund_no, so a retry after a lost answer cannot refund twice.
 */
export async function deliverOutbox(db: Db, pay: PayClient, now: number, batchSize = 20) {
  const due = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.status, 'pending'), lte(outbox.nextAttemptAt, now)))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(batchSize);
  const result = { delivered: 0, retrying: 0, dead: 0 };
  for (const item of due) {
    try {
      await submitRefund(db, pay, item.subjectId, now);
      await db.update(outbox).set({ status: 'done', attempts: item.attempts + 1, updatedAt: now }).where(eq(outbox.id, item.id));
      result.delivered++;
    } catch (error) {
      const attempts = item.attempts + 1;
      const giveUp = attempts >= OUTBOX_MAX_ATTEMPTS || (error instanceof WeChatPayApiError && !error.retryable);
      logEvent('error', 'outbox delivery failed', { kind: item.kind, subject_id: item.subjectId, error });
      await db
        .update(outbox)
        .set({ status: giveUp ? 'dead' : 'pending', attempts, nextAttemptAt: now + backoffMs(attempts), lastError: String((error as Error)?.message ?? error).slice(0, 500), updatedAt: now })
        .where(eq(outbox.id, item.id));
      result[giveUp ? 'dead' : 'retrying']++;
    }
  }
  return result;
}

async function submitRefund(db: Db, pay: PayClient, refundId: string, now: number) {
  const refund = await db.query.refunds.findFirst({ where: eq(refunds.id, refundId) });
  if (!refund || refund.status !== 'processing') return; // decided or finished meanwhile: nothing to send
  const payment = await db.query.payments.findFirst({ where: and(eq(payments.orderId, refund.orderId), eq(payments.status, 'succeeded')) });
  if (!payment) throw new Error(`refund ${refund.id}: the order has no successful payment`);
  const answer = await pay.createRefund({ outTradeNo: payment.outTradeNo, outRefundNo: refund.outRefundNo, reason: refund.reason.slice(0, 80), refundFen: refund.amountFen, totalFen: payment.amountFen });
  await applyRefundResult(db, { out_refund_no: answer.out_refund_no, refund_id: answer.refund_id, status: answer.status }, undefined, now);
}

/** Refunds submitted long ago and still processing: ask WeChat Pay (no notification came). */
export async function reconcileProcessingRefunds(db: Db, pay: PayClient, now: number, olderThanMs = 10 * 60_000) {
  const submitted = db.select({ id: outbox.subjectId }).from(outbox).where(and(eq(outbox.kind, 'submit_refund'), eq(outbox.status, 'done')));
  const stale = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.status, 'processing'), lte(refunds.updatedAt, now - olderThanMs), inArray(refunds.id, submitted)))
    .limit(20);
  for (const refund of stale) {
    try {
      const answer = await pay.queryRefund(refund.outRefundNo);
      await applyRefundResult(db, { out_refund_no: answer.out_refund_no, refund_id: answer.refund_id, status: answer.status }, undefined, now);
    } catch (error) {
      logEvent('error', 'refund query failed', { out_refund_no: refund.outRefundNo, error });
    }
  }
}
