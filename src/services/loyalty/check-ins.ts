// Daily check-in (签到) and make-up check-in (补签). The unique (shopper, local date) index is the
// guard: a double tap loses the race in D1 and its whole batch, rewards included, rolls back.
// Tier rewards are keyed by (shopper, cycle, tier) and written with INSERT OR IGNORE, and their
// points (and coupon, keyed by the grant row) are given only where that row is ours, so
// recomputing after a make-up is idempotent.
import { and, asc, between, eq, inArray, sql } from 'drizzle-orm';
import { runBatch, type Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { checkInGrants, checkInMakeUps, checkInRewards, checkIns } from '../../db/loyalty';
import { cycleOf, cycleStats, dateOfDay, dayNumber, localDateOf, streakEndingOn, tiersReached, type TierReward } from '../../domain/loyalty/check-in';
import { pointsExpireAt } from '../../domain/loyalty/points';
import { businessRule, conflict, invalidInput, notFound } from '../../lib/errors';
import { assertRewardTemplate, bonusCouponStatements, loadRewardTemplates, rewardCouponIds } from '../coupons/rewards';
import { newId } from '../../lib/ids';
import { checkInGrowthStatements } from './membership';
import { creditStatements, debitStatements } from './points-ledger';
import { expiryPolicyOf, getLoyaltySettings, type LoyaltySettings } from './settings';

type Ctx = { db: Db; userId: string; now: number; timeZone: string };

const checkInDaysBetween = async (db: Db, userId: string, firstDay: number, lastDay: number) =>
  db
    .select({ localDate: checkIns.localDate, makeUp: checkIns.makeUp })
    .from(checkIns)
    .where(and(eq(checkIns.userId, userId), between(checkIns.localDate, dateOfDay(firstDay), dateOfDay(lastDay))))
    .orderBy(asc(checkIns.localDate));

const listTiers = (db: Db): Promise<TierReward[]> =>
  db.select({ id: checkInRewards.id, kind: checkInRewards.kind, days: checkInRewards.days, points: checkInRewards.points, couponTemplateId: checkInRewards.couponTemplateId }).from(checkInRewards);

const alreadyCheckedIn = () => conflict('already_checked_in', 'Already checked in on that day.');

/** The check-in row, its base reward and every tier the cycle reaches with it (granted at most once each). */
async function checkInStatements(ctx: Ctx, settings: LoyaltySettings, date: string, makeUp: boolean): Promise<{ id: string; statements: Statement[]; grantIds: string[] }> {
  const cycle = cycleOf(date, settings.checkInCycle);
  const [rows, tiers] = await Promise.all([checkInDaysBetween(ctx.db, ctx.userId, cycle.firstDay, cycle.lastDay), listTiers(ctx.db)]);
  // A tap on a day already checked in is refused here without a write; the unique index still
  // decides the taps that race past this read.
  if (rows.some((r) => r.localDate === date)) throw alreadyCheckedIn();
  const days = [...rows.map((r) => dayNumber(r.localDate)!), dayNumber(date)!];
  const reached = tiersReached(tiers, cycleStats(days));
  const templates = await loadRewardTemplates(
    ctx.db,
    reached.map((t) => t.couponTemplateId),
  );
  const id = newId('chk');
  const expiresAt = pointsExpireAt(ctx.now, expiryPolicyOf(settings), ctx.timeZone);
  const reward = { userId: ctx.userId, source: 'check_in' as const, expiresAt, now: ctx.now };
  const statements: Statement[] = [
    ctx.db.insert(checkIns).values({ id, userId: ctx.userId, localDate: date, makeUp: makeUp ? 1 : 0, createdAt: ctx.now }),
    ...creditStatements({ ...reward, amount: settings.checkInBasePoints, ref: id, reason: makeUp ? `补签 ${date}` : `签到 ${date}` }),
    ...checkInGrowthStatements(ctx.userId, id, settings.checkInGrowth, ctx.now),
  ];
  const grantIds: string[] = [];
  for (const tier of reached) {
    const grantId = newId('cgr');
    grantIds.push(grantId);
    const ours = sql`EXISTS (SELECT 1 FROM check_in_grants WHERE id = ${grantId})`;
    const template = tier.couponTemplateId ? templates.get(tier.couponTemplateId) : undefined;
    statements.push(
      sql`INSERT OR IGNORE INTO check_in_grants (id, user_id, cycle_key, reward_id, points, coupon_template_id, created_at)
          VALUES (${grantId}, ${ctx.userId}, ${cycle.key}, ${tier.id}, ${tier.points}, ${tier.couponTemplateId}, ${ctx.now})`,
      ...creditStatements({
        ...reward,
        amount: tier.points,
        ref: grantId,
        reason: tier.kind === 'streak' ? `连续签到 ${tier.days} 天` : `累计签到 ${tier.days} 天`,
        onlyIf: ours,
      }),
      ...(template ? bonusCouponStatements({ template, userId: ctx.userId, source: 'check_in', sourceRef: grantId }, ours, ctx.now, ctx.timeZone) : []),
    );
  }
  return { id, statements, grantIds };
}

async function runCheckIn(ctx: Ctx, statements: Statement[]) {
  try {
    await runBatch(ctx.db, statements);
  } catch (error) {
    if (/check_ins\.user_id, check_ins\.local_date/.test(String((error as Error)?.message))) throw alreadyCheckedIn();
    throw error;
  }
}

export async function checkInToday(ctx: Ctx) {
  const settings = await getLoyaltySettings(ctx.db);
  const today = localDateOf(ctx.now, ctx.timeZone);
  const { id, statements, grantIds } = await checkInStatements(ctx, settings, today, false);
  await runCheckIn(ctx, statements);
  return { id, date: today, ...(await grantsOf(ctx.db, ctx.userId, id, grantIds)) };
}

/**
 * 补签: a missed day of the current cycle (never today or later), at most K a month (the month the
 * make-up is made in, counted by a guarded row), paying the make-up cost in points if the shop set one.
 */
export async function makeUpCheckIn(ctx: Ctx, date: string) {
  const settings = await getLoyaltySettings(ctx.db);
  const today = localDateOf(ctx.now, ctx.timeZone);
  const day = dayNumber(date);
  if (day === null) throw invalidInput([{ path: 'body.date', message: 'must be a real date (YYYY-MM-DD)' }]);
  if (date >= today) throw invalidInput([{ path: 'body.date', message: 'must be a day before today' }]);
  if (day < cycleOf(today, settings.checkInCycle).firstDay) {
    throw businessRule('make_up_outside_cycle', 'Only days of the current check-in cycle can be made up.', [{ path: 'body.date', message: 'is before the current cycle' }]);
  }
  const month = today.slice(0, 7);
  const { id, statements, grantIds } = await checkInStatements(ctx, settings, date, true);
  const limit: Statement[] = [
    sql`INSERT OR IGNORE INTO check_in_make_ups (user_id, month, used) VALUES (${ctx.userId}, ${month}, 0)`,
    sql`INSERT INTO loyalty_guards (refusal) SELECT 'make_up_limit_reached' FROM check_in_make_ups WHERE user_id = ${ctx.userId} AND month = ${month} AND used >= ${settings.checkInMakeUpsPerMonth}`,
    sql`UPDATE check_in_make_ups SET used = used + 1 WHERE user_id = ${ctx.userId} AND month = ${month}`,
  ];
  const cost =
    settings.checkInMakeUpCostPoints > 0
      ? debitStatements({ userId: ctx.userId, amount: settings.checkInMakeUpCostPoints, source: 'check_in', ref: id, reason: `补签 ${date} 消耗`, mode: 'spend', now: ctx.now })
      : [];
  await runCheckIn(ctx, [...limit, ...cost, ...statements]);
  return { id, date, ...(await grantsOf(ctx.db, ctx.userId, id, grantIds)) };
}

/**
 * What a check-in gave: its base points and the tier rewards this batch won (a recomputation wins
 * none twice), each with the coupon it gave (null when the template could not give one).
 */
async function grantsOf(db: Db, userId: string, checkInId: string, grantIds: string[]) {
  const base = await db.$client.prepare("SELECT COALESCE(SUM(delta - debt_delta), 0) AS points FROM point_entries WHERE ref = ? AND kind = 'credit'").bind(checkInId).first<{ points: number }>();
  const tiers = grantIds.length ? await db.select().from(checkInGrants).where(inArray(checkInGrants.id, grantIds)) : [];
  const coupons = await rewardCouponIds(
    db,
    userId,
    'check_in',
    tiers.filter((t) => t.couponTemplateId).map((t) => t.id),
  );
  return {
    points: base?.points ?? 0,
    tier_rewards: tiers.map((t) => ({ reward_id: t.rewardId, points: t.points, coupon_template_id: t.couponTemplateId, coupon_id: coupons.get(t.id) ?? null })),
  };
}

/** The month's calendar: days checked in, which may still be made up, the streak and the next reward. */
export async function checkInCalendar(ctx: Ctx, month: string) {
  const settings = await getLoyaltySettings(ctx.db);
  const today = localDateOf(ctx.now, ctx.timeZone);
  const todayNumber = dayNumber(today)!;
  const first = dayNumber(`${month}-01`)!;
  const last = cycleOf(`${month}-01`, 'monthly').lastDay;
  const cycle = cycleOf(today, settings.checkInCycle);
  const [monthRows, cycleRows, tiers, madeUp] = await Promise.all([
    checkInDaysBetween(ctx.db, ctx.userId, first, last),
    checkInDaysBetween(ctx.db, ctx.userId, cycle.firstDay, cycle.lastDay),
    listTiers(ctx.db),
    ctx.db.query.checkInMakeUps.findFirst({ where: and(eq(checkInMakeUps.userId, ctx.userId), eq(checkInMakeUps.month, today.slice(0, 7))) }),
  ]);
  const byDate = new Map(monthRows.map((r) => [r.localDate, r]));
  const makeUpsLeft = Math.max(0, settings.checkInMakeUpsPerMonth - (madeUp?.used ?? 0));
  const cycleDays = new Set(cycleRows.map((r) => dayNumber(r.localDate)!));
  const stats = cycleStats([...cycleDays]);
  const streak = streakEndingOn(cycleDays, cycleDays.has(todayNumber) ? todayNumber : todayNumber - 1, cycle.firstDay);
  const granted = new Set(
    (
      await ctx.db
        .select({ rewardId: checkInGrants.rewardId })
        .from(checkInGrants)
        .where(and(eq(checkInGrants.userId, ctx.userId), eq(checkInGrants.cycleKey, cycle.key)))
    ).map((g) => g.rewardId),
  );
  const next = tiers
    .filter((t) => !granted.has(t.id))
    .map((t) => ({ tier: t, daysToGo: t.days - (t.kind === 'streak' ? streak : stats.count) }))
    .filter((n) => n.daysToGo > 0)
    .sort((a, b) => a.daysToGo - b.daysToGo)[0];
  return {
    month,
    today,
    cycle: { kind: settings.checkInCycle, starts_on: dateOfDay(cycle.firstDay), ends_on: dateOfDay(cycle.lastDay) },
    checked_in_today: cycleDays.has(todayNumber),
    streak_days: streak,
    days_in_cycle: stats.count,
    make_ups_left_this_month: makeUpsLeft,
    make_up_cost_points: settings.checkInMakeUpCostPoints,
    base_points: settings.checkInBasePoints,
    days: Array.from({ length: last - first + 1 }, (_, i) => {
      const date = dateOfDay(first + i);
      const row = byDate.get(date);
      const day = first + i;
      return {
        date,
        checked_in: !!row,
        made_up: row?.makeUp === 1,
        can_make_up: !row && day < todayNumber && day >= cycle.firstDay && makeUpsLeft > 0,
      };
    }),
    next_reward: next ? { kind: next.tier.kind, days: next.tier.days, days_to_go: next.daysToGo, points: next.tier.points, coupon_template_id: next.tier.couponTemplateId } : null,
  };
}

export const checkInRewardView = (r: TierReward) => ({ id: r.id, kind: r.kind, days: r.days, points: r.points, coupon_template_id: r.couponTemplateId });

export const listCheckInRewards = async (db: Db) => (await listTiers(db)).sort((a, b) => a.kind.localeCompare(b.kind) || a.days - b.days).map(checkInRewardView);

/** A streak or cumulative tier; one per kind and number of days (409 for a second). */
export async function createCheckInReward(db: Db, input: { kind: TierReward['kind']; days: number; points: number; coupon_template_id?: string | null }, now: number) {
  if (input.points === 0 && !input.coupon_template_id) throw invalidInput([{ path: 'body.points', message: 'a tier gives points or a coupon' }]);
  await assertRewardTemplate(db, input.coupon_template_id, 'body.coupon_template_id');
  const id = newId('cir');
  try {
    await db.insert(checkInRewards).values({ id, kind: input.kind, days: input.days, points: input.points, couponTemplateId: input.coupon_template_id ?? null, createdAt: now });
  } catch (error) {
    if (/check_in_rewards\.kind, check_in_rewards\.days/.test(String((error as Error)?.message) + String((error as { cause?: unknown }).cause))) {
      throw conflict('check_in_reward_exists', `A ${input.kind} tier for ${input.days} days already exists.`);
    }
    throw error;
  }
  return checkInRewardView((await listTiers(db)).find((t) => t.id === id)!);
}

export async function deleteCheckInReward(db: Db, id: string) {
  const deleted = await db.delete(checkInRewards).where(eq(checkInRewards.id, id)).returning({ id: checkInRewards.id });
  if (!deleted.length) throw notFound('Check-in reward');
}
