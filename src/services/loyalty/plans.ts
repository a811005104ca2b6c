// Paid membership (付费会员): plans the merchant sells, bought with WeChat Pay like an order — an
// Idempotency-Key, a purchase row written before WeChat is called, a JSAPI prepay whose
// time_expire is the purchase's deadline, the notification applied once (notification id and a
// status guard), unpaid purchases closed at WeChat Pay by the sweep. Benefits last while a paid
// term runs; a term ends by the clock (nothing to flip), so "expiry" is the term's end.
import { and, desc, eq, gt, lte } from 'drizzle-orm';
import { abortUnlessChanged, runBatch } from '../../db/batch';
import type { Db } from '../../db/client';
import { read } from '../../db/reads';
import { memberPlans, planPurchases } from '../../db/loyalty';
import { users } from '../../db/shoppers';
import { planRefundableFen, planTerm } from '../../domain/loyalty/plans';
import type { PlanPeriod } from '../../domain/loyalty/vocabulary';
import { toIso } from '../../lib/clock';
import { ApiError, businessRule, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { logEvent } from '../../lib/log';
import type { WeChatPayTransaction } from '../../wechat/pay-client';
import { isDuplicateApplication, rememberNotification } from '../notification-dedup';
import { getShopSettings } from '../shop-settings';
import type { PayClient } from '../wechat';
import { getLoyaltySettings } from './settings';

type PlanRow = typeof memberPlans.$inferSelect;
type PurchaseRow = typeof planPurchases.$inferSelect;

/** Plan purchases pay with out_trade_no "M" + 16 random characters (orders use digits only), so a notification finds its kind. */
const PLAN_TRADE_PREFIX = 'M';
export const isPlanTradeNo = (outTradeNo: string) => outTradeNo.startsWith(PLAN_TRADE_PREFIX);

export const planView = (p: PlanRow) => ({ id: p.id, name: p.name, period: p.period, price_fen: p.priceFen, level_rank: p.levelRank, active: p.active === 1 });

export const listPlans = async (db: Db, onlyActive: boolean) =>
  (
    await db
      .select()
      .from(memberPlans)
      .where(onlyActive ? eq(memberPlans.active, 1) : undefined)
  ).map(planView);

export async function createPlan(db: Db, input: { name: string; period: PlanPeriod; price_fen: number; level_rank: number }, now: number) {
  const id = newId('mpl');
  await db.insert(memberPlans).values({ id, name: input.name, period: input.period, priceFen: input.price_fen, levelRank: input.level_rank, createdAt: now });
  return planView((await db.query.memberPlans.findFirst({ where: eq(memberPlans.id, id) }))!);
}

export const setPlanActive = async (db: Db, id: string, active: boolean) => {
  const [row] = await db
    .update(memberPlans)
    .set({ active: active ? 1 : 0 })
    .where(eq(memberPlans.id, id))
    .returning();
  if (!row) throw notFound('Plan');
  return planView(row);
};

const purchaseView = (p: PurchaseRow) => ({
  id: p.id,
  plan_id: p.planId,
  status: p.status,
  amount_fen: p.amountFen,
  payment_deadline: toIso(p.paymentDeadline),
  starts_at: toIso(p.startsAt),
  ends_at: toIso(p.endsAt),
});

type PurchaseContext = { db: Db; pay: PayClient; userId: string; now: number; timeZone: string; idempotencyKey: string; requestHash: string };

/** A pending purchase (the same one for the same key) and what wx.requestPayment needs to pay it. */
export async function purchasePlan(ctx: PurchaseContext, planId: string) {
  const { db, now } = ctx;
  let purchase = await db.query.planPurchases.findFirst({ where: and(eq(planPurchases.userId, ctx.userId), eq(planPurchases.idempotencyKey, ctx.idempotencyKey)) });
  if (purchase && (purchase.requestHash !== ctx.requestHash || purchase.planId !== planId)) {
    throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
  }
  const replayed = !!purchase;
  if (!purchase) {
    const plan = await db.query.memberPlans.findFirst({ where: and(eq(memberPlans.id, planId), eq(memberPlans.active, 1)) });
    if (!plan) throw notFound('Plan');
    const window = (await getShopSettings(db)).paymentWindowMinutes;
    const id = newId('mpp');
    await db
      .insert(planPurchases)
      .values({
        id,
        userId: ctx.userId,
        planId,
        outTradeNo: `${PLAN_TRADE_PREFIX}${newId('m').slice(2)}`,
        timeZone: ctx.timeZone,
        amountFen: plan.priceFen,
        status: 'pending',
        paymentDeadline: now + window * 60_000,
        idempotencyKey: ctx.idempotencyKey,
        requestHash: ctx.requestHash,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing({ target: [planPurchases.userId, planPurchases.idempotencyKey] });
    // A concurrent request with the same key may have won the insert: answer with its purchase.
    purchase = (await db.query.planPurchases.findFirst({ where: and(eq(planPurchases.userId, ctx.userId), eq(planPurchases.idempotencyKey, ctx.idempotencyKey)) }))!;
  }
  if (purchase.status !== 'pending') return { replayed, body: { purchase: purchaseView(purchase), request_payment: null } };
  const user = (await db.query.users.findFirst({ where: eq(users.id, ctx.userId) }))!;
  const plan = (await db.query.memberPlans.findFirst({ where: eq(memberPlans.id, purchase.planId) }))!;
  let prepayId: string;
  try {
    prepayId = await ctx.pay.createJsapiPrepay({
      outTradeNo: purchase.outTradeNo,
      description: `付费会员 ${plan.name}`.slice(0, 127),
      totalFen: purchase.amountFen,
      openid: user.openid,
      timeExpireMs: purchase.paymentDeadline,
    });
  } catch (error) {
    logEvent('error', 'WeChat Pay prepay for a plan failed', { error });
    throw new ApiError(503, 'payment_provider_unavailable', 'WeChat Pay did not answer; please try again shortly.', [], { 'Retry-After': '5' });
  }
  return { replayed, body: { purchase: purchaseView(purchase), request_payment: await ctx.pay.requestPaymentParams(prepayId) } };
}

/** A successful WeChat Pay transaction for a plan: the term starts (after any running one), once. */
export async function applyPlanTransaction(db: Db, tx: WeChatPayTransaction, notificationId: string | undefined, now: number) {
  const purchase = await db.query.planPurchases.findFirst({ where: eq(planPurchases.outTradeNo, tx.out_trade_no) });
  if (!purchase) throw new ApiError(404, 'unknown_transaction', `No payment for out_trade_no ${tx.out_trade_no}.`);
  if (tx.amount?.total !== purchase.amountFen) {
    logEvent('error', 'WeChat Pay amount mismatch', { out_trade_no: tx.out_trade_no, amount: tx.amount, expected_fen: purchase.amountFen });
    throw new ApiError(400, 'amount_mismatch', 'The paid amount does not match the purchase.');
  }
  const remember = rememberNotification(db, notificationId, 'TRANSACTION.SUCCESS', now);
  if (purchase.status !== 'pending') {
    await runBatch(db, remember).catch((error) => {
      if (!isDuplicateApplication(error)) throw error;
    });
    return 'already_applied' as const;
  }
  const plan = (await db.query.memberPlans.findFirst({ where: eq(memberPlans.id, purchase.planId) }))!;
  const running = await latestPaidTerm(db, purchase.userId, now);
  const term = planTerm(plan.period, now, running?.endsAt ?? null, purchase.timeZone);
  try {
    await runBatch(db, [
      db
        .update(planPurchases)
        .set({ status: 'paid', startsAt: term.startsAt, endsAt: term.endsAt, transactionId: tx.transaction_id ?? null, updatedAt: now })
        .where(and(eq(planPurchases.id, purchase.id), eq(planPurchases.status, 'pending'))),
      abortUnlessChanged(),
      ...remember,
    ]);
  } catch (error) {
    if (isDuplicateApplication(error)) return 'already_applied' as const;
    throw error;
  }
  return 'paid' as const;
}

const latestPaidTerm = (db: Db, userId: string, now: number) =>
  db.query.planPurchases.findFirst({
    where: and(eq(planPurchases.userId, userId), eq(planPurchases.status, 'paid'), gt(planPurchases.endsAt, now)),
    orderBy: desc(planPurchases.endsAt),
  });

/** The paid term running now (benefits apply) and the plan it is of. */
/** The level rank of the shopper's running paid plan (the one ending last), or null: what checkout needs of activePlan. */
export const runningPlanRankRead = (db: Db, userId: string, now: number) =>
  read(
    [
      db
        .select({ levelRank: memberPlans.levelRank })
        .from(planPurchases)
        .innerJoin(memberPlans, eq(memberPlans.id, planPurchases.planId))
        .where(and(eq(planPurchases.userId, userId), eq(planPurchases.status, 'paid'), lte(planPurchases.startsAt, now), gt(planPurchases.endsAt, now)))
        .orderBy(desc(planPurchases.endsAt))
        .limit(1),
    ],
    ([rows]) => rows[0]?.levelRank ?? null,
  );

export async function activePlan(db: Db, userId: string, now: number) {
  const running = await db.query.planPurchases.findFirst({
    where: and(eq(planPurchases.userId, userId), eq(planPurchases.status, 'paid'), lte(planPurchases.startsAt, now), gt(planPurchases.endsAt, now)),
    orderBy: desc(planPurchases.endsAt),
  });
  if (!running) return null;
  const plan = (await db.query.memberPlans.findFirst({ where: eq(memberPlans.id, running.planId) }))!;
  const last = (await latestPaidTerm(db, userId, now))!;
  const rule = (await getLoyaltySettings(db)).planRefundRule;
  return {
    plan,
    view: {
      plan_id: plan.id,
      name: plan.name,
      level_rank: plan.levelRank,
      ends_at: toIso(last.endsAt),
      refund_rule: rule,
      refundable_fen: planRefundableFen({ amountFen: running.amountFen, startsAt: running.startsAt!, endsAt: running.endsAt! }, now, rule),
    },
  };
}

/** The sweep's step: unpaid purchases past their deadline are closed at WeChat Pay first, then here. */
export async function closeExpiredPlanPurchases(db: Db, pay: PayClient, now: number, limit = 50) {
  const expired = await db
    .select()
    .from(planPurchases)
    .where(and(eq(planPurchases.status, 'pending'), lte(planPurchases.paymentDeadline, now)))
    .limit(limit);
  let closed = 0;
  for (const purchase of expired) {
    try {
      await pay.closeByOutTradeNo(purchase.outTradeNo);
    } catch (error) {
      // Left pending: maybe it was paid meanwhile (the notification applies it) or WeChat is unreachable.
      logEvent('error', 'closing a plan purchase at WeChat Pay failed', { out_trade_no: purchase.outTradeNo, error });
      continue;
    }
    await db
      .update(planPurchases)
      .set({ status: 'closed', updatedAt: now })
      .where(and(eq(planPurchases.id, purchase.id), eq(planPurchases.status, 'pending')));
    closed++;
  }
  return closed;
}
