// Member levels (会员等级): the ladder the merchant sets, growth value (an append-only ledger:
// orders whose after-sales window closed, check-ins), the level a shopper holds and its re-rating,
// and the benefits checkout applies. A level rises in SQL in the same batch as the growth that
// earns it, so two growth credits racing cannot leave the level behind.
import { and, asc, eq, gt, isNotNull, lte, sql } from 'drizzle-orm';
import { runBatch, type Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { combine, mapRead, read, runRead, type Read } from '../../db/reads';
import { memberGrowth, memberLevels, memberStates, orderPoints } from '../../db/loyalty';
import { levelFor, rerate, thresholdsOutOfOrder } from '../../domain/loyalty/levels';
import { toIso } from '../../lib/clock';
import { invalidInput } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { BUMP_CATALOG_VERSION_SQL } from '../catalog-version';
import { activePlan, runningPlanRankRead } from './plans';
import { loyaltySettingsRead } from './settings';
import { assertRewardTemplate } from '../coupons/rewards';

/** A level is held 12 months from reaching it; growth counts over the last 12 months. */
export const LEVEL_TERM_MS = 365 * 86_400_000;

export type LevelRow = typeof memberLevels.$inferSelect;

export const listLevels = (db: Db) => db.select().from(memberLevels).orderBy(asc(memberLevels.rank));

export const levelView = (l: LevelRow) => ({
  rank: l.rank,
  name: l.name,
  growth_threshold: l.growthThreshold,
  benefits: {
    discount_bps: l.discountBps,
    member_price: l.memberPrice === 1,
    free_shipping: l.freeShipping === 1,
    points_multiplier_bps: l.pointsMultiplierBps,
    birthday_coupon_template_id: l.birthdayCouponTemplateId,
  },
});

export type LevelInput = {
  name: string;
  growth_threshold: number;
  discount_bps: number;
  member_price: boolean;
  free_shipping: boolean;
  points_multiplier_bps: number;
  birthday_coupon_template_id?: string | null;
};

/** Replaces the whole ladder (rank = position + 1); thresholds must rise, or a 400 names each one out of order. */
export async function replaceLevels(db: Db, levels: LevelInput[], now: number) {
  const outOfOrder = thresholdsOutOfOrder(levels.map((l) => l.growth_threshold));
  if (outOfOrder.length) throw invalidInput(outOfOrder.map((i) => ({ path: `body.levels.${i}.growth_threshold`, message: 'must be above the threshold of the level before' })));
  for (const [i, l] of levels.entries()) await assertRewardTemplate(db, l.birthday_coupon_template_id, `body.levels.${i}.birthday_coupon_template_id`);
  await runBatch(db, [
    // The public ladder is cached with the catalog: a new version makes the next read fresh.
    sql.raw(BUMP_CATALOG_VERSION_SQL),
    db.delete(memberLevels),
    ...levels.map((l, i) =>
      db.insert(memberLevels).values({
        id: newId('lvl'),
        rank: i + 1,
        name: l.name,
        growthThreshold: l.growth_threshold,
        discountBps: l.discount_bps,
        memberPrice: l.member_price ? 1 : 0,
        freeShipping: l.free_shipping ? 1 : 0,
        pointsMultiplierBps: l.points_multiplier_bps,
        birthdayCouponTemplateId: l.birthday_coupon_template_id ?? null,
        createdAt: now,
      }),
    ),
  ]);
  return (await listLevels(db)).map(levelView);
}

const rollingGrowth = (userId: string, now: number) => sql`(SELECT COALESCE(SUM(delta), 0) FROM member_growth WHERE user_id = ${userId} AND created_at > ${now - LEVEL_TERM_MS})`;

/** Raises the shopper's level to what the last 12 months' growth reaches (never lowers it: that is re-rating's job). */
export function levelUpStatements(userId: string, now: number): Statement[] {
  const reached = sql`COALESCE((SELECT MAX(rank) FROM member_levels WHERE growth_threshold <= ${rollingGrowth(userId, now)}), 0)`;
  return [
    sql`INSERT OR IGNORE INTO member_states (user_id, level_rank, reached_at, updated_at) VALUES (${userId}, 0, ${now}, ${now})`,
    sql`UPDATE member_states SET level_rank = ${reached}, reached_at = ${now}, updated_at = ${now} WHERE user_id = ${userId} AND ${reached} > level_rank`,
  ];
}

/** Growth for a check-in (once per check-in), in the check-in's batch. */
export function checkInGrowthStatements(userId: string, checkInId: string, growth: number, now: number): Statement[] {
  if (growth <= 0) return [];
  return [
    sql`INSERT OR IGNORE INTO member_growth (id, user_id, source, delta, ref, created_at) VALUES (${newId('mgr')}, ${userId}, 'check_in', ${growth}, ${checkInId}, ${now})`,
    ...levelUpStatements(userId, now),
  ];
}

/**
 * The sweep's step for orders whose after-sales window closed: their growth, less the refunded
 * share, unless the order was cancelled or refunded in full; once per order (unique source + ref).
 */
export async function creditDueOrderGrowth(db: Db, now: number, limit = 30) {
  const due = await db
    .select({ orderId: orderPoints.orderId, userId: orderPoints.userId })
    .from(orderPoints)
    .where(and(isNotNull(orderPoints.growthDueAt), lte(orderPoints.growthDueAt, now)))
    .limit(limit);
  if (!due.length) return 0;
  await runBatch(
    db,
    due.flatMap(({ orderId, userId }) => [
      sql`INSERT OR IGNORE INTO member_growth (id, user_id, source, delta, ref, created_at)
          SELECT ${newId('mgr')}, op.user_id, 'order', op.growth * (o.payable_fen - o.refunded_fen) / o.payable_fen, op.order_id, ${now}
          FROM order_points op JOIN orders o ON o.id = op.order_id
          WHERE op.order_id = ${orderId} AND op.growth > 0 AND o.payable_fen > 0 AND o.status NOT IN ('cancelled', 'refunded')`,
      sql`UPDATE order_points SET growth_due_at = NULL WHERE order_id = ${orderId}`,
      ...levelUpStatements(userId, now),
    ]),
  );
  return due.length;
}

/** The sweep's step: levels held 12 months are re-rated on the last 12 months' growth (down one level at most). */
export async function rerateDueLevels(db: Db, now: number, limit = 100) {
  const due = await db
    .select()
    .from(memberStates)
    .where(and(gt(memberStates.levelRank, 0), lte(memberStates.reachedAt, now - LEVEL_TERM_MS)))
    .limit(limit);
  if (!due.length) return 0;
  const ladder = await listLevels(db);
  for (const state of due) {
    const growth = await growthOf(db, state.userId, now);
    const rank = rerate(state.levelRank, levelFor(ladder, growth));
    // Guarded on the row as read: a level-up that happened meanwhile is not overwritten.
    await db
      .update(memberStates)
      .set({ levelRank: rank, reachedAt: now, updatedAt: now })
      .where(and(eq(memberStates.userId, state.userId), eq(memberStates.reachedAt, state.reachedAt), eq(memberStates.levelRank, state.levelRank)));
  }
  return due.length;
}

async function growthOf(db: Db, userId: string, now: number) {
  const row = await db
    .select({ total: sql<number>`COALESCE(SUM(${memberGrowth.delta}), 0)` })
    .from(memberGrowth)
    .where(and(eq(memberGrowth.userId, userId), gt(memberGrowth.createdAt, now - LEVEL_TERM_MS)));
  return row[0]?.total ?? 0;
}

/** The level the shopper holds (its state row and the ladder it is on). */
const heldLevelRead = (db: Db, userId: string) =>
  read([db.select().from(memberStates).where(eq(memberStates.userId, userId)), listLevels(db)], ([[state], ladder]) => ({
    state,
    ladder,
    level: ladder.find((l) => l.rank === (state?.levelRank ?? 0)) ?? null,
  }));

const heldLevel = (db: Db, userId: string) => runRead(db, heldLevelRead(db, userId));

export async function membershipView(db: Db, userId: string, now: number) {
  const [{ state, ladder, level }, growth, paid] = await Promise.all([heldLevel(db, userId), growthOf(db, userId, now), activePlan(db, userId, now)]);
  const next = ladder.find((l) => l.rank === (level?.rank ?? 0) + 1) ?? null;
  return {
    level: level ? levelView(level) : null,
    growth_last_12_months: growth,
    level_reached_at: toIso(state?.levelRank ? state.reachedAt : null),
    rerated_at: toIso(state?.levelRank ? state.reachedAt + LEVEL_TERM_MS : null),
    paid_plan: paid?.view ?? null,
    next_level: next ? { rank: next.rank, name: next.name, growth_threshold: next.growthThreshold, growth_to_go: Math.max(0, next.growthThreshold - growth) } : null,
  };
}

export type MemberBenefits = { memberPrice: boolean; discountBps: number; levelName: string; freeShipping: boolean; pointsMultiplierBps: number };

/** What the shopper's level (or a running paid plan's, if higher) gives at checkout; member price or level discount as the shop chose. */
export const memberBenefitsRead = (db: Db, userId: string, now: number): Read<MemberBenefits> =>
  mapRead(
    combine({
      held: heldLevelRead(db, userId),
      settings: loyaltySettingsRead(db),
      paidRank: runningPlanRankRead(db, userId, now),
    }),
    ({ held: { ladder, level: held }, settings, paidRank }) => {
      const level = paidRank !== null && paidRank > (held?.rank ?? 0) ? (ladder.find((l) => l.rank === paidRank) ?? held) : held;
      if (!level) return { memberPrice: false, discountBps: 0, levelName: '', freeShipping: false, pointsMultiplierBps: 10_000 };
      const byDiscount = settings.memberBenefitMode === 'level_discount';
      return {
        memberPrice: !byDiscount && level.memberPrice === 1,
        discountBps: byDiscount ? level.discountBps : 0,
        levelName: level.name,
        freeShipping: level.freeShipping === 1,
        pointsMultiplierBps: level.pointsMultiplierBps,
      };
    },
  );
