// Refunds of paid membership (付费会员), by the shop's rule (plan_refund_rule): none, or the unused
// share of the price (pro rata, floored to the fen). A refund ends the term at once (benefits stop
// with it) and is sent to WeChat Pay by the outbox, in the same D1 batch: refund row, the term's
// end, the outbox row. Only the latest paid term is refunded (a later one would otherwise start
// after a term that no longer runs). The result is applied once (notification id, status guard);
// a refund WeChat Pay could not make (ABNORMAL, CLOSED) is logged and listed as failed for the
// merchant to settle by hand; the term stays ended.
import { and, desc, eq, gte, inArray, lte, ne, sql } from 'drizzle-orm';
import { abortUnlessChanged, runBatch } from '../../db/batch';
import type { Db } from '../../db/client';
import { planPurchases, planRefunds } from '../../db/loyalty';
import { outbox } from '../../db/orders';
import { planRefundableFen } from '../../domain/loyalty/plans';
import { toIso } from '../../lib/clock';
import { ApiError, businessRule, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { logEvent } from '../../lib/log';
import type { WeChatPayRefund } from '../../wechat/pay-client';
import { isDuplicateApplication, rememberNotification } from '../notification-dedup';
import type { PayClient } from '../wechat';
import { isPlanTradeNo } from './plans';
import { getLoyaltySettings } from './settings';

type RefundRow = typeof planRefunds.$inferSelect;

/** Plan refunds are numbered after their purchase's out_trade_no ("M…"), so a notification finds its kind. */
export const isPlanRefundNo = isPlanTradeNo;

export const planRefundView = (r: RefundRow) => ({
  id: r.id,
  purchase_id: r.purchaseId,
  out_refund_no: r.outRefundNo,
  amount_fen: r.amountFen,
  reason: r.reason,
  status: r.status,
  created_at: toIso(r.createdAt),
});

/** The shopper's purchases, newest first, each with its refunds (for the merchant). */
export async function shopperPlanPurchases(db: Db, userId: string) {
  const [purchases, refunds] = await Promise.all([
    db.select().from(planPurchases).where(eq(planPurchases.userId, userId)).orderBy(desc(planPurchases.createdAt)),
    db.select().from(planRefunds).where(eq(planRefunds.userId, userId)),
  ]);
  return purchases.map((p) => ({
    id: p.id,
    plan_id: p.planId,
    status: p.status,
    amount_fen: p.amountFen,
    starts_at: toIso(p.startsAt),
    ends_at: toIso(p.endsAt),
    refunds: refunds.filter((r) => r.purchaseId === p.id).map(planRefundView),
  }));
}

/**
 * The merchant refunds a purchase by the shop's rule. 422 plan_not_refundable (unpaid, rule
 * none, or nothing left to refund), 409 plan_refund_not_latest (a later paid term exists), 409
 * plan_already_refunded, or 409 concurrent_change when another refund of it won the race.
 */
export async function refundPlanPurchase(db: Db, input: { purchaseId: string; reason: string; merchantId: string; now: number }) {
  const { now } = input;
  const purchase = await db.query.planPurchases.findFirst({ where: eq(planPurchases.id, input.purchaseId) });
  if (!purchase) throw notFound('Plan purchase');
  if (purchase.status === 'refunded') throw conflict('plan_already_refunded', 'This purchase has been refunded.');
  if (purchase.status !== 'paid' || purchase.startsAt === null || purchase.endsAt === null) throw businessRule('plan_not_refundable', 'This purchase was never paid.');
  const rule = (await getLoyaltySettings(db)).planRefundRule;
  const amountFen = planRefundableFen({ amountFen: purchase.amountFen, startsAt: purchase.startsAt, endsAt: purchase.endsAt }, now, rule);
  if (amountFen <= 0) {
    throw businessRule('plan_not_refundable', rule === 'none' ? 'The shop does not refund paid plans (plan_refund_rule: none).' : 'Nothing of this term is left to refund.');
  }
  const later = await db.query.planPurchases.findFirst({
    where: and(eq(planPurchases.userId, purchase.userId), eq(planPurchases.status, 'paid'), ne(planPurchases.id, purchase.id), gte(planPurchases.startsAt, purchase.endsAt)),
  });
  if (later) throw conflict('plan_refund_not_latest', 'Refund the later paid term first: this one is followed by another.');
  const id = newId('mpr');
  // A concurrent refund of the same term (or a term bought meanwhile) fails this batch: 409 concurrent_change.
  await runBatch(db, [
    sql`INSERT INTO batch_assertions (must_hold) SELECT 0 FROM plan_purchases
        WHERE user_id = ${purchase.userId} AND status = 'paid' AND id <> ${purchase.id} AND starts_at >= ${purchase.endsAt}`,
    db
      .update(planPurchases)
      .set({ status: 'refunded', endsAt: sql`MAX(${now}, ${planPurchases.startsAt})`, updatedAt: now })
      .where(and(eq(planPurchases.id, purchase.id), eq(planPurchases.status, 'paid'))),
    abortUnlessChanged(),
    db.insert(planRefunds).values({
      id,
      purchaseId: purchase.id,
      userId: purchase.userId,
      outRefundNo: `${purchase.outTradeNo}R${id.slice(-8)}`,
      amountFen,
      reason: input.reason,
      status: 'processing',
      actorId: input.merchantId,
      createdAt: now,
      updatedAt: now,
    }),
    sql`INSERT INTO outbox (id, kind, subject_id, status, attempts, next_attempt_at, created_at, updated_at)
        VALUES (${newId('obx')}, 'submit_plan_refund', ${id}, 'pending', 0, ${now}, ${now}, ${now})`,
  ]);
  return planRefundView((await db.query.planRefunds.findFirst({ where: eq(planRefunds.id, id) }))!);
}

/** The outbox's delivery of a plan refund to WeChat Pay; a retry after a lost answer is safe (keyed by out_refund_no). */
export async function submitPlanRefund({ db, pay }: { db: Db; pay: PayClient }, refundId: string, now: number) {
  const refund = await db.query.planRefunds.findFirst({ where: eq(planRefunds.id, refundId) });
  if (refund?.status !== 'processing') return;
  const purchase = (await db.query.planPurchases.findFirst({ where: eq(planPurchases.id, refund.purchaseId) }))!;
  const answer = await pay.createRefund({
    outTradeNo: purchase.outTradeNo,
    outRefundNo: refund.outRefundNo,
    reason: refund.reason.slice(0, 80),
    refundFen: refund.amountFen,
    totalFen: purchase.amountFen,
  });
  await applyPlanRefundResult(db, { out_refund_no: answer.out_refund_no, refund_id: answer.refund_id, status: answer.status }, undefined, now);
}

/** A plan refund's final result, applied once (a PROCESSING answer waits for the notification). */
export async function applyPlanRefundResult(
  db: Db,
  result: { out_refund_no: string; refund_id: string; status: WeChatPayRefund['status'] },
  notificationId: string | undefined,
  now: number,
): Promise<'succeeded' | 'failed' | 'pending' | 'already_applied'> {
  if (result.status === 'PROCESSING') return 'pending';
  const refund = await db.query.planRefunds.findFirst({ where: eq(planRefunds.outRefundNo, result.out_refund_no) });
  if (!refund) throw new ApiError(404, 'unknown_refund', `No refund ${result.out_refund_no}.`);
  const succeeded = result.status === 'SUCCESS';
  try {
    await runBatch(db, [
      db
        .update(planRefunds)
        .set({ status: succeeded ? 'succeeded' : 'failed', wechatRefundId: result.refund_id, updatedAt: now })
        .where(and(eq(planRefunds.id, refund.id), eq(planRefunds.status, 'processing'))),
      abortUnlessChanged(),
      ...rememberNotification(db, notificationId, `REFUND.${result.status}`, now),
    ]);
  } catch (error) {
    if (isDuplicateApplication(error) || (error instanceof ApiError && error.code === 'concurrent_change')) return 'already_applied';
    throw error;
  }
  if (!succeeded) logEvent('error', 'WeChat Pay could not refund a paid plan', { out_refund_no: refund.outRefundNo, status: result.status });
  return succeeded ? 'succeeded' : 'failed';
}

/** The sweep's step: plan refunds sent long ago and still processing (no notification came) are asked about. */
export async function reconcilePlanRefunds(db: Db, pay: PayClient, now: number, olderThanMs = 10 * 60_000) {
  const sent = db
    .select({ id: outbox.subjectId })
    .from(outbox)
    .where(and(eq(outbox.kind, 'submit_plan_refund'), eq(outbox.status, 'done')));
  const stale = await db
    .select()
    .from(planRefunds)
    .where(and(eq(planRefunds.status, 'processing'), lte(planRefunds.updatedAt, now - olderThanMs), inArray(planRefunds.id, sent)))
    .limit(20);
  for (const refund of stale) {
    try {
      const answer = await pay.queryRefund(refund.outRefundNo);
      await applyPlanRefundResult(db, { out_refund_no: answer.out_refund_no, refund_id: answer.refund_id, status: answer.status }, undefined, now);
    } catch (error) {
      logEvent('error', 'plan refund query failed', { out_refund_no: refund.outRefundNo, error });
    }
  }
}
