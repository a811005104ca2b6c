// Pure rules of a shopper's birthday (生日): what is a valid one, on which shop-local date it is
// celebrated (29 February on 28 February in other years), and when it may be changed again (a
// birthday set to "today" every week would be a coupon machine: once set, a change waits 12 months).
import { dayNumber } from './check-in';

/** Once set, the next change waits this long. */
export const BIRTHDAY_CHANGE_INTERVAL_MS = 365 * 86_400_000;
const OLDEST_YEARS = 120;

/** Why a YYYY-MM-DD is not a birthday a shopper can have on `today` (their shop-local date), or null. */
export function birthdayProblem(birthday: string, today: string): string | null {
  if (dayNumber(birthday) === null) return 'must be a real date (YYYY-MM-DD)';
  if (birthday > today) return 'must not be in the future';
  if (Number(birthday.slice(0, 4)) < Number(today.slice(0, 4)) - OLDEST_YEARS) return `must be within the last ${OLDEST_YEARS} years`;
  return null;
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** The MM-DD birthdays celebrated on a shop-local date: its own, and 02-29 on 28 February of a common year. */
export function monthDaysCelebratedOn(localDate: string): string[] {
  const monthDay = localDate.slice(5);
  return monthDay === '02-28' && !isLeapYear(Number(localDate.slice(0, 4))) ? ['02-28', '02-29'] : [monthDay];
}

export const isBirthdayOn = (birthday: string, localDate: string) => monthDaysCelebratedOn(localDate).includes(birthday.slice(5));
