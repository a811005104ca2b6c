// A shopper's points as they read them (balance, frozen, expiring, debt, the journal), the
// merchant's manual grants and deductions, and the sweep that expires and thaws lots.
import { and, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { runBatch } from '../../db/batch';
import type { Db } from '../../db/client';
import { read, runRead, type Read } from '../../db/reads';
import { pointAccounts, pointEntries, pointLots } from '../../db/loyalty';
import { users } from '../../db/shoppers';
import { pointsExpireAt } from '../../domain/loyalty/points';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { creditStatements, debitStatements, expireLotsStatements, thawLotStatements } from './points-ledger';
import { expiryPolicyOf, getLoyaltySettings } from './settings';

const DAY_MS = 86_400_000;
export const EXPIRING_WINDOW_DAYS = 30;
const THAW_PER_BATCH = 30;

export type PointsSummary = { balance: number; frozen: number; expiringSoon: number; debt: number };

/** The balance is the sum of the lots usable at `now`: derived, so it cannot drift from the lots. */
export function pointsSummaryRead(db: Db, userId: string, now: number): Read<PointsSummary> {
  const soon = now + EXPIRING_WINDOW_DAYS * DAY_MS;
  const usable = sql`${pointLots.frozenUntil} IS NULL AND ${pointLots.expiresAt} > ${now}`;
  const lots = db
    .select({
      balance: sql<number>`COALESCE(SUM(CASE WHEN ${usable} THEN ${pointLots.remaining} END), 0)`.as('balance'),
      frozen: sql<number>`COALESCE(SUM(CASE WHEN ${pointLots.frozenUntil} IS NOT NULL THEN ${pointLots.remaining} END), 0)`.as('frozen'),
      expiring: sql<number>`COALESCE(SUM(CASE WHEN ${usable} AND ${pointLots.expiresAt} <= ${soon} THEN ${pointLots.remaining} END), 0)`.as('expiring'),
    })
    .from(pointLots)
    .where(and(eq(pointLots.userId, userId), gt(pointLots.remaining, 0)));
  const account = db.select({ debt: pointAccounts.debt }).from(pointAccounts).where(eq(pointAccounts.userId, userId));
  return read([lots, account], ([[row], [debt]]) => ({ balance: row!.balance, frozen: row!.frozen, expiringSoon: row!.expiring, debt: debt?.debt ?? 0 }));
}

export const pointsSummary = (db: Db, userId: string, now: number) => runRead(db, pointsSummaryRead(db, userId, now));

export async function pointsView(db: Db, userId: string, now: number) {
  const s = await pointsSummary(db, userId, now);
  return { balance: s.balance, frozen: s.frozen, expiring_within_30_days: s.expiringSoon, debt: s.debt, can_spend: s.debt === 0 };
}

const entryCursor = v.object({ k: v.number(), id: v.string() });

export async function pointsLedgerPage(db: Db, userId: string, page: { cursor?: string; limit: number }) {
  const conditions: SQL[] = [eq(pointEntries.userId, userId)];
  if (page.cursor) {
    const c = decodeCursor(page.cursor, entryCursor);
    conditions.push(or(lt(pointEntries.createdAt, c.k), and(eq(pointEntries.createdAt, c.k), lt(pointEntries.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(pointEntries)
    .where(and(...conditions))
    .orderBy(desc(pointEntries.createdAt), desc(pointEntries.id))
    .limit(page.limit + 1);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return {
    items: items.map((e) => ({
      id: e.id,
      kind: e.kind,
      source: e.source,
      points: e.delta,
      frozen_points: e.frozenDelta,
      debt_points: e.debtDelta,
      ref: e.ref,
      reason: e.reason,
      created_at: toIso(e.createdAt),
    })),
    next_cursor: rows.length > page.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null,
  };
}

/**
 * A merchant's manual grant (points > 0, a new lot expiring by the shop's rule) or deduction
 * (points < 0: refused unless the shopper holds them and owes nothing), with the reason and who.
 */
export async function adjustPointsByMerchant(db: Db, input: { userId: string; points: number; reason: string; merchantId: string; now: number; timeZone: string }) {
  const user = await db.query.users.findFirst({ where: eq(users.id, input.userId), columns: { id: true } });
  if (!user) throw notFound('Shopper');
  const settings = await getLoyaltySettings(db);
  const ref = newId('pgr');
  const movement = { userId: input.userId, source: 'merchant_grant' as const, ref, reason: input.reason, actorId: input.merchantId, now: input.now };
  await runBatch(
    db,
    input.points > 0
      ? creditStatements({ ...movement, amount: input.points, expiresAt: pointsExpireAt(input.now, expiryPolicyOf(settings), input.timeZone) })
      : debitStatements({ ...movement, amount: -input.points, mode: 'spend' }),
  );
  return { ref, ...(await pointsView(db, input.userId, input.now)) };
}

/** The sweep's step: lots past their date expire, lots past their after-sales window thaw. */
export async function sweepPointLots(db: Db, now: number, timeZone: string, limit = 200) {
  const expire = expireLotsStatements(now, limit);
  const [expired] = await runBatch(db, expire);
  const thawing = await db
    .select({ id: pointLots.id })
    .from(pointLots)
    .where(and(sql`${pointLots.frozenUntil} IS NOT NULL`, sql`${pointLots.frozenUntil} <= ${now}`))
    .limit(limit);
  // One lot's statements depend on each other (and on the debt the lot before repaid): a batch runs them in order.
  const expiresAt = thawing.length ? pointsExpireAt(now, expiryPolicyOf(await getLoyaltySettings(db)), timeZone) : 0;
  for (let i = 0; i < thawing.length; i += THAW_PER_BATCH) {
    await runBatch(
      db,
      thawing.slice(i, i + THAW_PER_BATCH).flatMap((lot) => thawLotStatements(lot.id, now, expiresAt)),
    );
  }
  return { expired: expired?.meta.changes ?? 0, thawed: thawing.length };
}
