// What happens to a flash-sale reservation whose hold has expired: see hold-settlement.ts.
import { reservationRef } from '../domain/flash-sale';
import type { Env } from '../env';
import { settleExpiredHold } from './hold-settlement';

export async function settleExpiredReservation(
  env: Env,
  ref: { itemId: string; shard: number; reservationId: string },
  nowMs: number,
  reservation?: { expiresAt: number },
): Promise<'release' | 'paid' | 'retry'> {
  return settleExpiredHold(env, { source: 'flash_sale', sourceRef: reservationRef(ref) }, nowMs, { expiresAt: reservation?.expiresAt, reason: 'Flash-sale hold expired.' });
}
