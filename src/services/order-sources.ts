// Orders whose stock is held outside D1 (a flash sale's FlashSaleStock object) must tell the
// holder when they are paid or cancelled. These calls run after the D1 change has committed;
// if one fails, the object's own expiry alarm settles the reservation from D1 later, so a
// failure here delays the holder's bookkeeping but never loses or double-counts a unit.
import type { Env } from '../env';
import { parseReservationRef, stockObjectName } from '../domain/flash-sale';
import type { OrderRow } from './order-transitions';

function flashStockOf(env: Env, order: Pick<OrderRow, 'source' | 'sourceRef'>) {
  if (order.source !== 'flash_sale' || !order.sourceRef) return null;
  const ref = parseReservationRef(order.sourceRef);
  if (!ref) return null;
  return { stub: env.FLASH_SALE_STOCK.get(env.FLASH_SALE_STOCK.idFromName(stockObjectName(ref.itemId, ref.shard))), ref };
}

/** Shop and bargain orders hold their units in skus.stock (released in D1 on cancel); flash-sale units live in their object. */
export const stockHeldInD1 = (order: Pick<OrderRow, 'source'>) => order.source !== 'flash_sale';

export async function afterOrderPaid(env: Env, order: Pick<OrderRow, 'id' | 'source' | 'sourceRef'>): Promise<void> {
  const holder = flashStockOf(env, order);
  if (!holder) return;
  try {
    await holder.stub.confirmPaid(holder.ref.reservationId, order.id);
  } catch (error) {
    console.error('confirming flash reservation failed; its alarm will settle it', order.id, error);
  }
}

export async function afterOrderCancelled(env: Env, order: Pick<OrderRow, 'id' | 'source' | 'sourceRef'>): Promise<void> {
  const holder = flashStockOf(env, order);
  if (!holder) return;
  try {
    await holder.stub.release(holder.ref.reservationId, 'order cancelled');
  } catch (error) {
    console.error('releasing flash reservation failed; its alarm will settle it', order.id, error);
  }
}

/** The hooks for payments.ts, bound to this environment. */
export const orderHooksFor = (env: Env) => ({
  paid: (order: OrderRow) => afterOrderPaid(env, order),
  cancelled: (order: OrderRow) => afterOrderCancelled(env, order),
});
