// Points and orders: what a checkout may spend and will earn (the last pricing step), what the
// order's creating batch writes, and the points ledger's entry in the order-ledgers table —
// earn (frozen) on payment, give back what was spent on an unpaid cancellation, and on a refund
// give back spent points and take back earned ones in proportion to the refunded share.
//
// Refund shares are exact and cumulative: due = floor(total × refunded so far / payable) minus
// what earlier refunds already moved, all computed in SQL inside the refund's batch.
import { type SQL, sql } from 'drizzle-orm';
import type { Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { combine, read, type ReadValue } from '../../db/reads';
import { pointCategoryMultipliers } from '../../db/loyalty';
import { pointsEarned } from '../../domain/loyalty/earning';
import { redeemPoints, type RedemptionPolicy } from '../../domain/loyalty/redemption';
import type { Quote } from '../../domain/pricing';
import { invalidInput } from '../../lib/errors';
import type { OrderRow } from '../order-transitions';
import type { PurchasableSku } from '../purchasable';
import { creditStatements, debitStatements, movedOn } from './points-ledger';
import { isBirthdayNowRead } from './birthdays';
import { pointsSummaryRead } from './points';
import { loyaltySettingsRead, type LoyaltySettings } from './settings';

/** A frozen lot's expiry is set when it thaws; until then it cannot expire. */
const NOT_BEFORE_THAW = 253_402_300_799_999; // 9999-12-31
const DAY_MS = 86_400_000;

export type PointsPlan = {
  requested: number;
  applied: number;
  fen: number;
  maxUsable: number;
  balance: number;
  debt: number;
  earns: number;
  firstOrderBonus: number;
  afterSalesDays: number;
  growth: number;
};

const redemptionPolicyOf = (s: LoyaltySettings): RedemptionPolicy => ({
  pointsPerYuan: s.redeemPointsPerYuan,
  maxGoodsPercent: s.redeemMaxGoodsPercent,
  maxPointsPerOrder: s.redeemMaxPointsPerOrder,
  shipping: s.redeemShipping === 1,
});

/** What the points step reads: the shop's rules, the shopper's balance, category multipliers, the birthday. */
export const pointsStepRead = (db: Db, userId: string, now: number, timeZone: string) =>
  combine({
    settings: loyaltySettingsRead(db),
    summary: pointsSummaryRead(db, userId, now),
    multipliers: read([db.select().from(pointCategoryMultipliers)], ([rows]) => rows),
    birthday: isBirthdayNowRead(db, userId, now, timeZone),
  });

export type PointsStepInputs = ReadValue<ReturnType<typeof pointsStepRead>>;

/**
 * The points step of a checkout. For a quote the balance caps what is applied (the toggle shows
 * what can be saved); for an order it does not: the spend in the order's batch is the guard, and
 * refuses (422 insufficient_points) rather than silently using fewer points than were shown.
 */
export function applyPoints(
  { settings, summary, multipliers, birthday }: PointsStepInputs,
  quote: Quote,
  skus: Map<string, PurchasableSku>,
  request: { points: number; forOrder: boolean; levelMultiplierBps: number },
) {
  const { points: requested, forOrder } = request;
  const spendable = summary.debt > 0 ? 0 : summary.balance;
  const redemption = redeemPoints(quote, requested, redemptionPolicyOf(settings), forOrder ? null : spendable);
  if (!redemption.ok) {
    throw invalidInput([{ path: 'body.points', message: `must be a multiple of the points that pay 1 fen (${settings.redeemPointsPerYuan} points = ¥1)` }]);
  }
  const multiplierOf = new Map(multipliers.map((m) => [m.categoryId, m.multiplierBps]));
  const earns = pointsEarned(
    redemption.quote.lines.map((l) => ({ paidFen: l.payableFen, multiplierBps: multiplierOf.get(skus.get(l.skuId)!.categoryId) ?? 10_000 })),
    // An order placed on the shopper's birthday (shop-local) earns the birthday multiplier too.
    { pointsPerYuan: settings.earnPointsPerYuan, perOrderCap: settings.earnPerOrderCap, orderMultipliersBps: [request.levelMultiplierBps, ...(birthday ? [settings.earnBirthdayMultiplierBps] : [])] },
  );
  const plan: PointsPlan = {
    requested,
    applied: redemption.points,
    fen: redemption.fen,
    maxUsable: Math.min(redemption.maxUsablePoints, spendable),
    balance: summary.balance,
    debt: summary.debt,
    earns,
    firstOrderBonus: settings.earnFirstOrderBonus,
    afterSalesDays: settings.afterSalesDays,
    growth: Math.floor((goodsPaidFen(redemption.quote) * settings.growthPerYuan) / 100),
  };
  return { quote: redemption.quote, plan };
}

export const pointsPlanView = (p: PointsPlan) => ({
  requested: p.requested,
  applied: p.applied,
  saving_fen: p.fen,
  max_usable: p.maxUsable,
  balance: p.balance,
  can_spend: p.debt === 0,
  earns: p.earns,
});

/** In the order's creating batch: what it spends (taken now, FIFO, guarded) and will earn. */
export function orderPointsStatements(plan: PointsPlan, orderId: string, userId: string, now: number): Statement[] {
  return [
    sql`INSERT INTO order_points (order_id, user_id, spent, spent_fen, earns, first_order_bonus, after_sales_days, growth, created_at)
        VALUES (${orderId}, ${userId}, ${plan.applied}, ${plan.fen}, ${plan.earns}, ${plan.firstOrderBonus}, ${plan.afterSalesDays}, ${plan.growth}, ${now})`,
    ...(plan.applied > 0 ? debitStatements({ userId, amount: plan.applied, source: 'order', ref: orderId, reason: '下单抵扣', mode: 'spend', now }) : []),
  ];
}

/** What the shopper pays for the goods (shipping earns nothing). */
const goodsPaidFen = (quote: Quote) => quote.lines.reduce((sum, l) => sum + l.payableFen, 0);

const planned = (orderId: string, column: 'spent' | 'earns' | 'first_order_bonus' | 'after_sales_days') => sql`COALESCE((SELECT ${sql.raw(column)} FROM order_points WHERE order_id = ${orderId}), 0)`;

/**
 * On payment: the order's points (and the first-order bonus, once per shopper) credited frozen
 * for its after-sales window; its growth value falls due when that window closes.
 */
export function earnOnPaymentStatements(order: Pick<OrderRow, 'id' | 'userId'>, now: number): Statement[] {
  const windowCloses = sql`${now} + ${planned(order.id, 'after_sales_days')} * ${DAY_MS}`;
  const frozen = { userId: order.userId, source: 'order' as const, ref: order.id, expiresAt: NOT_BEFORE_THAW, frozenUntil: windowCloses, now };
  return [
    sql`UPDATE order_points SET growth_due_at = ${windowCloses} WHERE order_id = ${order.id}`,
    ...creditStatements({ ...frozen, amount: planned(order.id, 'earns'), reason: '订单积分' }),
    sql`INSERT OR IGNORE INTO first_order_bonuses (user_id, order_id) VALUES (${order.userId}, ${order.id})`,
    ...creditStatements({
      ...frozen,
      amount: planned(order.id, 'first_order_bonus'),
      reason: '首单奖励',
      onlyIf: sql`EXISTS (SELECT 1 FROM first_order_bonuses WHERE user_id = ${order.userId} AND order_id = ${order.id})`,
    }),
  ];
}

/** Spent points back as a lot with the latest expiry of the lots they came from (they expire as they would have). */
function giveBackStatements(order: Pick<OrderRow, 'id' | 'userId'>, amount: SQL, now: number): Statement[] {
  const expiresAt = sql`COALESCE((SELECT MAX(l.expires_at) FROM point_entries e JOIN point_takes t ON t.entry_id = e.id JOIN point_lots l ON l.id = t.lot_id
                                   WHERE e.ref = ${order.id} AND e.source = 'order' AND e.kind = 'debit'), ${now})`;
  return creditStatements({ userId: order.userId, amount, source: 'reversal', ref: order.id, reason: '订单退回积分', expiresAt, now });
}

export function pointsBackOnCancelStatements(order: Pick<OrderRow, 'id' | 'userId'>, now: number): Statement[] {
  return giveBackStatements(order, sql`${planned(order.id, 'spent')} - ${movedOn(order.id, 'reversal', 'credit')}`, now);
}

/** A refund's share: spent points given back, earned points taken back (from the order's own lots first; debt beyond what is held). */
export function pointsOnRefundStatements(order: Pick<OrderRow, 'id' | 'userId' | 'payableFen'>, refundedTotalFen: number, now: number): Statement[] {
  // D1 binds JS numbers as REAL: the casts keep this an integer division (a floor).
  const share = (total: SQL) => sql`(${total}) * CAST(${refundedTotalFen} AS INTEGER) / CAST(${order.payableFen} AS INTEGER)`;
  return [
    ...giveBackStatements(order, sql`${share(planned(order.id, 'spent'))} - ${movedOn(order.id, 'reversal', 'credit')}`, now),
    ...debitStatements({
      userId: order.userId,
      amount: sql`${share(movedOn(order.id, 'order', 'credit'))} - ${movedOn(order.id, 'reversal', 'debit')}`,
      source: 'reversal',
      ref: order.id,
      reason: '退款扣回积分',
      mode: 'clawback',
      preferLots: sql`source = 'order' AND ref = ${order.id}`,
      now,
    }),
  ];
}
