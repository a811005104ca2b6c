// Countdowns run on the server's clock: the phone's clock may be minutes off, so each view that
// has a countdown carries server_time and we keep the offset between the two clocks.
import { clock } from './clock';

/** Milliseconds to add to the phone's clock to get the server's. */
export function serverOffsetMs(serverTimeIso: string, receivedAtMs: number = clock.now()): number {
  return Date.parse(serverTimeIso) - receivedAtMs;
}

export type Remaining = { totalMs: number; days: number; hours: number; minutes: number; seconds: number; text: string; ended: boolean };

const two = (n: number) => String(n).padStart(2, '0');

export function remainingUntil(targetIso: string, offsetMs: number, nowMs: number = clock.now()): Remaining {
  const totalMs = Math.max(0, Date.parse(targetIso) - (nowMs + offsetMs));
  const totalSeconds = Math.ceil(totalMs / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const clockText = `${two(hours)}:${two(minutes)}:${two(seconds)}`;
  return { totalMs, days, hours, minutes, seconds, text: days > 0 ? `${days}天 ${clockText}` : clockText, ended: totalMs === 0 };
}
