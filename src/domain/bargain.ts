// Bargain (砍价) rules with no I/O: the cut plan, the bigger cut for a helper new to the shop,
// the shop-day of a help, the ticket shard of a helper, and masked names.
//
// The cut plan. When a session is launched, (start − floor) is split into exactly
// `helpersNeeded` cuts, each at least 1 fen, that add up to the difference fen for fen, so the
// last needed helper lands the price on the floor. Each cut is 1 fen plus a share of the rest;
// the shares are weighted so that early helpers cut more (weight helpersNeeded − i), each weight
// jittered by ±25 % from a seeded PRNG, distributed by largest remainder (exact in integers),
// then sorted so no later cut is larger than an earlier one. Everything is integer arithmetic
// driven by the stored seed, so the same seed gives the same plan on any runtime.
import { dateFormat } from '../lib/date-formats';
import { shardFor } from './flash-sale';

/** Jitter of each weight, in thousandths: a weight is scaled by 750…1250 / 1000. */
const JITTER_MIN = 750;
const JITTER_SPAN = 501;

/** Most helpers a campaign may require (the plan and the session's ledger stay small). */
export const MAX_HELPERS_NEEDED = 100;

/** A seeded 32-bit PRNG (sfc32) fed by a string hash (cyrb128): reproducible, not Math.random. */
export function seededRandom(seed: string): () => number {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  let a = (h1 ^ h2 ^ h3 ^ h4) >>> 0,
    b = (h2 ^ h1) >>> 0,
    c = (h3 ^ h1) >>> 0,
    d = (h4 ^ h1) >>> 0;
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

export function assertPlannable(totalFen: number, helpersNeeded: number) {
  if (!Number.isSafeInteger(helpersNeeded) || helpersNeeded < 1 || helpersNeeded > MAX_HELPERS_NEEDED) throw new RangeError(`helpersNeeded must be 1…${MAX_HELPERS_NEEDED}`);
  if (!Number.isSafeInteger(totalFen) || totalFen < helpersNeeded) throw new RangeError('the price difference must be at least 1 fen per helper');
}

/** Splits totalFen into helpersNeeded cuts (each ≥ 1 fen, non-increasing, summing exactly). */
export function planCuts(seed: string, totalFen: number, helpersNeeded: number): number[] {
  assertPlannable(totalFen, helpersNeeded);
  const random = seededRandom(seed);
  const weights = Array.from({ length: helpersNeeded }, (_, i) => (helpersNeeded - i) * (JITTER_MIN + (random() % JITTER_SPAN)));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const extra = totalFen - helpersNeeded; // what is left after 1 fen per cut
  // extra ≤ 1e9 and weightSum ≤ 100·100·1250: products stay far below 2^53, so this is exact.
  const shares = weights.map((w) => Math.floor((extra * w) / weightSum));
  let left = extra - shares.reduce((a, b) => a + b, 0);
  const byRemainder = weights.map((w, i) => ({ i, r: (extra * w) % weightSum })).sort((x, y) => y.r - x.r || x.i - y.i);
  for (const { i } of byRemainder) {
    if (left === 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares.map((s) => s + 1).sort((x, y) => y - x);
}

/**
 * A helper new to the shop cuts `bonusPct` % more than planned at `index`. The extra comes out of
 * the cuts still to come, last ones first, never taking one below 1 fen; the plan keeps its length
 * and its sum, so the last helper still lands on the floor. Returns a new plan.
 */
export function boostCut(plan: readonly number[], index: number, bonusPct: number): number[] {
  if (!Number.isInteger(index) || index < 0 || index >= plan.length) throw new RangeError('boostCut: index out of range');
  if (!Number.isInteger(bonusPct) || bonusPct < 0) throw new RangeError('boostCut: bonusPct must be a non-negative integer');
  const next = [...plan];
  let wanted = Math.floor((plan[index]! * bonusPct) / 100);
  for (let j = next.length - 1; j > index && wanted > 0; j--) {
    const take = Math.min(wanted, next[j]! - 1);
    next[j]! -= take;
    next[index]! += take;
    wanted -= take;
  }
  return next;
}

const dayFormat = (timeZone: string) => dateFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day (YYYY-MM-DD) of an instant in the shop's time zone: daily limits count by it. */
export function shopDay(epochMs: number, timeZone: string): string {
  const parts = Object.fromEntries(
    dayFormat(timeZone)
      .formatToParts(new Date(epochMs))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/**
 * How many BargainHelpTickets objects share one campaign's helps_per_day. Fixed for good: a
 * helper whose shard changed would start over on an empty one, with only D1's recorded helps of
 * the day counted.
 */
export const HELP_TICKET_SHARDS = 32;

/** The BargainHelpTickets object that counts one helper's tickets of a campaign (all of them in one shard). */
export const helpTicketsObjectName = (campaignId: string, helperId: string) => `${campaignId}:${shardFor(helperId, HELP_TICKET_SHARDS)}`;

/** "张三丰" → "张**": the first character, then one star per hidden character (at least two). */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '**';
  return chars[0] + '*'.repeat(Math.max(2, chars.length - 1));
}

/**
 * "New to the shop": has never paid an order, and signed up at most NEW_SHOPPER_DAYS ago. Both,
 * so that neither an old account that never bought nor a new account that already bought
 * qualifies for the bigger cut.
 */
export const NEW_SHOPPER_DAYS = 7;

export const isNewToShop = (shopper: { createdAt: number; hasPaidOrder: boolean }, nowMs: number) => !shopper.hasPaidOrder && nowMs - shopper.createdAt <= NEW_SHOPPER_DAYS * 86_400_000;

/**
 * A cut a session's object has made, to be recorded in D1 (the help's row; with floorReached,
 * the owner's "floor reached" message). `at` is the help's time: its shop-day is the ticket's day.
 */
export type HelpJob = { sessionId: string; helperId: string; at: number; floorReached: boolean };
