// Pure rules of daily check-in: the shop-local date, the reward cycle a date belongs to, streaks
// derived from the dates checked in (never a counter), and which tier rewards a cycle has reached.
import { zoneOffsetMs } from '../../lib/zoned-time';
import type { CheckInCycle, CheckInRewardKind } from './vocabulary';

const DAY_MS = 86_400_000;

/** YYYY-MM-DD of `epoch` in the shop's time zone. */
export function localDateOf(epoch: number, timeZone: string): string {
  return new Date(epoch + zoneOffsetMs(epoch, timeZone)).toISOString().slice(0, 10);
}

/** A YYYY-MM-DD date as a day number (days since 1970-01-01), or null if it is not a real date. */
export function dayNumber(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / DAY_MS : null;
}

export const dateOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export type Cycle = { key: string; firstDay: number; lastDay: number };

/** The reward cycle of a date: its ISO week (Monday first) or its calendar month. */
export function cycleOf(date: string, cycle: CheckInCycle): Cycle {
  const day = dayNumber(date)!;
  if (cycle === 'weekly') {
    const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7; // Monday = 0
    const firstDay = day - weekday;
    return { key: `W${dateOfDay(firstDay)}`, firstDay, lastDay: firstDay + 6 };
  }
  const d = new Date(day * DAY_MS);
  const firstDay = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
  const lastDay = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0) / DAY_MS;
  return { key: `M${date.slice(0, 7)}`, firstDay, lastDay };
}

export type CycleStats = { count: number; longestStreak: number };

/** What the dates of one cycle add up to: how many, and the longest run of consecutive days. */
export function cycleStats(days: readonly number[]): CycleStats {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  let longestStreak = 0;
  let run = 0;
  sorted.forEach((day, i) => {
    run = i > 0 && sorted[i - 1] === day - 1 ? run + 1 : 1;
    longestStreak = Math.max(longestStreak, run);
  });
  return { count: sorted.length, longestStreak };
}

/** The run of consecutive days ending on `day` (0 if that day was not checked in). */
export function streakEndingOn(days: ReadonlySet<number>, day: number, firstDay: number): number {
  let streak = 0;
  while (day - streak >= firstDay && days.has(day - streak)) streak++;
  return streak;
}

export type TierReward = { id: string; kind: CheckInRewardKind; days: number; points: number; couponTemplateId: string | null };

/** The tiers a cycle's stats have reached: streak tiers by the longest run, cumulative ones by the count. */
export function tiersReached<T extends TierReward>(tiers: readonly T[], stats: CycleStats): T[] {
  return tiers.filter((t) => (t.kind === 'streak' ? stats.longestStreak : stats.count) >= t.days);
}
