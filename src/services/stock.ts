// SKU stock as a ledger: every change of skus.stock is one guarded UPDATE plus a stock_ledger
// row saying why, in the same batch (CHECK (stock >= 0) rolls the batch back rather than
// oversell). Merchants adjust it here; engines take units out and give them back through
// stockMovementStatements, never by writing skus themselves.
import { desc, eq, sql } from 'drizzle-orm';
import type { Statement } from '../db/batch';
import type { Db } from '../db/client';
import { skus, stockLedger } from '../db/catalog';
import { toIso } from '../lib/clock';
import { notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { commitCatalogWrite, refreshProductSummary, type WriteContext } from './catalog-admin';

export type StockMovement = { skuId: string; delta: number; reason: string; actorId: string | null; now: number; ledgerId?: string };

/** The statements that move `delta` units in (or out, when negative) with their ledger row. */
export function stockMovementStatements(m: StockMovement): Statement[] {
  return [
    sql`UPDATE skus SET stock = stock + ${m.delta}, updated_at = ${m.now} WHERE id = ${m.skuId}`,
    sql`INSERT INTO stock_ledger (id, sku_id, delta, stock_after, reason, actor_id, created_at)
        SELECT ${m.ledgerId ?? newId('stk')}, id, ${m.delta}, stock, ${m.reason}, ${m.actorId}, ${m.now} FROM skus WHERE id = ${m.skuId}`,
  ];
}

export type StockAdjustment = { delta?: number; set_to?: number; reason: string };

/**
 * Changes a SKU's stock by a delta or to an absolute figure, with a ledger row saying who and
 * why. The delta is computed inside the batch from the row as it is then, so a concurrent
 * order between the merchant's read and this write is never overwritten unrecorded; the CHECK
 * on skus.stock refuses (and rolls back) anything that would go below zero.
 */
export async function adjustStock(ctx: WriteContext, skuId: string, adjustment: StockAdjustment) {
  const sku = await ctx.db.query.skus.findFirst({ where: eq(skus.id, skuId) });
  if (!sku?.active) throw notFound('SKU');
  const ledgerId = newId('stk');
  const change =
    adjustment.set_to !== undefined
      ? [
          sql`INSERT INTO stock_ledger (id, sku_id, delta, stock_after, reason, actor_id, created_at)
              SELECT ${ledgerId}, id, ${adjustment.set_to} - stock, ${adjustment.set_to}, ${adjustment.reason}, ${ctx.actor.id}, ${ctx.now}
              FROM skus WHERE id = ${skuId}`,
          ctx.db.update(skus).set({ stock: adjustment.set_to, updatedAt: ctx.now }).where(eq(skus.id, skuId)),
        ]
      : stockMovementStatements({ skuId, delta: adjustment.delta ?? 0, reason: adjustment.reason, actorId: ctx.actor.id, now: ctx.now, ledgerId });
  await commitCatalogWrite(ctx, [...change, refreshProductSummary(sku.productId, ctx.now)]);
  const entry = await ctx.db.query.stockLedger.findFirst({ where: eq(stockLedger.id, ledgerId) });
  return entry!;
}

/** A SKU's latest stock movements, newest first, as the JSON API shows them. */
export async function stockLedgerOfSku(db: Db, skuId: string, limit: number) {
  const rows = await db.select().from(stockLedger).where(eq(stockLedger.skuId, skuId)).orderBy(desc(stockLedger.createdAt), desc(stockLedger.id)).limit(limit);
  return rows.map(stockLedgerView);
}

/** One stock movement as the JSON API shows it. */
export function stockLedgerView(e: typeof stockLedger.$inferSelect) {
  return { id: e.id, sku_id: e.skuId, delta: e.delta, stock_after: e.stockAfter, reason: e.reason, actor_id: e.actorId, created_at: toIso(e.createdAt) };
}
