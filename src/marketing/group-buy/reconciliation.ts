// Reconciliation of a group buy: each room's object (its seats and their states) against D1's
// members, orders and payments. A drift is anything the two stores disagree about.
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { groupBuyMembers, groupBuyRooms } from '../../db/group-buys';
import { orders, payments } from '../../db/orders';
import { seatRef } from '../../domain/group-buy';
import type { Env } from '../../env';
import type { OrderRow } from '../../services/order-transitions';
import type { RoomState } from '../../../durable-objects/group-buy-room.types';
import { groupRoomStub } from '../kernel/object-stubs';

export type RoomDrift = { room_id: string; seat_id?: string; problem: string };

/** Order statuses a paid seat's order may be in (paid, and everything after). */
const paidLike = new Set<OrderRow['status']>(['paid', 'shipped', 'completed', 'refund_requested', 'refunding', 'refunded', 'partially_refunded', 'refund_rejected']);

/**
 * Compares one room's object (its seats and their states) with D1: a member row and an order
 * per seat, the order's status matching the seat's (held ↔ pending, paid ↔ paid and after,
 * released ↔ cancelled), a succeeded payment of the order's amount for every paid seat, no
 * D1 member without a seat, and the room's outcome.
 */
export async function reconcileRoom(db: Db, state: RoomState): Promise<RoomDrift[]> {
  const drift: RoomDrift[] = [];
  const [room, members, roomOrders] = await Promise.all([
    db.query.groupBuyRooms.findFirst({ where: eq(groupBuyRooms.id, state.roomId) }),
    db.select().from(groupBuyMembers).where(eq(groupBuyMembers.roomId, state.roomId)).orderBy(asc(groupBuyMembers.createdAt)),
    db
      .select()
      .from(orders)
      .where(and(eq(orders.source, 'group_buy'), inArray(orders.sourceRef, state.seats.length ? state.seats.map((s) => seatRef(state.roomId, s.seatId)) : ['-']))),
  ]);
  if (!room) return [{ room_id: state.roomId, problem: 'room object has no D1 row' }];
  if (state.status !== 'open' && state.recordedInD1 && room.status !== state.status) drift.push({ room_id: state.roomId, problem: `D1 says ${room.status}, the object ${state.status}` });
  const orderOf = new Map(roomOrders.map((o) => [o.sourceRef!, o]));
  const memberOf = new Map(members.map((m) => [m.seatId, m]));
  const paidOrderIds = state.seats
    .filter((s) => s.status === 'paid')
    .map((s) => orderOf.get(seatRef(state.roomId, s.seatId))?.id)
    .filter((id): id is string => !!id);
  const succeeded = paidOrderIds.length
    ? await db
        .select()
        .from(payments)
        .where(and(inArray(payments.orderId, paidOrderIds), eq(payments.status, 'succeeded')))
    : [];
  const paymentOf = new Map(succeeded.map((p) => [p.orderId, p]));

  for (const seat of state.seats) {
    const order = orderOf.get(seatRef(state.roomId, seat.seatId));
    const problem = (text: string) => drift.push({ room_id: state.roomId, seat_id: seat.seatId, problem: text });
    if (!order) {
      // A released seat may never have become an order (the order write failed and let it go).
      if (seat.status !== 'released') problem(`${seat.status} seat has no order`);
      continue;
    }
    if (!memberOf.has(seat.seatId)) problem('order without a member row');
    if (seat.status === 'held' && order.status !== 'pending_payment') problem(`held seat, order ${order.status}`);
    if (seat.status === 'released' && order.status !== 'cancelled') problem(`released seat, order ${order.status}`);
    if (seat.status === 'paid') {
      if (!paidLike.has(order.status)) problem(`paid seat, order ${order.status}`);
      const payment = paymentOf.get(order.id);
      if (!payment) problem('paid seat without a succeeded payment');
      else if (payment.amountFen !== order.payableFen) problem(`payment ${payment.amountFen} fen, order ${order.payableFen} fen`);
    }
  }
  const seatIds = new Set(state.seats.map((s) => s.seatId));
  for (const m of members) if (!seatIds.has(m.seatId)) drift.push({ room_id: state.roomId, seat_id: m.seatId, problem: 'member row without a seat in the object' });
  return drift;
}

/** Rooms checked per reconciliation request (each is a call to its object). */
export const RECONCILE_ROOM_LIMIT = 200;

/** The reconciliation of a campaign's rooms (newest first, up to RECONCILE_ROOM_LIMIT). */
export async function reconcileCampaign(env: Env, db: Db, campaignId: string) {
  const rooms = await db.select({ id: groupBuyRooms.id }).from(groupBuyRooms).where(eq(groupBuyRooms.groupBuyId, campaignId)).orderBy(desc(groupBuyRooms.createdAt)).limit(RECONCILE_ROOM_LIMIT);
  const drift: RoomDrift[] = [];
  const totals = { rooms: rooms.length, held: 0, paid: 0, released: 0 };
  for (const { id } of rooms) {
    const state: RoomState | null = await groupRoomStub(env, id).state();
    if (!state) {
      drift.push({ room_id: id, problem: 'D1 room has no object state' });
      continue;
    }
    for (const seat of state.seats) totals[seat.status]++;
    drift.push(...(await reconcileRoom(db, state)));
  }
  return { ok: drift.length === 0, totals, drift };
}
