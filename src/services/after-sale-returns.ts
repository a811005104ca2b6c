// A shopper's return parcel reaching the merchant (reported by the carrier, through tracking.ts):
// booked once on the after-sale, and a return_refund's auto-refund timer restarts from that moment
// (fulfilment settings: auto_refund_days_after_return), so the merchant always has the full N days
// with the goods in hand before the money goes back by itself.
import { and, eq, isNull } from 'drizzle-orm';
import { afterSales } from '../db/after-sales';
import type { Db } from '../db/client';
import { DAY_MS } from '../domain/after-sale';
import { getFulfilmentSettings } from './fulfilment-settings';

export async function returnParcelDelivered(db: Db, afterSaleId: string, deliveredAt: number): Promise<void> {
  const settings = await getFulfilmentSettings(db);
  const row = await db.query.afterSales.findFirst({ where: eq(afterSales.id, afterSaleId), columns: { type: true } });
  await db
    .update(afterSales)
    .set({
      returnDeliveredAt: deliveredAt,
      // An exchange has no auto-refund; a return still waiting for the merchant is refunded N days on.
      ...(row?.type === 'return_refund' && { dueAt: deliveredAt + settings.autoRefundDaysAfterReturn * DAY_MS }),
      updatedAt: deliveredAt,
    })
    .where(and(eq(afterSales.id, afterSaleId), eq(afterSales.status, 'returned'), isNull(afterSales.returnDeliveredAt)));
}
