// What after-sales take from an order, for the modules that must respect it without depending on
// the after-sales workflow: units refunded before shipping (shipments may not ship them), and the
// after-sales entry of the order ledgers (goods back on sale, the request marked refunded), and a
// refund WeChat Pay refused (the request marked refund_failed).
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterSaleLines, afterSales } from '../db/after-sales';
import type { Statement } from '../db/batch';
import type { Db } from '../db/client';
import { claimingStatuses } from '../domain/after-sale';

/** Units of each line refunded (or being refunded) as money only: never shipped, so never to ship. */
export async function unitsRefundedBeforeShipping(db: Db, orderId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ id: afterSaleLines.orderItemId, n: sql<number>`SUM(${afterSaleLines.quantity})` })
    .from(afterSaleLines)
    .innerJoin(afterSales, eq(afterSales.id, afterSaleLines.afterSaleId))
    .where(and(eq(afterSales.orderId, orderId), eq(afterSales.type, 'refund_only'), inArray(afterSales.status, [...claimingStatuses])))
    .groupBy(afterSaleLines.orderItemId);
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/**
 * In the batch that applies a refund: the after-sale's units go back on sale — a return when the
 * merchant received it as restockable, a money-only request's (unshipped) units when
 * `unshippedBackToStock` (not when the stock ledger already released the whole order) — and the
 * after-sale becomes refunded. Conditioned on the after-sale still refunding: applied once.
 */
export function afterSaleRefundedStatements(db: Db, refundId: string, unshippedBackToStock: boolean, now: number): Statement[] {
  const units = sql`SELECT oi.sku_id AS sku_id, l.quantity AS quantity FROM after_sale_lines l
      JOIN after_sales a ON a.id = l.after_sale_id JOIN order_items oi ON oi.id = l.order_item_id
      WHERE a.refund_id = ${refundId} AND a.status IN ('refunding', 'refund_failed')
        AND (a.restock = 1 OR (a.type = 'refund_only' AND ${unshippedBackToStock ? 1 : 0} = 1))`;
  return [
    sql`UPDATE skus SET stock = stock + (SELECT COALESCE(SUM(r.quantity), 0) FROM (${units}) r WHERE r.sku_id = skus.id), updated_at = ${now}
        WHERE id IN (SELECT r.sku_id FROM (${units}) r)`,
    sql`UPDATE products SET total_stock = (SELECT COALESCE(SUM(stock), 0) FROM skus WHERE skus.product_id = products.id AND skus.active = 1)
        WHERE id IN (SELECT s.product_id FROM skus s WHERE s.id IN (SELECT r.sku_id FROM (${units}) r))`,
    db
      .update(afterSales)
      .set({ status: 'refunded', updatedAt: now })
      .where(and(eq(afterSales.refundId, refundId), inArray(afterSales.status, ['refunding', 'refund_failed']))),
  ];
}

/**
 * In the batch that books a refund WeChat Pay could not make: its after-sale (if any) leaves
 * `refunding` for `refund_failed`, pointing at the fresh refund request the order gets instead,
 * which the merchant sends again (POST /admin/api/after-sales/:id/retry-refund, or the order's own
 * refund approval: either completes the after-sale).
 */
export function afterSaleRefundFailedStatements(db: Db, failedRefundId: string, nextRefundId: string, now: number): Statement[] {
  return [
    db
      .update(afterSales)
      .set({ status: 'refund_failed', refundId: nextRefundId, updatedAt: now })
      .where(and(eq(afterSales.refundId, failedRefundId), eq(afterSales.status, 'refunding'))),
  ];
}
