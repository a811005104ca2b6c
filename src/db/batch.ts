// Helpers for D1 batches: the all-or-nothing unit of work on D1 (no interactive transactions).
import type { BatchItem } from 'drizzle-orm/batch';
import { ApiError } from '../lib/errors';
import type { Db } from './client';

export type Statement = BatchItem<'sqlite'>;

/** Runs statements as one atomic D1 batch. */
export async function runBatch(db: Db, statements: Statement[]): Promise<unknown[]> {
  const [first, ...rest] = statements;
  if (!first) return [];
  try {
    return await db.batch([first, ...rest]);
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
    match: /UNIQUE constraint failed: merchant_accounts\.username/,
    error: () => new ApiError(409, 'username_taken', 'That username is already in use.', [{ path: 'body.username', message: 'is already in use' }]),
  },
];

export function translateConstraintError(error: unknown): unknown {
  const text = `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`;
  return knownConstraints.find((k) => k.match.test(text))?.error() ?? error;
}

/** Splits rows so that one INSERT stays under D1's 100 bound parameters. */
export function chunkForInsert<T extends object>(rows: T[], columnsPerRow: number): T[][] {
  const perStatement = Math.max(1, Math.floor(100 / columnsPerRow));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += perStatement) chunks.push(rows.slice(i, i + perStatement));
  return chunks;
}
