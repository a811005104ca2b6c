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
  return settleExpiredHold(env, { source: 'flash_sale', sourceRef: reservationRef(ref) }, nowMs, { expiresAt: reservation?.expiresAt, reason: 'Flash-sale hold expired.' });
}

/**
 * The same for any hold kept by an object (a flash-sale reservation, a group-buy seat): the
 * order it became is closed at WeChat Pay and cancelled, or found paid. `expiresAt` unknown
 * means the hold is over for good (no grace for an order still being written).
 */
export async function settleExpiredHold(
  env: Env,
  hold: { source: 'flash_sale' | 'group_buy'; sourceRef: string },
  nowMs: number,
  opts: { expiresAt?: number | undefined; reason: string },
): Promise<'release' | 'paid' | 'retry'> {
  const db = createDb(env.DB);
  const order = await db.query.orders.findFirst({ where: and(eq(orders.source, hold.source), eq(orders.sourceRef, hold.sourceRef)) });
  if (!order) {
    // The reserve request may still be writing its order; no order means nothing can be paid.
    return opts.expiresAt !== undefined && nowMs < opts.expiresAt + ORDER_WRITE_GRACE_MS ? 'retry' : 'release';
  }
  if (order.status === 'cancelled') return 'release';
  if (order.status !== 'pending_payment') return 'paid';
  try {
    const outcome = await cancelUnpaidOrder(db, payClientOf(env, systemClock), order, { event: 'expire', actor: { type: 'system', id: null }, reason: opts.reason }, nowMs, noOrderHooks);
    return outcome === 'paid' ? 'paid' : 'release';
  } catch (error) {
    // WeChat Pay unreachable, or another path is cancelling it right now: ask again shortly.
    if (!(error instanceof ApiError && error.code === 'concurrent_change')) console.error('hold settlement failed', hold, error);
    return 'retry';
  }
}
