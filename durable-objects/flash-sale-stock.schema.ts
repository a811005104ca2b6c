// FlashSaleStock's storage: the schema steps (append-only), the rows it reads, and the checks
// on what callers send. See flash-sale-stock.ts for the ledger invariant these tables keep.
import { dailySlotProblems, type DailySlot, type SalesWindow } from '../src/domain/flash-sale-slots';
import { ddl, type SchemaStep } from './base';
import type { FlashStockConfig, ReservationStatus, ReserveRequest } from './flash-sale-stock.types';
import { settleOnceTrigger } from './hold-ledger';

export const flashStockSchema: readonly SchemaStep[] = [
  ddl(`
    CREATE TABLE config (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      item_id TEXT NOT NULL,
      flash_sale_id TEXT NOT NULL,
      sku_id TEXT NOT NULL,
      shard INTEGER NOT NULL,
      shard_count INTEGER NOT NULL,
      starts_at INTEGER NOT NULL,
      ends_at INTEGER NOT NULL,
      per_user_limit INTEGER NOT NULL CHECK (per_user_limit >= 1),
      per_order_limit INTEGER NOT NULL CHECK (per_order_limit >= 1),
      hold_ms INTEGER NOT NULL CHECK (hold_ms >= 1),
      initial_stock INTEGER NOT NULL CHECK (initial_stock >= 0),
      configured_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      CHECK (shard_count >= 1 AND shard >= 0 AND shard < shard_count)
    );
    CREATE TABLE stock (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      available INTEGER NOT NULL CHECK (available >= 0),
      closed_out_at INTEGER
    );
    CREATE TABLE reservations (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity >= 1),
      status TEXT NOT NULL CHECK (status IN ('held', 'paid', 'released')),
      expires_at INTEGER NOT NULL,
      -- When the alarm should next look at this hold, on the object's real clock (see reserve).
      due_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      order_id TEXT,
      settled_at INTEGER,
      release_reason TEXT
    );
    CREATE INDEX reservations_user_idx ON reservations (user_id, status);
    CREATE INDEX reservations_expiry_idx ON reservations (status, expires_at);
    CREATE INDEX reservations_due_idx ON reservations (status, due_at);
    ${settleOnceTrigger('reservations', 'reservation already settled')}
    CREATE TABLE ledger (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL CHECK (kind IN ('initial', 'borrowed_in', 'transferred_out', 'released', 'closed_out')),
      quantity INTEGER NOT NULL CHECK (quantity >= 0),
      reservation_id TEXT,
      transfer_id TEXT,
      counterpart_shard INTEGER,
      note TEXT,
      at INTEGER NOT NULL
    );
    -- Guards that fail loudly: one release per reservation, one ledger row per transfer and side.
    CREATE UNIQUE INDEX ledger_release_once ON ledger (reservation_id) WHERE kind = 'released';
    CREATE UNIQUE INDEX ledger_transfer_once ON ledger (transfer_id, kind) WHERE transfer_id IS NOT NULL;
    -- Borrows from siblings, written before the call so a lost answer can be recovered.
    CREATE TABLE transfers_in (
      id TEXT PRIMARY KEY,
      from_shard INTEGER NOT NULL,
      requested INTEGER NOT NULL CHECK (requested >= 1),
      received INTEGER,
      status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
      created_at INTEGER NOT NULL,
      -- When the alarm asks the sibling again if the answer never arrives.
      retry_at INTEGER NOT NULL,
      settled_at INTEGER
    );
  `),
  // Recurring daily time slots (JSON of DailySlot[]) and the zone they are read in.
  ddl(`
    ALTER TABLE config ADD COLUMN daily_slots TEXT;
    ALTER TABLE config ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai';
  `),
  // The shopper's Idempotency-Key (one reservation per key and shopper: another body under the
  // same key is refused here, with no D1 read) and what the worker writes the order from, kept
  // with the hold so the order can be written after the shopper has heard "yes".
  ddl(`
    ALTER TABLE reservations ADD COLUMN idempotency_key TEXT;
    ALTER TABLE reservations ADD COLUMN order_intent TEXT;
    CREATE UNIQUE INDEX reservations_key_once ON reservations (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
  `),
];

export type ConfigRow = {
  item_id: string;
  flash_sale_id: string;
  sku_id: string;
  shard: number;
  shard_count: number;
  starts_at: number;
  ends_at: number;
  per_user_limit: number;
  per_order_limit: number;
  hold_ms: number;
  initial_stock: number;
  daily_slots: string | null;
  time_zone: string;
  closed_out_at: number | null;
  available: number;
};

export type ReservationRow = { id: string; user_id: string; quantity: number; status: ReservationStatus; expires_at: number; order_id: string | null };

export type IntentRow = ReservationRow & { created_at: number; order_intent: string | null };

export const salesWindowOf = (config: ConfigRow): SalesWindow => ({
  startsAt: config.starts_at,
  endsAt: config.ends_at,
  dailySlots: config.daily_slots === null ? null : (JSON.parse(config.daily_slots) as DailySlot[]),
});

export function validateConfig(c: FlashStockConfig) {
  const ints: (keyof FlashStockConfig)[] = ['shard', 'shardCount', 'startsAt', 'endsAt', 'perUserLimit', 'perOrderLimit', 'holdMs', 'initialStock'];
  for (const k of ints) if (!Number.isSafeInteger(c[k])) throw new TypeError(`configure: ${k} must be an integer`);
  if (!c.itemId || !c.flashSaleId || !c.skuId) throw new TypeError('configure: itemId, flashSaleId and skuId are required');
  if (c.endsAt <= c.startsAt) throw new RangeError('configure: endsAt must be after startsAt');
  if (c.shardCount < 1 || c.shard < 0 || c.shard >= c.shardCount) throw new RangeError('configure: shard out of range');
  if (c.perUserLimit < 1 || c.perOrderLimit < 1 || c.holdMs < 1 || c.initialStock < 0) throw new RangeError('configure: limits, holdMs and initialStock out of range');
  if (!c.timeZone) throw new TypeError('configure: timeZone is required');
  if (c.dailySlots && dailySlotProblems(c.dailySlots).length) throw new RangeError('configure: dailySlots overlap or end before they start');
}

/** An order intent is a few ids and hashes; anything larger is a caller bug. */
const MAX_ORDER_INTENT = 1_000;

export function validateReserve(r: ReserveRequest) {
  if (!r.reservationId || !r.userId) throw new TypeError('reserve: reservationId and userId are required');
  if (!Number.isSafeInteger(r.quantity) || r.quantity < 1) throw new RangeError('reserve: quantity must be a positive integer');
  if (!Number.isSafeInteger(r.nowMs)) throw new TypeError('reserve: nowMs must be epoch milliseconds');
  if (r.orderIntent !== undefined && r.orderIntent.length > MAX_ORDER_INTENT) throw new RangeError(`reserve: orderIntent over ${MAX_ORDER_INTENT} characters`);
}
