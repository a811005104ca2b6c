// A group-buy room's loan of units: when a room opens, one unit per seat its group needs
// (group_size) of its leader's SKU leaves skus.stock in the batch that writes the room, so a
// joiner's seat has its unit the moment the room holds the seat, with no D1 write before the
// answer (a tiered room's seats past the loan reserve their own). Once the room has
// closed, each paid seat's unit becomes its order's (a refund gives it back to skus.stock, as for
// a shop order) and the rest of the loan goes back — once: every statement of the return is
// conditioned on the room still being open in D1, and the batch that returns it closes it.
import { sql } from 'drizzle-orm';
import type { Statement } from '../../db/batch';
import { stockMovementStatements } from '../../services/stock';

const reasonOf = (roomId: string, delta: number) => (delta < 0 ? `拼团开团占用 ${roomId}` : `拼团结束归还 ${roomId}`);

/** The units a room opening takes (delta < 0), with their stock-ledger row. */
export function roomLoanStatements(m: { roomId: string; skuId: string; delta: number; now: number }): Statement[] {
  return [
    ...stockMovementStatements({ skuId: m.skuId, delta: m.delta, reason: reasonOf(m.roomId, m.delta), actorId: null, now: m.now }),
    sql`UPDATE products SET total_stock = total_stock + ${m.delta} WHERE id = (SELECT product_id FROM skus WHERE id = ${m.skuId})`,
  ];
}

/**
 * What a closing room gives back, and the paid seats' orders taking their units over
 * (stock_released = 0: theirs to give back on a refund). Put before the statement that closes
 * the room: each runs only while D1 still has it open, so a replayed closure returns nothing.
 */
export function loanReturnStatements(m: { roomId: string; skuId: string; units: number; orderIds: string[]; now: number }): Statement[] {
  const stillOpen = sql`(SELECT status FROM group_buy_rooms WHERE id = ${m.roomId}) = 'open'`;
  const handover = m.orderIds.map((id) => sql`UPDATE orders SET stock_released = 0 WHERE id = ${id} AND ${stillOpen}`);
  if (m.units === 0) return handover;
  return [
    sql`UPDATE skus SET stock = stock + ${m.units}, updated_at = ${m.now} WHERE id = ${m.skuId} AND ${stillOpen}`,
    sql`INSERT INTO stock_ledger (id, sku_id, delta, stock_after, reason, actor_id, created_at)
        SELECT ${`stk_${m.roomId.slice(4)}_back`}, id, ${m.units}, stock, ${reasonOf(m.roomId, m.units)}, NULL, ${m.now} FROM skus WHERE id = ${m.skuId} AND ${stillOpen}`,
    sql`UPDATE products SET total_stock = total_stock + ${m.units} WHERE id = (SELECT product_id FROM skus WHERE id = ${m.skuId}) AND ${stillOpen}`,
    ...handover,
  ];
}
