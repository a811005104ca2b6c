// Moving an order between statuses. Every change asks the state machine (src/domain), is
// guarded in SQL on the status it was read in, and records an order event in the same batch.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { orderEvents, orders } from '../db/orders';
import { abortUnlessChanged, runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { blockedByHold, transitionOf, type OrderEvent, type OrderStatus, type TransitionRefusal } from '../domain/order-state';
import { conflict } from '../lib/errors';
import { newId } from '../lib/ids';

export type OrderRow = typeof orders.$inferSelect;

const transitionRefusalMessage: Record<TransitionRefusal, (from: OrderStatus, action: string) => string> = {
  illegal_transition: (from, action) => `An order that is ${from} cannot ${action}.`,
  order_on_hold: (_from, action) => `This order cannot ${action} yet: its group buy has not closed.`,
};

/** The order state machine's answer (src/domain/order-state.ts); a refusal is a 409 with its code. */
export function nextStatus(from: OrderStatus, event: OrderEvent, held = false): OrderStatus {
  const transition = transitionOf(from, event, held);
  if (!transition.ok) throw conflict(transition.refusal, transitionRefusalMessage[transition.refusal](from, event.replace(/_/g, ' ')));
  return transition.to;
}
export type Actor = { type: 'shopper' | 'merchant' | 'system' | 'wechat_pay'; id: string | null };

export type TransitionPlan = {
  event: OrderEvent;
  actor: Actor;
  reason?: string;
  /** Other order columns to set with the status. */
  set?: Partial<Omit<OrderRow, 'id' | 'status'>>;
  /** More statements for the same batch (they run only if the transition applies). */
  also?: Statement[];
};

/** The statements of a transition; throws 409 if the state machine forbids it. */
export function transitionStatements(db: Db, order: Pick<OrderRow, 'id' | 'status'> & { shipHold?: OrderRow['shipHold'] }, plan: TransitionPlan, now: number): Statement[] {
  const to = nextStatus(order.status, plan.event, !!order.shipHold);
  return [
    db
      .update(orders)
      .set({ ...plan.set, status: to, updatedAt: now })
      // A hold put on or left in place since the read also makes this match nothing (409).
      .where(and(eq(orders.id, order.id), eq(orders.status, order.status), blockedByHold(plan.event) ? isNull(orders.shipHold) : undefined)),
    // Lost a race with another change of this order: roll everything back (409).
    abortUnlessChanged(),
    db.insert(orderEvents).values({
      id: newId('oev'),
      orderId: order.id,
      fromStatus: order.status,
      toStatus: to,
      actorType: plan.actor.type,
      actorId: plan.actor.id,
      reason: plan.reason ?? '',
      createdAt: now,
    }),
    ...(plan.also ?? []),
  ];
}

export async function applyTransition(db: Db, order: Pick<OrderRow, 'id' | 'status'> & { shipHold?: OrderRow['shipHold'] }, plan: TransitionPlan, now: number): Promise<OrderStatus> {
  await runBatch(db, transitionStatements(db, order, plan, now));
  return nextStatus(order.status, plan.event, !!order.shipHold);
}

/**
 * Gives an order's reserved stock back to its SKUs, at most once: the release is conditioned on
 * the order's stock_released flag, which the last statement sets, all in one batch.
 */
export function releaseStockStatements(db: Db, orderId: string): Statement[] {
  return [
    sql`UPDATE skus SET stock = stock + (
          SELECT COALESCE(SUM(oi.quantity), 0) FROM order_items oi WHERE oi.order_id = ${orderId} AND oi.sku_id = skus.id)
        WHERE id IN (SELECT sku_id FROM order_items WHERE order_id = ${orderId})
          AND (SELECT stock_released FROM orders WHERE id = ${orderId}) = 0`,
    sql`UPDATE products SET total_stock = (SELECT COALESCE(SUM(stock), 0) FROM skus WHERE skus.product_id = products.id AND skus.active = 1)
        WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ${orderId})`,
    db.update(orders).set({ stockReleased: 1 }).where(eq(orders.id, orderId)),
  ];
}

/** Counts the units as sold once the order is paid (the storefront's sales sort). */
export function recordSalesStatements(orderId: string): Statement[] {
  return [
    sql`UPDATE skus SET sales = sales + (SELECT SUM(oi.quantity) FROM order_items oi WHERE oi.order_id = ${orderId} AND oi.sku_id = skus.id)
        WHERE id IN (SELECT sku_id FROM order_items WHERE order_id = ${orderId})`,
    sql`UPDATE products SET sales_count = sales_count + (SELECT SUM(oi.quantity) FROM order_items oi WHERE oi.order_id = ${orderId} AND oi.product_id = products.id)
        WHERE id IN (SELECT product_id FROM order_items WHERE order_id = ${orderId})`,
  ];
}
