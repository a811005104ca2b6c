// The store promotions running now (or still to start), as the pricing rules read them.
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { read, runRead, type Read } from '../../db/reads';
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

const currentActivitiesQuery = (db: Db, now: number) =>
  db
    .select()
    .from(promotionActivities)
    .where(and(eq(promotionActivities.status, 'active'), gt(promotionActivities.endsAt, now)));

const currentTimedDiscountsQuery = (db: Db, now: number) =>
  db
    .select()
    .from(timedDiscounts)
    .where(and(eq(timedDiscounts.status, 'active'), gt(timedDiscounts.endsAt, now)));

/** Activities not yet over (running or still to start): the storefront's badges change at each start and end. */
export const currentActivities = async (db: Db, now: number): Promise<ScheduledActivity[]> => (await currentActivitiesQuery(db, now)).map(activityOf);

/** Timed discounts not yet over (running or still to start): the storefront needs the next start too. */
export const currentTimedDiscountsRead = (db: Db, now: number): Read<TimedDiscount[]> => read([currentTimedDiscountsQuery(db, now)], ([rows]) => rows.map(timedDiscountOf));

export const currentTimedDiscounts = (db: Db, now: number) => runRead(db, currentTimedDiscountsRead(db, now));

/** The activities running at `now` (checkout's stage 2). */
export const activeActivitiesRead = (db: Db, now: number): Read<ScheduledActivity[]> => read([currentActivitiesQuery(db, now)], ([rows]) => rows.map(activityOf).filter((a) => a.startsAt <= now));
