// The store promotions running now, as the pricing rules read them.
import { and, eq, gt, lte } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { promotionActivities, timedDiscounts } from '../../db/promotions';
import type { TieredActivity, TimedDiscount } from '../../domain/promotions/activity';

export type ActivityRow = typeof promotionActivities.$inferSelect;
export type TimedDiscountRow = typeof timedDiscounts.$inferSelect;

export const activityOf = (r: ActivityRow): TieredActivity => ({ id: r.id, name: r.name, scope: r.scope, condition: r.condition, benefit: r.benefit, tiers: r.tiers });
export const timedDiscountOf = (r: TimedDiscountRow): TimedDiscount => ({ id: r.id, productId: r.productId, skuId: r.skuId, kind: r.kind, value: r.value, startsAt: r.startsAt, endsAt: r.endsAt });

export async function activeActivities(db: Db, now: number): Promise<TieredActivity[]> {
  const rows = await db
    .select()
    .from(promotionActivities)
    .where(and(eq(promotionActivities.status, 'active'), lte(promotionActivities.startsAt, now), gt(promotionActivities.endsAt, now)));
  return rows.map(activityOf);
}

/** Timed discounts not yet over (running or still to start): the storefront needs the next start too. */
export async function currentTimedDiscounts(db: Db, now: number, productIds?: readonly string[]): Promise<TimedDiscount[]> {
  const rows = await db
    .select()
    .from(timedDiscounts)
    .where(and(eq(timedDiscounts.status, 'active'), gt(timedDiscounts.endsAt, now)));
  const wanted = productIds && new Set(productIds);
  return rows.filter((r) => !wanted || wanted.has(r.productId)).map(timedDiscountOf);
}
