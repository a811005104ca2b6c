// Refunds through WeChat Pay: the ones the shop starts itself (late payments, failed groups, tier
// differences), their submission to WeChat Pay (delivered by outbox.ts), applying each final result once,
// and asking WeChat Pay about refunds whose notification never came. Every refund is keyed by
// its out_refund_no, so a retry after a lost answer cannot refund twice.
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { orders, outbox, payments, refunds } from '../db/orders';
import { abortUnlessChanged, runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { ApiError } from '../lib/errors';
import { newId } from '../lib/ids';
import { logEvent } from '../lib/log';
import type { WeChatPayRefund, WeChatPayRefundResource } from '../wechat/pay-client';
import { alreadyApplied, isDuplicateApplication, rememberNotification } from './notification-dedup';
import { refundedLedgerStatements } from './order-ledgers';
import { afterSaleRefundFailedStatements } from './after-sale-claims';
import { transitionStatements, type Actor, type OrderRow } from './order-transitions';
import type { PayClient } from './wechat';

const wechatPay: Actor = { type: 'wechat_pay', id: null };

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
    const refundedTotalFen = order.refundedFen + refund.amountFen;
    const inFull = refundedTotalFen >= order.payableFen;
    statements = transitionStatements(
      db,
      order,
      {
        event: inFull ? 'refund_completed_in_full' : 'refund_completed_in_part',
        actor: wechatPay,
        reason: `Refunded ${refund.amountFen} fen`,
        set: { refundedFen: order.refundedFen + refund.amountFen },
        also: [...refundUpdate, ...refundedLedgerStatements(db, order, { refund, inFull, refundedTotalFen }, now), ...remember],
      },
      now,
    );
  } else {
    // WeChat Pay could not refund (ABNORMAL / CLOSED): back to the merchant with a fresh request.
    const nextRefundId = newId('rfd');
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
            id: nextRefundId,
            orderId: order.id,
            outRefundNo: `${order.orderNo}R${newId('x').slice(-8)}`,
            amountFen: refund.amountFen,
            reason: refund.reason,
            status: 'requested',
            initiator: refund.initiator,
            createdAt: now,
            updatedAt: now,
          }),
          ...afterSaleRefundFailedStatements(db, refund.id, nextRefundId, now),
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

/** The outbox's delivery of a refund to WeChat Pay; a retry after a lost answer is safe (keyed by out_refund_no). */
export async function submitRefund({ db, pay }: { db: Db; pay: PayClient }, refundId: string, now: number) {
  const refund = await db.query.refunds.findFirst({ where: eq(refunds.id, refundId) });
  if (refund?.status !== 'processing') return; // decided or finished meanwhile: nothing to send
  const payment = await db.query.payments.findFirst({ where: and(eq(payments.orderId, refund.orderId), eq(payments.status, 'succeeded')) });
  if (!payment) throw new Error(`refund ${refund.id}: the order has no successful payment`);
  const answer = await pay.createRefund({
    outTradeNo: payment.outTradeNo,
    outRefundNo: refund.outRefundNo,
    reason: refund.reason.slice(0, 80),
    refundFen: refund.amountFen,
    totalFen: payment.amountFen,
  });
  await applyRefundResult(db, { out_refund_no: answer.out_refund_no, refund_id: answer.refund_id, status: answer.status }, undefined, now);
}

/** Refunds submitted long ago and still processing: ask WeChat Pay (no notification came). */
export async function reconcileProcessingRefunds(db: Db, pay: PayClient, now: number, olderThanMs = 10 * 60_000) {
  const submitted = db
    .select({ id: outbox.subjectId })
    .from(outbox)
    .where(and(eq(outbox.kind, 'submit_refund'), eq(outbox.status, 'done')));
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
