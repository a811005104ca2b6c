// Pure rules of the points ledger: when a grant expires, how points map to money.
import { wallToEpoch, zoneOffsetMs } from '../../lib/zoned-time';
import type { PointExpiryMode } from './vocabulary';

export type ExpiryPolicy = { mode: PointExpiryMode; months: number };

/**
 * When points granted at `now` expire, in the shop's time zone: the same local time N months on
 * (the 31st becomes the month's last day), or the first instant of the year after next (that is,
 * the end of 31 December of next year).
 */
export function pointsExpireAt(now: number, policy: ExpiryPolicy, timeZone: string): number {
  const wall = new Date(now + zoneOffsetMs(now, timeZone));
  const year = wall.getUTCFullYear();
  if (policy.mode === 'end_of_next_year') return wallToEpoch(Date.UTC(year + 2, 0, 1), timeZone);
  const month = wall.getUTCMonth() + policy.months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const target = Date.UTC(year, month, Math.min(wall.getUTCDate(), lastDay), wall.getUTCHours(), wall.getUTCMinutes(), wall.getUTCSeconds(), wall.getUTCMilliseconds());
  return wallToEpoch(target, timeZone);
}

/** Fen that `points` pay at R points per yuan, or null when they do not map to whole fen. */
export function pointsToFen(points: number, pointsPerYuan: number): number | null {
  const scaled = points * 100;
  return scaled % pointsPerYuan === 0 ? scaled / pointsPerYuan : null;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The most points that pay at most `fen`, in whole fen (a multiple of R / gcd(R, 100) points). */
export function pointsForAtMostFen(fen: number, pointsPerYuan: number): number {
  const step = pointsPerYuan / gcd(pointsPerYuan, 100);
  return Math.floor(Math.floor((fen * pointsPerYuan) / 100) / step) * step;
}
