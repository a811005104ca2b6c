// Helpers for D1 batches: the all-or-nothing unit of work on D1 (no interactive transactions).
import { SQL, sql } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { ApiError } from '../lib/errors';
import type { Db } from './client';
import { logEvent } from '../lib/log';
import { couponConstraintErrors } from './coupons';

/** A drizzle query builder or a raw `sql` template. */
export type Statement = SQL | { toSQL(): { sql: string; params: unknown[] } };

const dialect = new SQLiteAsyncDialect();

/**
 * Runs statements as one atomic D1 batch and returns D1's raw results. (drizzle's own
 * db.batch cannot carry raw `sql` statements with parameters, which guarded writes need.)
 */
export async function runBatch(db: Db, statements: Statement[]): Promise<D1Result[]> {
  if (statements.length === 0) return [];
  const d1 = db.$client;
  const prepared = statements.map((statement) => {
    const query = statement instanceof SQL ? dialect.sqlToQuery(statement) : statement.toSQL();
    return d1.prepare(query.sql).bind(...query.params);
  });
  try {
    return await d1.batch(prepared);
  } catch (error) {
    throw translateConstraintError(error);
  }
}

/**
 * Constraint failures are how guarded writes say no (a CHECK on stock, a unique index);
 * they roll the batch back. Known ones become API errors here; others stay 500s.
 */
const knownConstraints: { match: RegExp; error: () => ApiError }[] = [
  {
    match: /skus_stock_non_negative/,
    error: () => new ApiError(422, 'insufficient_stock', 'Stock cannot go below zero.'),
  },
  {
    match: /batch_assertions_must_hold/,
    error: () => new ApiError(409, 'concurrent_change', 'This changed at the same time as your request; reload and try again.'),
  },
  // The points ledger's refusals (src/db/loyalty.ts, loyalty_guards).
  { match: /points_insufficient/, error: () => new ApiError(422, 'insufficient_points', 'Not enough points.') },
  { match: /points_debt_outstanding/, error: () => new ApiError(422, 'points_debt_outstanding', 'Points owed from a refund must be repaid by new points before any can be spent.') },
  { match: /check_in_make_up_limit/, error: () => new ApiError(422, 'make_up_limit_reached', 'No make-up check-ins are left this month.') },
  { match: /points_mall_stock_non_negative/, error: () => new ApiError(422, 'out_of_stock', 'This item is sold out.') },
  { match: /points_mall_exchange_limit/, error: () => new ApiError(422, 'exchange_limit_reached', 'You have exchanged this item as often as allowed.') },
  {
    match: /UNIQUE constraint failed: merchant_accounts\.username/,
    error: () => new ApiError(409, 'username_taken', 'That username is already in use.', [{ path: 'body.username', message: 'is already in use' }]),
  },
  ...couponConstraintErrors,
];

export function translateConstraintError(error: unknown): unknown {
  const text = `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`;
  return knownConstraints.find((k) => k.match.test(text))?.error() ?? error;
}

/**
 * Splits items so that one statement binding `paramsEach` per item, plus `otherParams` of its
 * own, stays under D1's 100 bound parameters.
 */
export function chunkForBoundParams<T>(items: T[], paramsEach: number, otherParams = 0): T[][] {
  const perStatement = Math.max(1, Math.floor((100 - otherParams) / paramsEach));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += perStatement) chunks.push(items.slice(i, i + perStatement));
  return chunks;
}

/** Splits rows so that one INSERT stays under D1's 100 bound parameters. */
export const chunkForInsert = <T extends object>(rows: T[], columnsPerRow: number): T[][] => chunkForBoundParams(rows, columnsPerRow);

/**
 * Put right after a guarded UPDATE in a batch: if that UPDATE changed no row (the guard did not
 * hold, e.g. another request already moved the order on), the whole batch is rolled back.
 */
export const abortUnlessChanged = () => sql`INSERT INTO batch_assertions (must_hold) SELECT 0 WHERE changes() = 0`;

/** One job of a batched writer: its statements, built afresh on every call (a retry after a clash must not clash again). */
export type BatchJob<J> = { job: J; statements: () => Statement[] };

/**
 * Writes every job in one D1 batch; when that fails (an order number clashed, one job's data is
 * bad), each job alone, so one bad job cannot hold back the others. Returns the jobs that could
 * not be written (for the queue to retry), except those whose error `isFinal` says no retry can
 * change (logged, and left to reconciliation).
 */
export async function runBatchOrEach<J>(db: Db, jobs: BatchJob<J>[], describe: (job: J) => Record<string, unknown>, isFinal: (error: unknown) => boolean = () => false): Promise<J[]> {
  if (jobs.length === 0) return [];
  try {
    await runBatch(
      db,
      jobs.flatMap((j) => j.statements()),
    );
    return [];
  } catch (error) {
    logEvent('warn', 'batched write failed; writing one by one', { jobs: jobs.length, error });
  }
  const failed: J[] = [];
  for (const j of jobs) {
    try {
      await runBatch(db, j.statements());
    } catch (error) {
      const final = isFinal(error);
      logEvent('error', final ? 'write refused for good: not retried' : 'write failed', { ...describe(j.job), error });
      if (!final) failed.push(j.job);
    }
  }
  return failed;
}
