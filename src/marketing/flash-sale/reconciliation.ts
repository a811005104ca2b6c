// Reconciliation of a flash sale: every reservation in every stock object against D1's orders.
// A drift is any unit the two stores disagree about; the report names each one.
import { and, eq, like } from 'drizzle-orm';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import { notFound } from '../../lib/errors';
import { orders } from '../../db/orders';
import type { Db } from '../../db/client';
import { reservationRef } from '../../domain/flash-sale';
import type { OrderStatus } from '../../domain/order-state';
import type { Env } from '../../env';
import { flashStockStub } from '../kernel/object-stubs';

type Drift = { item_id: string; shard: number; reservation_id: string | null; order_id: string | null; problem: string };

/** What each reservation status may correspond to in D1. */
const expectedOrderStatuses: Record<'held' | 'paid' | 'released', (status: OrderStatus | null) => boolean> = {
  held: (s) => s === 'pending_payment' || s === null, // an order may still be being written
  paid: (s) => s !== null && s !== 'pending_payment' && s !== 'cancelled',
  released: (s) => s === null || s === 'cancelled',
};

/** The reconciliation of one campaign by id; 404 for an unknown one. */
export async function reconcileFlashSaleById(env: Env, db: Db, flashSaleId: string) {
  const campaign = await db.query.flashSales.findFirst({ where: eq(flashSales.id, flashSaleId) });
  if (!campaign) throw notFound('Flash sale');
  return reconcileFlashSale(env, db, campaign.id, campaign.shardCount);
}

export async function reconcileFlashSale(env: Env, db: Db, flashSaleId: string, shardCount: number) {
  const items = await db.select().from(flashSaleItems).where(eq(flashSaleItems.flashSaleId, flashSaleId));
  const drifts: Drift[] = [];
  const totals = { reservations: 0, held: 0, paid: 0, released: 0, orders: 0 };
  for (const item of items) {
    const itemOrders = await db
      .select({ id: orders.id, status: orders.status, sourceRef: orders.sourceRef })
      .from(orders)
      .where(and(eq(orders.source, 'flash_sale'), like(orders.sourceRef, `${item.id}/%`)));
    totals.orders += itemOrders.length;
    const orderByRef = new Map(itemOrders.map((o) => [o.sourceRef!, o]));
    const seenRefs = new Set<string>();
    let unitsInObjects = 0;
    for (let shard = 0; shard < shardCount; shard++) {
      const snapshot = await flashStockStub(env, item.id, shard).snapshot();
      unitsInObjects += snapshot.available + snapshot.held + snapshot.paid;
      for (const r of snapshot.reservations) {
        totals.reservations++;
        totals[r.status]++;
        const ref = reservationRef({ itemId: item.id, shard, reservationId: r.id });
        seenRefs.add(ref);
        const order = orderByRef.get(ref);
        if (!expectedOrderStatuses[r.status](order?.status ?? null)) {
          drifts.push({ item_id: item.id, shard, reservation_id: r.id, order_id: order?.id ?? null, problem: `reservation ${r.status}, order ${order?.status ?? 'missing'}` });
        }
      }
    }
    for (const order of itemOrders) {
      if (!seenRefs.has(order.sourceRef!)) drifts.push({ item_id: item.id, shard: -1, reservation_id: null, order_id: order.id, problem: `order ${order.status} without a reservation` });
    }
    // Units never appear or vanish: what the objects hold equals what the campaign took (units
    // closed out after the end went back to the SKU and are not counted in either).
    if (unitsInObjects > item.flashStock) {
      drifts.push({ item_id: item.id, shard: -1, reservation_id: null, order_id: null, problem: `objects hold ${unitsInObjects} units, the campaign took ${item.flashStock}` });
    }
  }
  return { flash_sale_id: flashSaleId, ok: drifts.length === 0, totals, drifts };
}
