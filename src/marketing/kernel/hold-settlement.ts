// What happens to a hold kept by a Durable Object (a flash-sale reservation, a group-buy seat)
// once it has expired. The object asks here (through its port) before it gives the units or the
// seat back: the order the hold became is closed at WeChat Pay and cancelled first, or found paid
// (DESIGN.md: never release stock that may still be paid for).
import { createDb } from '../../db/client';
import type { Env } from '../../env';
import { systemClock } from '../../lib/clock';
import { ApiError } from '../../lib/errors';
import type { ExpiredHold } from '../../../durable-objects/port';
import type { HoldSettlement } from '../../domain/order-source';
import { findOrderBySource } from '../../services/orders';
import { cancelUnpaidOrder, noOrderHooks } from '../../services/payments';
import { payClientOf } from '../../services/wechat';
import { logEvent } from '../../lib/log';

/** How long after its expiry a hold with no order is still given a chance to get one. */
const ORDER_WRITE_GRACE_MS = 60_000;

/**
 * The order the hold became is closed at WeChat Pay and cancelled, or found paid. `expiresAt`
 * unknown means the hold is over for good (no grace for an order still being written).
 */
export async function settleExpiredHold(env: Env, hold: ExpiredHold, nowMs: number): Promise<HoldSettlement> {
  const db = createDb(env.DB);
  const order = await findOrderBySource(db, hold.source, hold.sourceRef);
  if (!order) {
    // The reserve request may still be writing its order; no order means nothing can be paid.
    return hold.expiresAt !== undefined && nowMs < hold.expiresAt + ORDER_WRITE_GRACE_MS ? 'retry' : 'release';
  }
  if (order.status === 'cancelled') return 'release';
  if (order.status !== 'pending_payment') return 'paid';
  try {
    const outcome = await cancelUnpaidOrder(db, payClientOf(env, systemClock), order, { event: 'expire', actor: { type: 'system', id: null }, reason: hold.reason }, nowMs, noOrderHooks);
    return outcome === 'paid' ? 'paid' : 'release';
  } catch (error) {
    // WeChat Pay unreachable, or another path is cancelling it right now: ask again shortly.
    if (!(error instanceof ApiError && error.code === 'concurrent_change')) logEvent('error', 'hold settlement failed', { hold, error });
    return 'retry';
  }
}
