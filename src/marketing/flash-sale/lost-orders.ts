// The sweep's backstop for the work queue: every live flash sale's stock objects are asked for
// holds older than a minute, and the orders D1 does not have yet are written. A queue message
// that was lost (or is stuck in the dead-letter queue) therefore delays an order by a minute or
// two at most; one that arrives late finds the order written and changes nothing.
import { and, eq, gt, inArray, lte } from 'drizzle-orm';
import { createDb } from '../../db/client';
import { flashSaleItems, flashSales } from '../../db/flash-sales';
import type { Env } from '../../env';
import { logEvent } from '../../lib/log';
import { flashStockStub } from '../kernel/object-stubs';
import { jobFromReservation, jobsWithoutOrders, writeFlashOrders } from './order-writer';
import type { FlashOrderJob } from '../../domain/flash-sale';

/** A hold younger than this is the queue's to write: its message may still be on the way. */
const QUEUE_GRACE_MS = 60_000;

export async function writeLostFlashOrders(env: Env, now: number): Promise<{ written: number; failed: number }> {
  const db = createDb(env.DB);
  // Campaigns whose holds may still be unpaid: started, and ended less than a payment window ago.
  const live = await db
    .select({ id: flashSales.id, shardCount: flashSales.shardCount, paymentWindowMinutes: flashSales.paymentWindowMinutes, endsAt: flashSales.endsAt })
    .from(flashSales)
    .where(and(eq(flashSales.status, 'scheduled'), lte(flashSales.startsAt, now), gt(flashSales.endsAt, now - 24 * 3_600_000)));
  const open = live.filter((c) => c.endsAt + c.paymentWindowMinutes * 60_000 > now);
  if (open.length === 0) return { written: 0, failed: 0 };
  const items = await db
    .select({ id: flashSaleItems.id, flashSaleId: flashSaleItems.flashSaleId })
    .from(flashSaleItems)
    .where(
      inArray(
        flashSaleItems.flashSaleId,
        open.map((c) => c.id),
      ),
    );
  const shardsOf = new Map(open.map((c) => [c.id, c.shardCount]));
  const held = await Promise.all(
    items.flatMap((item) =>
      Array.from({ length: shardsOf.get(item.flashSaleId)! }, async (_, shard) => {
        try {
          const intents = await flashStockStub(env, item.id, shard).heldIntents(now - QUEUE_GRACE_MS);
          return intents.map((r) => jobFromReservation({ itemId: item.id, shard }, r)).filter((j): j is FlashOrderJob => j !== null);
        } catch (error) {
          logEvent('error', 'reading held reservations failed', { item_id: item.id, shard, error });
          return [];
        }
      }),
    ),
  );
  const missing = await jobsWithoutOrders(db, held.flat());
  let failed = 0;
  for (let i = 0; i < missing.length; i += 100) failed += (await writeFlashOrders(db, missing.slice(i, i + 100), env.SHOP_TIME_ZONE)).length;
  if (missing.length) logEvent('warn', 'flash orders the queue had not written were written by the sweep', { written: missing.length - failed, failed });
  return { written: missing.length - failed, failed };
}
