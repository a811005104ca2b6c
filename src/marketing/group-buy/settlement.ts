// What a closed group-buy room means in D1, recorded once the GroupBuyRoom object has closed:
// - succeeded: the paid orders lose their ship hold (they can ship now); in a tiered campaign
//   each member gets the difference to the reached tier back (tierRefundPlan, fen for fen);
// - failed: every paid order is refunded in full (group_failed → refunding → refunded, stock
//   back to the SKUs), with no person involved (the litemall gap).
// Refunds are rows plus outbox entries in the same batch as the change; the outbox submits them
// to WeChat Pay (services/outbox.ts). Every write is keyed (room status 'open' guard,
// out_refund_no per order and kind, order status guard), so a replayed alarm changes nothing.
// Either way the room's loan of units is settled in the closing batch (room-loans.ts).
// The reconciliation compares each room's object with D1's members, orders and payments.
import { and, eq, inArray } from 'drizzle-orm';
import { createDb, type Db } from '../../db/client';
import { groupBuyRooms, groupBuys } from '../../db/group-buys';
import { orders } from '../../db/orders';
import { runBatch, type Statement } from '../../db/batch';
import { seatRef, tierRefundPlan, type PaidMember } from '../../domain/group-buy';
import type { Env } from '../../env';
import { ApiError } from '../../lib/errors';
import { systemRefundStatements } from '../../services/refunds';
import { sendOutboxSoon } from '../../services/outbox';
import { orderPage, subscribeMessageStatements } from '../../services/subscribe-messages';
import { orderSourcePolicy } from '../../services/order-source-policy';
import { transitionStatements, type OrderRow } from '../../services/order-transitions';
import type { RoomClosure } from '../../../durable-objects/port';
import { loanReturnStatements } from './room-loans';

const system = { type: 'system' as const, id: null };

export async function recordRoomClosure(env: Env, closure: RoomClosure, now: number): Promise<void> {
  const db = createDb(env.DB);
  const refs = closure.paidSeats.map((s) => seatRef(closure.roomId, s.seatId));
  const found = refs.length
    ? await db
        .select()
        .from(orders)
        .where(and(eq(orders.source, 'group_buy'), inArray(orders.sourceRef, refs)))
    : [];
  const orderOf = new Map(found.map((o) => [o.sourceRef!, o]));
  const missing = refs.filter((ref) => !orderOf.has(ref));
  // A paid seat was paid through its D1 order; if it cannot be found, D1 is behind: try later.
  if (missing.length) throw new Error(`room ${closure.roomId}: no order for paid seats ${missing.join(', ')}`);

  const room = await db.query.groupBuyRooms.findFirst({ where: eq(groupBuyRooms.id, closure.roomId), columns: { unitsLoaned: true, loanSkuId: true } });
  const roomClosed = db
    .update(groupBuyRooms)
    .set({ status: closure.outcome, finalSize: closure.finalSize, simulatedCount: closure.simulatedCount, closedAt: closure.closedAt })
    .where(and(eq(groupBuyRooms.id, closure.roomId), eq(groupBuyRooms.status, 'open')));
  const paidOrders = closure.paidSeats.map((s) => ({ seat: s, order: orderOf.get(seatRef(closure.roomId, s.seatId))! }));
  const messages = await resultMessageStatements(db, closure, paidOrders, now);
  const loan = room?.unitsLoaned && room.loanSkuId ? loanReturn(closure.roomId, room.unitsLoaned, room.loanSkuId, paidOrders, now) : [];

  if (closure.outcome === 'succeeded') {
    await runBatch(db, [...loan, roomClosed, ...successStatements(db, closure, paidOrders, now), ...messages]);
  } else {
    // The refunds follow the handover: each paid seat's unit goes back to skus.stock with its refund.
    await runBatch(db, [...loan, roomClosed, ...messages]);
    for (const { order } of paidOrders) await refundFailedMember(db, order, now);
  }
  // A room's refunds and result messages go out now, not at the next sweep.
  if (paidOrders.length) await sendOutboxSoon({ db, env }, now);
}

/**
 * The room's loan at its close. Paid seats whose orders hold their unit from the loan (written
 * with stock_released = 1) take it over, unless refunded already (then the unit comes back here);
 * every other unit of the loan goes back to skus.stock. A paid seat whose order reserved its own
 * unit (a joiner of another SKU) leaves its loaned unit unused: it comes back too.
 */
function loanReturn(roomId: string, unitsLoaned: number, skuId: string, paid: { order: OrderRow }[], now: number): Statement[] {
  const takenOver = paid.filter(({ order }) => order.stockReleased === 1 && order.status !== 'refunded').map(({ order }) => order.id);
  return loanReturnStatements({ roomId, skuId, units: unitsLoaned - takenOver.length, orderIds: takenOver, now });
}

/** Each paying member hears the outcome (a subscribe message per order, sent once whatever replays the closure). */
async function resultMessageStatements(db: Db, closure: RoomClosure, paid: { order: OrderRow }[], now: number): Promise<Statement[]> {
  if (!paid.length) return [];
  const campaign = await db.query.groupBuys.findFirst({ where: eq(groupBuys.id, closure.campaignId), columns: { title: true } });
  const [outcome, next] = closure.outcome === 'succeeded' ? ['拼团成功', '商家将尽快为您发货'] : ['拼团失败', '款项将原路退回'];
  return paid.flatMap(({ order }) =>
    subscribeMessageStatements(db, { userId: order.userId, key: 'group_result', subjectId: order.id, values: [campaign?.title ?? '拼团', outcome, next], page: orderPage(order.id) }, now),
  );
}

function successStatements(db: Db, closure: RoomClosure, paid: { seat: PaidMember; order: OrderRow }[], now: number): Statement[] {
  const plan = tierRefundPlan(
    closure.rules,
    paid.map((p) => p.seat),
    closure.finalSize!,
  );
  const statements: Statement[] = [];
  if (paid.length) {
    statements.push(
      db
        .update(orders)
        .set({ shipHold: null, updatedAt: now })
        .where(
          and(
            inArray(
              orders.id,
              paid.map((p) => p.order.id),
            ),
            eq(orders.shipHold, 'group_open'),
          ),
        ),
    );
  }
  plan.refunds.forEach((refund, i) => {
    if (refund.refundFen === 0) return;
    const reason = `阶梯拼团：成团 ${closure.finalSize} 人，退差价`;
    statements.push(...systemRefundStatements(db, paid[i]!.order, { reason, amountFen: refund.refundFen, suffix: 'TIER' }, now));
  });
  return statements;
}

/** One failed member's full refund; an order no longer 'paid' was refunded (or taken care of) already. */
async function refundFailedMember(db: Db, order: OrderRow, now: number) {
  if (order.status !== 'paid') return;
  const reason = '拼团未成功，自动退款';
  try {
    await runBatch(
      db,
      transitionStatements(
        db,
        order,
        { event: 'group_failed', actor: system, reason, also: systemRefundStatements(db, order, { reason, suffix: 'GRP', initiator: orderSourcePolicy.group_buy.campaignRefundInitiator }, now) },
        now,
      ),
    );
  } catch (error) {
    // Lost a race with another change of the order (a duplicate of this very alarm): look again.
    if (!(error instanceof ApiError && error.code === 'concurrent_change')) throw error;
    const current = await db.query.orders.findFirst({ where: eq(orders.id, order.id) });
    if (current?.status === 'paid') throw error;
  }
}
