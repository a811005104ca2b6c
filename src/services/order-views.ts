// Orders as shoppers and merchants read them: one order with its lines, events and refunds,
// and the cursor-paginated lists.
import { and, asc, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { orderEvents, orderItems, orders, refunds } from '../db/orders';
import type { Db } from '../db/client';
import type { OrderStatus } from '../domain/order-state';
import { toIso } from '../lib/clock';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import { maskPhone } from '../lib/phone';
import type { OrderRow } from './order-transitions';
import type { NewOrderRows } from './orders';
import { users } from '../db/shoppers';
import { packagesOf } from './shipments';

export async function orderView(db: Db, order: OrderRow, audience: 'shopper' | 'merchant') {
  const packages = await packagesOf(db, order.id);
  const [items, events, refundRows] = await db.batch([
    db.select().from(orderItems).where(eq(orderItems.orderId, order.id)).orderBy(asc(orderItems.id)),
    db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id)).orderBy(asc(orderEvents.createdAt), asc(orderEvents.id)),
    db.select().from(refunds).where(eq(refunds.orderId, order.id)).orderBy(asc(refunds.createdAt)),
  ]);
  const view = orderViewOf(order, { items, events, refunds: refundRows, packages });
  if (audience === 'shopper') return view;
  const buyer = await db.query.users.findFirst({ where: eq(users.id, order.userId) });
  return { ...view, buyer: { id: order.userId, nickname: buyer?.nickname ?? '', phone: maskPhone(buyer?.phone ?? null) } };
}

export type OrderViewParts = {
  items: (typeof orderItems.$inferSelect)[];
  events: (typeof orderEvents.$inferSelect)[];
  refunds: (typeof refunds.$inferSelect)[];
  packages: Awaited<ReturnType<typeof packagesOf>>;
};

/** A just-written order as the shopper sees it, from the rows it was written as (no read back); `orderNo` null before it is written. */
export const newOrderView = (rows: NewOrderRows, orderNo: string | null = rows.order.orderNo) =>
  orderViewOf({ ...rows.order, orderNo }, { items: rows.items, events: [rows.event], refunds: [], packages: [] });

/** An order as the shopper sees it, from its rows; the order number is null until the order is written (a flash sale's reply). */
export function orderViewOf(order: Omit<OrderRow, 'orderNo'> & { orderNo: string | null }, parts: OrderViewParts) {
  return {
    id: order.id,
    order_no: order.orderNo,
    status: order.status,
    items: parts.items.map((i) => ({
      id: i.id,
      sku_id: i.skuId,
      product_id: i.productId,
      title: i.title,
      spec_values: i.specValues,
      image_url: i.imageUrl,
      unit_price_fen: i.unitPriceFen,
      quantity: i.quantity,
      line_total_fen: i.lineTotalFen,
      discount_share_fen: i.discountShareFen,
      payable_fen: i.payableFen,
    })),
    items_total_fen: order.itemsTotalFen,
    discount_fen: order.discountFen,
    shipping_fee_fen: order.shippingFeeFen,
    payable_fen: order.payableFen,
    refunded_fen: order.refundedFen,
    /** Why it cannot ship yet ("group_open": its group buy has not succeeded), or null. */
    ship_hold: order.shipHold,
    address: order.address,
    note: order.note,
    payment_deadline: toIso(order.paymentDeadline),
    paid_at: toIso(order.paidAt),
    shipped_at: toIso(order.shippedAt),
    carrier: order.carrier,
    tracking_no: order.trackingNo,
    completed_at: toIso(order.completedAt),
    cancelled_at: toIso(order.cancelledAt),
    /** The packages shipped so far (a partly shipped order shows which lines are on their way). */
    packages: parts.packages,
    refunds: parts.refunds.map((r) => ({
      id: r.id,
      amount_fen: r.amountFen,
      reason: r.reason,
      status: r.status,
      initiator: r.initiator,
      decision_note: r.decisionNote,
      created_at: toIso(r.createdAt),
    })),
    events: parts.events.map((e) => ({ from: e.fromStatus, to: e.toStatus, actor: e.actorType, reason: e.reason, at: toIso(e.createdAt) })),
    created_at: toIso(order.createdAt),
  };
}

const orderCursor = v.object({ k: v.number(), id: v.string() });

export async function listOrders(db: Db, filter: { userId?: string; status?: OrderStatus; cursor?: string; limit: number }) {
  const conditions: SQL[] = [];
  if (filter.userId) conditions.push(eq(orders.userId, filter.userId));
  if (filter.status) conditions.push(eq(orders.status, filter.status));
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor, orderCursor);
    conditions.push(or(lt(orders.createdAt, c.k), and(eq(orders.createdAt, c.k), lt(orders.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(orders)
    .where(and(...conditions))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  const items = await Promise.all(page.map((o) => orderSummary(db, o)));
  return { items, next_cursor: rows.length > filter.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null };
}

async function orderSummary(db: Db, o: OrderRow) {
  const first = await db.select().from(orderItems).where(eq(orderItems.orderId, o.id)).orderBy(asc(orderItems.id));
  return {
    id: o.id,
    order_no: o.orderNo,
    status: o.status,
    payable_fen: o.payableFen,
    item_count: first.reduce((n, i) => n + i.quantity, 0),
    first_item: first[0] ? { title: first[0].title, image_url: first[0].imageUrl, spec_values: first[0].specValues } : null,
    created_at: toIso(o.createdAt),
  };
}
