// The FlashSaleStock object's RPC types: what the worker sends it and what it answers. Services
// import these (types only); the object's code lives in flash-sale-stock.ts.
import type { DailySlot } from '../src/domain/flash-sale-slots';

export type FlashStockConfig = {
  itemId: string;
  flashSaleId: string;
  skuId: string;
  shard: number;
  shardCount: number;
  startsAt: number;
  endsAt: number;
  perUserLimit: number;
  perOrderLimit: number;
  holdMs: number;
  initialStock: number;
  /** Recurring daily slots in `timeZone`; null: open for the whole window. */
  dailySlots: DailySlot[] | null;
  timeZone: string;
};

export type ReserveRequest = {
  reservationId: string;
  userId: string;
  quantity: number;
  nowMs: number;
  /** The shopper's Idempotency-Key: one reservation per key and shopper. */
  idempotencyKey?: string;
  /** Opaque to the object: what the worker needs to write the order later (JSON). */
  orderIntent?: string;
};

export type ReserveRefusal = 'not_configured' | 'not_started' | 'ended' | 'per_order_limit' | 'per_user_limit' | 'sold_out' | 'rate_limited' | 'idempotency_key_reused';

export type ReserveResult =
  | {
      ok: true;
      reservationId: string;
      quantity: number;
      expiresAt: number;
      createdAt: number;
      available: number;
      /** The reservation existed before this call (a retry): its order may have moved on since. */
      replayed: boolean;
      status: ReservationStatus;
    }
  | {
      ok: false;
      reason: ReserveRefusal;
      retryAfterMs?: number;
      available?: number;
      held?: number;
      /**
       * With sold_out: the shoppers whose reservations this shard still holds or has sold. The
       * worker refuses later buyers from memory, except these (a winner's retry is answered by
       * the object; a winner's new attempt is refused there, by the per-user limit or the stock).
       */
      holders?: string[];
    };

/** A reservation with what its order is written from (ReserveRequest.orderIntent). */
export type ReservationIntent = { id: string; userId: string; quantity: number; status: ReservationStatus; expiresAt: number; createdAt: number; orderIntent: string | null };

export type ReservationStatus = 'held' | 'paid' | 'released';

export type ReservationView = { id: string; userId: string; quantity: number; status: ReservationStatus; expiresAt: number; orderId: string | null };

export type LedgerTotals = { initial: number; borrowedIn: number; transferredOut: number; released: number; closedOut: number };

export type FlashStockSnapshot = {
  config: (FlashStockConfig & { closedOutAt: number | null }) | null;
  available: number;
  held: number;
  paid: number;
  released: number;
  /** Unit totals of the stock ledger; see the invariant at the top of this file. */
  ledger: LedgerTotals;
  reservations: ReservationView[];
};

export type CloseOutResult = { returned: number; held: number; refused?: 'not_configured' | 'not_ended' | 'reservations_held' | 'transfers_pending' };
