// What happens to a flash-sale reservation whose hold has expired. The FlashSaleStock object
// asks here before it gives units back: the order's WeChat Pay transaction is closed and the
// order cancelled first (DESIGN.md: never release stock that may still be paid for).
import { and, eq } from 'drizzle-orm';
import { orders } from '../db/orders';
import { createDb } from '../db/client';
import { reservationRef } from '../domain/flash-sale';
import type { Env } from '../env';
import { systemClock } from '../lib/clock';
import { ApiError } from '../lib/errors';
import { cancelUnpaidOrder, noOrderHooks } from './payments';
import { payClientOf } from './wechat';

/** How long after its expiry a reservation with no order is still given a chance to get one. */
const ORDER_WRITE_GRACE_MS = 60_000;

export async function settleExpiredReservation(
  env: Env,
  ref: { itemId: string; shard: number; reservationId: string },
  nowMs: number,
  reservation?: { expiresAt: number },
): Promise<'release' | 'paid' | 'retry'> {
  const db = createDb(env.DB);
  const order = await db.query.orders.findFirst({ where: and(eq(orders.source, 'flash_sale'), eq(orders.sourceRef, reservationRef(ref))) });
  if (!order) {
    // The reserve request may still be writing its order; no order means nothing can be paid.
    return reservation && nowMs < reservation.expiresAt + ORDER_WRITE_GRACE_MS ? 'retry' : 'release';
  }
  if (order.status === 'cancelled') return 'release';
  if (order.status !== 'pending_payment') return 'paid';
  try {
    const outcome = await cancelUnpaidOrder(db, payClientOf(env, systemClock), order, { event: 'expire', actor: { type: 'system', id: null }, reason: 'Flash-sale hold expired.' }, nowMs, noOrderHooks);
    return outcome === 'paid' ? 'paid' : 'release';
  } catch (error) {
    // WeChat Pay unreachable, or another path is cancelling it right now: ask again shortly.
    if (!(error instanceof ApiError && error.code === 'concurrent_change')) console.error('flash settlement failed', ref, error);
    return 'retry';
  }
}
