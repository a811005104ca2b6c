// The statements that move points, for the D1 batch of whatever caused the movement (an order,
// a check-in, a merchant's grant, the sweep). Nothing here reads a balance and writes it back:
// each statement computes from the rows as they are when the batch runs (D1 runs a batch as one
// serial transaction), and a rule that does not hold fails the whole batch through a named CHECK
// (src/db/loyalty.ts). Every movement is one entry row; the statements after it key off that row.
import { type SQL, sql } from 'drizzle-orm';
import type { Statement } from '../../db/batch';
import type { PointSource } from '../../domain/loyalty/vocabulary';
import { newId } from '../../lib/ids';

/** A whole number of points: a literal, or an SQL expression evaluated inside the batch. */
export type PointsAmount = number | SQL;

type Movement = {
  userId: string;
  source: PointSource;
  ref: string | null;
  reason?: string;
  actorId?: string | null;
  now: number;
  /** The movement happens only where this holds (e.g. "this check-in grant row is ours"). */
  onlyIf?: SQL;
};

/** An instant (epoch ms): a literal, or an SQL expression evaluated inside the batch. */
export type Instant = number | SQL;

export type Credit = Movement & {
  amount: PointsAmount;
  /** For a frozen lot this is set again when it thaws (points expire counting from when they become usable). */
  expiresAt: Instant;
  /** Frozen until then (an order's after-sales window); usable at once when absent. */
  frozenUntil?: Instant | null;
};

export type Debit = Movement & {
  amount: PointsAmount;
  /**
   * spend: the shopper must hold them all and owe nothing, or the batch fails;
   * clawback: take what is held (from the lots matching `preferLots` first, e.g. an order's own
   * lots, frozen or not), and record the rest as debt.
   */
  mode: 'spend' | 'clawback';
  preferLots?: SQL;
};

const amountSql = (amount: PointsAmount | Instant) => (typeof amount === 'number' ? sql`${amount}` : sql`(${amount})`);
const condition = (onlyIf?: SQL) => (onlyIf ? sql`AND (${onlyIf})` : sql``);

export const ensureAccount = (userId: string, now: number) => sql`INSERT OR IGNORE INTO point_accounts (user_id, debt, updated_at) VALUES (${userId}, 0, ${now})`;

/** The entry's debt change applied to its shopper's account (nothing when the entry was not written). */
const applyEntryToDebt = (entryId: string, now: number) =>
  sql`UPDATE point_accounts SET debt = debt + (SELECT debt_delta FROM point_entries WHERE id = ${entryId}), updated_at = ${now}
      WHERE user_id = (SELECT user_id FROM point_entries WHERE id = ${entryId})`;

/**
 * A new lot. Usable points first repay debt (the lot keeps the rest); frozen points repay it
 * when they thaw. Nothing is written when the amount is 0 or `onlyIf` does not hold.
 */
export function creditStatements(credit: Credit): Statement[] {
  const entryId = newId('pen');
  const amount = amountSql(credit.amount);
  const frozen = credit.frozenUntil != null;
  const { userId, now } = credit;
  const entry = frozen
    ? sql`INSERT INTO point_entries (id, user_id, kind, source, delta, frozen_delta, debt_delta, ref, reason, actor_id, created_at)
          SELECT ${entryId}, ${userId}, 'credit', ${credit.source}, 0, ${amount}, 0, ${credit.ref}, ${credit.reason ?? ''}, ${credit.actorId ?? null}, ${now}
          WHERE ${amount} > 0 ${condition(credit.onlyIf)}`
    : sql`INSERT INTO point_entries (id, user_id, kind, source, delta, frozen_delta, debt_delta, ref, reason, actor_id, created_at)
          SELECT ${entryId}, ${userId}, 'credit', ${credit.source}, ${amount} - MIN(${amount}, a.debt), 0, -MIN(${amount}, a.debt), ${credit.ref}, ${credit.reason ?? ''}, ${credit.actorId ?? null}, ${now}
          FROM point_accounts a WHERE a.user_id = ${userId} AND ${amount} > 0 ${condition(credit.onlyIf)}`;
  return [
    ensureAccount(userId, now),
    entry,
    sql`INSERT INTO point_lots (id, user_id, source, ref, amount, remaining, expires_at, frozen_until, created_at)
        SELECT ${newId('plt')}, user_id, source, ref, delta + frozen_delta - debt_delta, delta + frozen_delta, ${amountSql(credit.expiresAt)}, ${frozen ? amountSql(credit.frozenUntil!) : null}, ${now}
        FROM point_entries WHERE id = ${entryId}`,
    applyEntryToDebt(entryId, now),
  ];
}

/**
 * Takes points from the lots that expire first (point_takes records each lot's part), then writes
 * the entry from what was taken, so the journal and the lots cannot disagree.
 */
export function debitStatements(debit: Debit): Statement[] {
  const entryId = newId('pen');
  const amount = amountSql(debit.amount);
  const { userId, now } = debit;
  const takenSoFar = sql`(SELECT COALESCE(SUM(amount), 0) FROM point_takes WHERE entry_id = ${entryId})`;
  const statements: Statement[] = [ensureAccount(userId, now)];
  if (debit.mode === 'spend') {
    statements.push(sql`INSERT INTO loyalty_guards (refusal) SELECT 'points_debt_outstanding' FROM point_accounts WHERE user_id = ${userId} AND debt > 0 ${condition(debit.onlyIf)}`);
  }
  const fifo = (lots: SQL, wanted: SQL) =>
    sql`INSERT INTO point_takes (entry_id, lot_id, amount)
        SELECT ${entryId}, id, MIN(remaining, ${wanted} - before) FROM (
          SELECT id, remaining, SUM(remaining) OVER (ORDER BY expires_at, id) - remaining AS before
          FROM point_lots WHERE user_id = ${userId} AND remaining > 0 AND (${lots}) AND id NOT IN (SELECT lot_id FROM point_takes WHERE entry_id = ${entryId})
        ) WHERE before < ${wanted} ${condition(debit.onlyIf)}`;
  if (debit.preferLots) statements.push(fifo(debit.preferLots, amount));
  statements.push(fifo(sql`frozen_until IS NULL AND expires_at > ${now}`, debit.preferLots ? sql`(${amount} - ${takenSoFar})` : amount));
  if (debit.mode === 'spend') {
    statements.push(sql`INSERT INTO loyalty_guards (refusal) SELECT 'insufficient_points' WHERE ${takenSoFar} < ${amount} ${condition(debit.onlyIf)}`);
  }
  statements.push(
    sql`UPDATE point_lots SET remaining = remaining - (SELECT t.amount FROM point_takes t WHERE t.entry_id = ${entryId} AND t.lot_id = point_lots.id)
        WHERE id IN (SELECT lot_id FROM point_takes WHERE entry_id = ${entryId})`,
    sql`INSERT INTO point_entries (id, user_id, kind, source, delta, frozen_delta, debt_delta, ref, reason, actor_id, created_at)
        SELECT ${entryId}, ${userId}, 'debit', ${debit.source},
          -COALESCE(SUM(CASE WHEN l.frozen_until IS NULL THEN t.amount END), 0),
          -COALESCE(SUM(CASE WHEN l.frozen_until IS NOT NULL THEN t.amount END), 0),
          ${amount} - COALESCE(SUM(t.amount), 0),
          ${debit.ref}, ${debit.reason ?? ''}, ${debit.actorId ?? null}, ${now}
        FROM (SELECT 1) LEFT JOIN point_takes t ON t.entry_id = ${entryId} LEFT JOIN point_lots l ON l.id = t.lot_id
        WHERE ${amount} > 0 ${condition(debit.onlyIf)}`,
    applyEntryToDebt(entryId, now),
  );
  return statements;
}

/**
 * Everything a debit or credit on `ref` from `source` moved, as points (debts included): what
 * a refund already took back or gave back, for exact cumulative shares.
 */
export const movedOn = (ref: string, source: PointSource, kind: 'credit' | 'debit') =>
  kind === 'credit'
    ? sql`(SELECT COALESCE(SUM(delta + frozen_delta - debt_delta), 0) FROM point_entries WHERE ref = ${ref} AND source = ${source} AND kind = 'credit')`
    : sql`(SELECT COALESCE(SUM(debt_delta - delta - frozen_delta), 0) FROM point_entries WHERE ref = ${ref} AND source = ${source} AND kind = 'debit')`;

/** Expires every usable-or-not lot past its date (one entry each), in one batch: the sweep's step. */
export function expireLotsStatements(now: number, limit: number): Statement[] {
  const due = sql`SELECT id FROM point_lots WHERE expires_at <= ${now} AND remaining > 0 AND frozen_until IS NULL ORDER BY expires_at LIMIT ${limit}`;
  return [
    sql`INSERT INTO point_entries (id, user_id, kind, source, delta, frozen_delta, debt_delta, ref, reason, actor_id, created_at)
        SELECT 'pen_' || lower(hex(randomblob(8))), user_id, 'expire', 'expiry', -remaining, 0, 0, id, '', NULL, ${now}
        FROM point_lots WHERE id IN (${due})`,
    sql`UPDATE point_lots SET remaining = 0 WHERE id IN (${due})`,
  ];
}

/** A frozen lot whose window has closed becomes usable from `now` until `expiresAt`; its points repay debt first. */
export function thawLotStatements(lotId: string, now: number, expiresAt: number): Statement[] {
  const entryId = newId('pen');
  return [
    sql`INSERT INTO point_entries (id, user_id, kind, source, delta, frozen_delta, debt_delta, ref, reason, actor_id, created_at)
        SELECT ${entryId}, l.user_id, 'thaw', l.source, l.remaining - MIN(l.remaining, a.debt), -l.remaining, -MIN(l.remaining, a.debt), l.ref, '', NULL, ${now}
        FROM point_lots l JOIN point_accounts a ON a.user_id = l.user_id
        WHERE l.id = ${lotId} AND l.frozen_until IS NOT NULL AND l.frozen_until <= ${now}`,
    sql`UPDATE point_lots SET remaining = remaining + (SELECT debt_delta FROM point_entries WHERE id = ${entryId}), frozen_until = NULL, expires_at = ${expiresAt}
        WHERE id = ${lotId} AND EXISTS (SELECT 1 FROM point_entries WHERE id = ${entryId})`,
    applyEntryToDebt(entryId, now),
  ];
}
