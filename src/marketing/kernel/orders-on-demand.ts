// A shopper's order, written first if it is an engine's order the work queue has not written
// yet: a flash-sale reservation's or a group-buy joiner's answer gives the order's id at once, so
// opening, paying or cancelling it must work at once too. Each engine writes its own from the
// object that holds what the order is written from; any other unknown id stays a 404.
import type { Db } from '../../db/client';
import type { Env } from '../../env';
import { ApiError } from '../../lib/errors';
import { findOrder } from '../../services/orders';
import type { OrderRow } from '../../services/order-transitions';
import { writeFlashOrderOnDemand } from '../flash-sale/order-on-demand';
import { writeSeatOrderOnDemand } from '../group-buy/seat-orders';

const writersOnDemand = [writeFlashOrderOnDemand, writeSeatOrderOnDemand];

export async function findShopperOrder(env: Env, db: Db, orderId: string, userId: string): Promise<OrderRow> {
  try {
    return await findOrder(db, orderId, userId);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    for (const write of writersOnDemand) {
      const order = await write(env, db, orderId, userId);
      if (order) return order;
    }
    throw error;
  }
}
