// The points mall's part in an order's life: an exchanged SKU whose order is cancelled unpaid gives
// its unit (and the shopper's exchange) back to the item, once (the exchange's `returned` flag).
import { sql } from 'drizzle-orm';
import type { Statement } from '../../db/batch';

export function mallUnitBackOnCancelStatements(orderId: string): Statement[] {
  const exchange = sql`SELECT item_id, user_id FROM mall_exchanges WHERE order_id = ${orderId} AND returned = 0`;
  return [
    sql`UPDATE mall_items SET stock = stock + 1 WHERE id IN (SELECT item_id FROM (${exchange}))`,
    sql`UPDATE mall_exchange_counts SET used = used - 1 WHERE (item_id, user_id) IN (${exchange})`,
    sql`UPDATE mall_exchanges SET returned = 1 WHERE order_id = ${orderId} AND returned = 0`,
  ];
}
