// A shopper's order, written first if it is a flash-sale order the work queue has not written
// yet: the reserve answer gave its id at once, so opening, paying or cancelling it must work at
// once too. The reservation (and what its order is written from) is in its stock object.
import type { Db } from '../../db/client';
import { parseFlashOrderId } from '../../domain/flash-sale';
import type { Env } from '../../env';
import { ApiError } from '../../lib/errors';
import { logEvent } from '../../lib/log';
import { findOrder } from '../../services/orders';
import type { OrderRow } from '../../services/order-transitions';
import { flashStockStub } from '../kernel/object-stubs';
import { jobFromReservation, writeFlashOrders } from './order-writer';

export async function findShopperOrder(env: Env, db: Db, orderId: string, userId: string): Promise<OrderRow> {
  try {
    return await findOrder(db, orderId, userId);
  } catch (error) {
    const ref = parseFlashOrderId(orderId);
    if (!ref || !(error instanceof ApiError && error.status === 404)) throw error;
    const reservation = await flashStockStub(env, ref.itemId, ref.shard)
      .reservationIntent(ref.reservationId)
      .catch((objectError: unknown) => {
        logEvent('error', 'reading a reservation for its order failed', { order_id: orderId, error: objectError });
        return null;
      });
    // Another shopper's reservation is as unknown as a made-up id.
    const job = reservation && reservation.userId === userId && reservation.status === 'held' ? jobFromReservation(ref, reservation) : null;
    if (!job) throw error;
    await writeFlashOrders(db, [job], env.SHOP_TIME_ZONE);
    return findOrder(db, orderId, userId);
  }
}
