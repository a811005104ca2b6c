// The check-in calendar's grid: the API's days of a month laid out Monday first, with blanks
// before the 1st, and the month before and after for the arrows. Dates are calendar dates
// (YYYY-MM-DD in the shop's time zone, as the API gives them): only date arithmetic here.
import type { CheckInCalendar, CheckInDay } from '../../lib/api-types';

export type Cell = { key: string; day: number; date: string; checkedIn: boolean; madeUp: boolean; canMakeUp: boolean; today: boolean; blank: boolean };

/** Monday = 0 … Sunday = 6 of a calendar date. */
const weekdayOf = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;

export function cellsOf(calendar: Pick<CheckInCalendar, 'days' | 'today'>): Cell[] {
  const first = calendar.days[0];
  const blanks: Cell[] = first
    ? Array.from({ length: weekdayOf(first.date) }, (_, i) => ({ key: `blank-${i}`, day: 0, date: '', checkedIn: false, madeUp: false, canMakeUp: false, today: false, blank: true }))
    : [];
  return [
    ...blanks,
    ...calendar.days.map((d: CheckInDay) => ({
      key: d.date,
      day: Number(d.date.slice(8)),
      date: d.date,
      checkedIn: d.checked_in,
      madeUp: d.made_up,
      canMakeUp: d.can_make_up,
      today: d.date === calendar.today,
      blank: false,
    })),
  ];
}

/** "2026-12" → "2026-11" (delta -1) or "2027-01" (delta +1). */
export function shiftMonth(month: string, delta: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** What the next tier gives, as a sentence: "再签 2 天，连续签到 7 天奖励 50 积分". */
export function nextRewardText(next: CheckInCalendar['next_reward']): string {
  if (!next) return '';
  const what = [next.points > 0 ? `${next.points} 积分` : '', next.coupon_template_id ? '优惠券' : ''].filter(Boolean).join(' + ');
  return `再签 ${next.days_to_go} 天，${next.kind === 'streak' ? '连续' : '累计'}签到 ${next.days} 天奖励 ${what}`;
}
