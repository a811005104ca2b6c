// Recurring daily time slots (每日场次) of a flash sale: "10:00–12:00 and 20:00–22:00 every day
// between the campaign's start and end", in the shop's time zone. A campaign without slots sells
// for its whole window. The stock is the campaign's, shared by all slots; so is the per-shopper
// limit (as CRMEB counts it); a slot only says when buying is open.
import { wallToEpoch, zonedDayStart } from '../lib/zoned-time';

/** Local wall-clock times "HH:MM"; `end` may be "24:00" (midnight at the end of the day). */
export type DailySlot = { start: string; end: string };

export const MAX_DAILY_SLOTS = 8;
export const SLOT_TIME_PATTERN = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How many local days ahead the next opening is looked for (campaigns longer than this still work day by day). */
const DAYS_AHEAD = 370;

export const minuteOfDay = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** What is wrong with a list of slots (each already "HH:MM"), as [index, message]; empty when none. */
export function dailySlotProblems(slots: DailySlot[]): [number, string][] {
  const problems: [number, string][] = [];
  slots.forEach((slot, i) => {
    if (slot.start === '24:00') problems.push([i, 'start must be before 24:00']);
    else if (minuteOfDay(slot.end) <= minuteOfDay(slot.start)) problems.push([i, 'end must be after start (a slot cannot cross midnight)']);
  });
  if (problems.length) return problems;
  const order = slots.map((slot, i) => ({ slot, i })).sort((a, b) => minuteOfDay(a.slot.start) - minuteOfDay(b.slot.start));
  for (let k = 1; k < order.length; k++) {
    const [before, after] = [order[k - 1]!, order[k]!];
    if (minuteOfDay(after.slot.start) < minuteOfDay(before.slot.end)) problems.push([after.i, `overlaps the slot ${before.slot.start}–${before.slot.end}`]);
  }
  return problems;
}

export type SalesWindow = { startsAt: number; endsAt: number; dailySlots: DailySlot[] | null };

/** Where a campaign stands at `now`: selling until `closesAt`, closed until `opensAt`, or over. */
export type SalesMoment = { state: 'open'; closesAt: number } | { state: 'closed'; opensAt: number } | { state: 'ended' };

export function salesMomentAt(w: SalesWindow, now: number, timeZone: string): SalesMoment {
  if (now >= w.endsAt) return { state: 'ended' };
  if (!w.dailySlots || w.dailySlots.length === 0) return now < w.startsAt ? { state: 'closed', opensAt: w.startsAt } : { state: 'open', closesAt: w.endsAt };
  const slots = [...w.dailySlots].sort((a, b) => minuteOfDay(a.start) - minuteOfDay(b.start));
  const firstDay = zonedDayStart(Math.max(now, w.startsAt), timeZone).wallDate;
  for (let day = 0; day < DAYS_AHEAD; day++) {
    const wallDate = firstDay + day * DAY_MS;
    if (wallToEpoch(wallDate, timeZone) >= w.endsAt) break;
    for (const slot of slots) {
      // The slot on that day, cut to the campaign's window.
      const opens = Math.max(wallToEpoch(wallDate + minuteOfDay(slot.start) * MINUTE_MS, timeZone), w.startsAt);
      const closes = Math.min(wallToEpoch(wallDate + minuteOfDay(slot.end) * MINUTE_MS, timeZone), w.endsAt);
      if (closes <= opens || closes <= now) continue;
      return opens <= now ? { state: 'open', closesAt: closes } : { state: 'closed', opensAt: opens };
    }
  }
  return { state: 'ended' };
}
