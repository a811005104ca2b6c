// Paid membership terms: a plan bought while one is running starts when that one ends; what a
// refund would give back under the shop's rule.
import { pointsExpireAt } from './points';
import type { PlanPeriod, PlanRefundRule } from './vocabulary';

const monthsOf: Record<PlanPeriod, number> = { month: 1, quarter: 3, year: 12 };

/** The term of a plan paid at `now`: from the end of the running one (if any), for its calendar months in the shop's time zone. */
export function planTerm(period: PlanPeriod, now: number, runningEndsAt: number | null, timeZone: string) {
  const startsAt = Math.max(now, runningEndsAt ?? now);
  return { startsAt, endsAt: pointsExpireAt(startsAt, { mode: 'rolling_months', months: monthsOf[period] }, timeZone) };
}

/** What a refund gives back now: nothing, or the unused share of the price (floored to the fen). */
export function planRefundableFen(term: { amountFen: number; startsAt: number; endsAt: number }, now: number, rule: PlanRefundRule): number {
  if (rule === 'none' || now >= term.endsAt) return 0;
  const unused = term.endsAt - Math.max(now, term.startsAt);
  return Math.floor((term.amountFen * unused) / (term.endsAt - term.startsAt));
}
