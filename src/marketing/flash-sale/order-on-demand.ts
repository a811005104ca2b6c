// A flash-sale order written on demand: the reserve answer gave its id at once, so opening,
// paying or cancelling it must work before the work queue has written it. The reservation (and
// what its order is written from) is in its stock object.
import type { Db } from '../../db/client';
import { parseFlashOrderId, reservationRef } from '../../domain/flash-sale';
import type { Env } from '../../env';
import { logEvent } from '../../lib/log';
import { findOrderBySource } from '../../services/orders';
import type { OrderRow } from '../../services/order-transitions';
import { flashStockStub } from '../kernel/object-stubs';
import { jobFromReservation, writeFlashOrders } from './order-writer';

/** The shopper's flash order, written from its reservation. Null: not a flash order's id, or not this shopper's held reservation. */
export async function writeFlashOrderOnDemand(env: Env, db: Db, orderId: string, userId: string): Promise<OrderRow | null> {
  const ref = parseFlashOrderId(orderId);
  if (!ref) return null;
  const reservation = await flashStockStub(env, ref.itemId, ref.shard)
    .reservationIntent(ref.reservationId)
    .catch((objectError: unknown) => {
      logEvent('error', 'reading a reservation for its order failed', { order_id: orderId, error: objectError });
      return null;
    });
  // Another shopper's reservation is as unknown as a made-up id.
  const job = reservation && reservation.userId === userId && reservation.status === 'held' ? jobFromReservation(ref, reservation) : null;
  if (!job) return null;
  await writeFlashOrders(db, [job], env.SHOP_TIME_ZONE);
  const order = await findOrderBySource(db, 'flash_sale', reservationRef(ref));
  return order?.userId === userId ? order : null;
}
