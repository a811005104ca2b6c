// Orders whose stock or seat is held outside D1 (a flash sale's FlashSaleStock object, a group
// buy's GroupBuyRoom object) must tell the holder when they are paid or cancelled. These calls run after the D1 change has committed;
// if one fails, the object's own expiry alarm settles the reservation from D1 later, so a
// failure here delays the holder's bookkeeping but never loses or double-counts a unit.
import type { Env } from '../env';
import { parseReservationRef, stockObjectName } from '../domain/flash-sale';
import { parseSeatRef } from '../domain/group-buy';
import type { OrderRow } from './order-transitions';
import { logEvent } from '../lib/log';

function flashStockOf(env: Env, order: Pick<OrderRow, 'source' | 'sourceRef'>) {
  if (order.source !== 'flash_sale' || !order.sourceRef) return null;
  const ref = parseReservationRef(order.sourceRef);
  if (!ref) return null;
  return { stub: env.FLASH_SALE_STOCK.get(env.FLASH_SALE_STOCK.idFromName(stockObjectName(ref.itemId, ref.shard))), ref };
}

function groupSeatOf(env: Env, order: Pick<OrderRow, 'source' | 'sourceRef'>) {
  if (order.source !== 'group_buy' || !order.sourceRef) return null;
  const ref = parseSeatRef(order.sourceRef);
  if (!ref) return null;
  return { stub: env.GROUP_BUY_ROOM.get(env.GROUP_BUY_ROOM.idFromName(ref.roomId)), holdId: ref.seatId };
}

/** The object holding this order's units or seat, and the hold's id in it. */
const holderOf = (env: Env, order: Pick<OrderRow, 'source' | 'sourceRef'>) => {
  const flash = flashStockOf(env, order);
  return flash ? { stub: flash.stub, holdId: flash.ref.reservationId } : groupSeatOf(env, order);
};

export async function afterOrderPaid(env: Env, order: Pick<OrderRow, 'id' | 'source' | 'sourceRef'>): Promise<void> {
  const holder = holderOf(env, order);
  if (!holder) return;
  try {
    await holder.stub.confirmPaid(holder.holdId, order.id);
  } catch (error) {
    logEvent('error', 'confirming the hold failed; its alarm will settle it', { order_id: order.id, error });
  }
}

export async function afterOrderCancelled(env: Env, order: Pick<OrderRow, 'id' | 'source' | 'sourceRef'>): Promise<void> {
  const holder = holderOf(env, order);
  if (!holder) return;
  try {
    await holder.stub.release(holder.holdId, 'order cancelled');
  } catch (error) {
    logEvent('error', 'releasing the hold failed; its alarm will settle it', { order_id: order.id, error });
  }
}

/** The hooks for payments.ts, bound to this environment. */
export const orderHooksFor = (env: Env) => ({
  paid: (order: OrderRow) => afterOrderPaid(env, order),
  cancelled: (order: OrderRow) => afterOrderCancelled(env, order),
});
