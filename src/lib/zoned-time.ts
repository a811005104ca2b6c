// Wall-clock time in the shop's time zone (Asia/Shanghai by default), with nothing but Intl:
// the offset of a zone at an instant, a typed local time as an instant, the local minute of day.
import { dateFormat } from './date-formats';

/** The zone's offset from UTC at `epoch`, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(epoch: number, timeZone: string): number {
  const parts = Object.fromEntries(
    dateFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(epoch))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const asWall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asWall - Math.floor(epoch / 1000) * 1000;
}

/** A wall-clock instant (epoch ms read as if UTC) in the zone, as a real instant. */
export function wallToEpoch(wall: number, timeZone: string): number {
  // The zone's offset at that moment; asked twice so a time near an offset change lands right.
  const first = wall - zoneOffsetMs(wall, timeZone);
  return wall - zoneOffsetMs(first, timeZone);
}

/**
 * A wall-clock time typed into <input type="datetime-local"> ("2026-06-18T20:00"), in the
 * zone, as epoch ms; null if it is not a real time.
 */
export function zonedLocalTimeToEpoch(local: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return wallToEpoch(wall, timeZone);
}

const DAY_MS = 86_400_000;

/** The instant the local day containing `epoch` began (local midnight), and that day's wall date as epoch (UTC midnight). */
export function zonedDayStart(epoch: number, timeZone: string): { startsAt: number; wallDate: number } {
  const wall = epoch + zoneOffsetMs(epoch, timeZone);
  const wallDate = Math.floor(wall / DAY_MS) * DAY_MS;
  return { startsAt: wallToEpoch(wallDate, timeZone), wallDate };
}
