// The store promotions running now (or still to start), as the pricing rules read them.
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { promotionActivities, timedDiscounts } from '../../db/promotions';
import type { TieredActivity, TimedDiscount } from '../../domain/promotions/activity';

export type ActivityRow = typeof promotionActivities.$inferSelect;
export type TimedDiscountRow = typeof timedDiscounts.$inferSelect;
export type ScheduledActivity = TieredActivity & { startsAt: number; endsAt: number };

export const activityOf = (r: ActivityRow): ScheduledActivity => ({
  id: r.id,
  name: r.name,
  scope: r.scope,
  condition: r.condition,
  benefit: r.benefit,
  tiers: r.tiers,
  startsAt: r.startsAt,
  endsAt: r.endsAt,
});
export const timedDiscountOf = (r: TimedDiscountRow): TimedDiscount => ({ id: r.id, productId: r.productId, skuId: r.skuId, kind: r.kind, value: r.value, startsAt: r.startsAt, endsAt: r.endsAt });

/** Activities not yet over (running or still to start): the storefront's badges change at each start and end. */
export async function currentActivities(db: Db, now: number): Promise<ScheduledActivity[]> {
  const rows = await db
    .select()
    .from(promotionActivities)
    .where(and(eq(promotionActivities.status, 'active'), gt(promotionActivities.endsAt, now)));
  return rows.map(activityOf);
}

/** Timed discounts not yet over (running or still to start): the storefront needs the next start too. */
export async function currentTimedDiscounts(db: Db, now: number): Promise<TimedDiscount[]> {
  const rows = await db
    .select()
    .from(timedDiscounts)
    .where(and(eq(timedDiscounts.status, 'active'), gt(timedDiscounts.endsAt, now)));
  return rows.map(timedDiscountOf);
}

/** The activities running at `now` (checkout's stage 2). */
export const activeActivities = async (db: Db, now: number) => (await currentActivities(db, now)).filter((a) => a.startsAt <= now);
