// Writing flash-sale orders off the reply path. The shopper hears "yes" once the stock object has
// the reservation (with what its order is written from); the D1 order follows, written by
// whichever comes first: the work queue's consumer (in batches of up to 100 orders per D1 batch),
// the shopper opening or paying for the order (on demand), or the cron sweep (for anything the
// queue lost). All three write the same order: its id derives from the reservation and every
// statement is "insert if absent", so a second writer changes nothing.
import { and, eq, inArray } from 'drizzle-orm';
import { flashSaleItems } from '../../db/flash-sales';
import { orders } from '../../db/orders';
import { addresses } from '../../db/shoppers';
import type { Db } from '../../db/client';
import { chunkForBoundParams, runBatchOrEach, type Statement } from '../../db/batch';
import { flashOrderId, type FlashOrderIntent, type FlashOrderJob } from '../../domain/flash-sale';
import type { ShippingPolicy } from '../../domain/pricing';
import { logEvent } from '../../lib/log';
import { newOrderNumber, newOrderStatements } from '../../services/orders';
import { flashOrderPlacement } from './flash-order';
import { loadPurchasableSkus } from '../../services/purchasable';
import { addressSnapshot } from '../../services/addresses';
import { paymentDueMessageStatements } from '../../services/subscribe-messages';
import { loadShipping } from '../../services/shipping-templates';
import type { ReservationIntent } from '../../../durable-objects/flash-sale-stock.types';

/** A job from what the object kept (null when the hold carries no intent: an older reservation). */
export function jobFromReservation(ref: { itemId: string; shard: number }, r: ReservationIntent): FlashOrderJob | null {
  if (!r.orderIntent) return null;
  return { ...ref, reservationId: r.id, userId: r.userId, quantity: r.quantity, expiresAt: r.expiresAt, createdAt: r.createdAt, intent: JSON.parse(r.orderIntent) as FlashOrderIntent };
}

/**
 * Writes the jobs' orders: every read in one round of queries, every write in one D1 batch (each
 * job alone, with a fresh order number, if that batch fails). Returns the jobs that could not be
 * written (for the queue to retry).
 */
export async function writeFlashOrders(db: Db, jobs: FlashOrderJob[], timeZone: string): Promise<FlashOrderJob[]> {
  if (jobs.length === 0) return [];
  const plans = await planOrders(db, jobs, timeZone);
  const failed = await runBatchOrEach(
    db,
    plans.filter((p) => !p.unwritable),
    (job) => ({ order_id: flashOrderId(job) }),
  );
  return [...failed, ...plans.filter((p) => p.unwritable).map((p) => p.job)];
}

type Plan = { job: FlashOrderJob; unwritable: boolean; statements: () => Statement[] };

async function planOrders(db: Db, jobs: FlashOrderJob[], timeZone: string): Promise<Plan[]> {
  const itemIds = [...new Set(jobs.map((j) => j.itemId))];
  const toResolve = jobs.filter((j) => !j.shipTo);
  const addressIds = [...new Set(toResolve.flatMap((j) => j.intent.addressId ?? []))];
  const defaultsFor = [...new Set(toResolve.filter((j) => j.intent.addressId === null).map((j) => j.userId))];
  const [items, chosen, defaults] = await Promise.all([
    db.select().from(flashSaleItems).where(inArray(flashSaleItems.id, itemIds)),
    addressIds.length ? db.select().from(addresses).where(inArray(addresses.id, addressIds)) : [],
    defaultsFor.length
      ? db
          .select()
          .from(addresses)
          .where(and(inArray(addresses.userId, defaultsFor), eq(addresses.isDefault, 1)))
      : [],
  ]);
  const itemById = new Map(items.map((i) => [i.id, i]));
  const addressById = new Map(chosen.map((a) => [a.id, a]));
  const defaultByUser = new Map(defaults.map((a) => [a.userId, a]));
  const skus = await loadPurchasableSkus(db, [...new Set(items.map((i) => i.skuId))]);
  const unwritable = (job: FlashOrderJob, why: string): Plan => {
    logEvent('error', `flash order cannot be written: ${why}`, { order_id: flashOrderId(job) });
    return { job, unwritable: true, statements: () => [] };
  };
  return Promise.all(
    jobs.map(async (job): Promise<Plan> => {
      const item = itemById.get(job.itemId);
      const row = job.intent.addressId === null ? defaultByUser.get(job.userId) : addressById.get(job.intent.addressId);
      const address = job.shipTo ?? (row && row.userId === job.userId ? addressSnapshot(row) : undefined);
      // Checked at reserve time; gone now only if the campaign item or the address was deleted since.
      if (!item || !address || !skus.has(item.skuId)) return unwritable(job, 'its item, SKU or address is gone');
      // Priced by the reserve request when it queued the job; rebuilt from the object (on demand,
      // by the sweep) the job is priced here, from the shipping templates.
      let shipping: ShippingPolicy = () => job.shippingFeeFen ?? 0;
      if (job.shippingFeeFen === undefined) {
        const loaded = await loadShipping(db, [item.skuId], address);
        if (loaded.undeliverableSkuIds.size) return unwritable(job, 'the SKU does not ship to its address');
        shipping = loaded.policy;
      }
      const sku = skus.get(item.skuId)!;
      return {
        job,
        unwritable: false,
        // A new order number each time: a retry after a clash must not clash again.
        statements: () => {
          const placed = flashOrderPlacement(job, item, sku, address, shipping, newOrderNumber(job.createdAt, timeZone));
          const order = { id: placed.orderId, orderNo: placed.orderNo, userId: job.userId, createdAt: job.createdAt, paymentDeadline: job.expiresAt, title: sku.title };
          // A reminder to pay shortly before the hold runs out (sent only if still unpaid then).
          return newOrderStatements(db, { ...placed, also: paymentDueMessageStatements(db, order) }, { ifAbsent: true });
        },
      };
    }),
  );
}

/** The jobs whose orders D1 does not have yet (the sweep's filter). */
export async function jobsWithoutOrders(db: Db, jobs: FlashOrderJob[]): Promise<FlashOrderJob[]> {
  const known = new Set<string>();
  // Each order id is a bound parameter, as is the source.
  for (const chunk of chunkForBoundParams(jobs.map(flashOrderId), 1, 1)) {
    const found = await db
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.source, 'flash_sale'), inArray(orders.id, chunk)));
    for (const o of found) known.add(o.id);
  }
  return jobs.filter((j) => !known.has(flashOrderId(j)));
}
