// FlashSaleStock: the serialisation point for the flash stock of ONE campaign SKU shard
// (object name = stockObjectName(itemId, shard)). Every check and the write it guards run in
// one synchronous transaction, so concurrent reservations can never oversell; the only awaits
// are around calls to other objects/D1, and state is re-read after each of them.
//
// Units are in exactly one of: available, held (reserved, unpaid), paid. The ledger explains
// every movement in and out of the shard, so that for every object:
//   initial + borrowed_in − transferred_out − closed_out = available + held + paid
import { stockObjectName } from '../src/domain/flash-sale';
import { dailySlotProblems, salesMomentAt, type DailySlot, type SalesWindow } from '../src/domain/flash-sale-slots';
import type { Env } from '../src/env';
import { newId } from '../src/lib/ids';
import { settleExpiredReservation } from '../src/services/flash-settlement';
import { inParallel } from '../src/lib/in-parallel';
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import { logEvent } from '../src/lib/log';

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

export type ReserveRequest = { reservationId: string; userId: string; quantity: number; nowMs: number };

export type ReserveRefusal = 'not_configured' | 'not_started' | 'ended' | 'per_order_limit' | 'per_user_limit' | 'sold_out' | 'rate_limited';

export type ReserveResult =
  | { ok: true; reservationId: string; quantity: number; expiresAt: number; available: number }
  | { ok: false; reason: ReserveRefusal; retryAfterMs?: number; available?: number; held?: number };

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

/** Admission control: at most this many reserve attempts per user per window, per object. */
const ATTEMPTS_PER_WINDOW = 5;
const ATTEMPT_WINDOW_MS = 5_000;
/** An expired hold whose settlement said "retry" (order still being written, WeChat Pay down). */
const SETTLE_RETRY_MS = 30_000;
/** Expired holds settled per alarm run, and how many settlements run at once. */
const SETTLE_BATCH = 200;
const SETTLE_PARALLEL = 8;
/** A sibling that had nothing to give is not asked again for this long. */
const DRY_SIBLING_MS = 1_000;
/** A borrow whose answer was lost is retried (same transfer id) by the alarm after this. */
const TRANSFER_RECOVERY_MS = 30_000;

const schema: readonly SchemaStep[] = [
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
    -- A reservation leaves 'held' once, and never comes back to it.
    CREATE TRIGGER reservations_settle_once BEFORE UPDATE OF status ON reservations
      WHEN OLD.status <> 'held' AND NEW.status <> OLD.status
      BEGIN SELECT RAISE(ABORT, 'reservation already settled'); END;
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
];

type ConfigRow = {
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

type ReservationRow = { id: string; user_id: string; quantity: number; status: ReservationStatus; expires_at: number; order_id: string | null };

type BorrowRound = { demand: number; done: Promise<void> };

export class FlashSaleStock extends SqlDurableObject<Env> {
  /** Reserve attempts per user (real time), for admission control; lost on restart, by design. */
  private readonly attempts = new Map<string, number[]>();
  private attemptsSincePrune = 0;
  /** Borrowing from siblings: one round at a time; demand arriving meanwhile joins the next. */
  private borrowChain: Promise<void> = Promise.resolve();
  private openRound: BorrowRound | null = null;
  private readonly siblingDryUntil = new Map<number, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, schema);
  }

  // ---------------------------------------------------------------- configuration

  async configure(c: FlashStockConfig): Promise<{ configured: 'new' | 'unchanged' | 'updated' }> {
    validateConfig(c);
    const now = this.clock.now();
    const slotsJson = c.dailySlots && c.dailySlots.length ? JSON.stringify(c.dailySlots) : null;
    return this.ctx.storage.transactionSync(() => {
      const existing = this.config();
      if (!existing) {
        this.sql.exec(
          `INSERT INTO config (id, item_id, flash_sale_id, sku_id, shard, shard_count, starts_at, ends_at, per_user_limit, per_order_limit, hold_ms, initial_stock, daily_slots, time_zone, configured_at, updated_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          c.itemId, c.flashSaleId, c.skuId, c.shard, c.shardCount, c.startsAt, c.endsAt, c.perUserLimit, c.perOrderLimit, c.holdMs, c.initialStock, slotsJson, c.timeZone, now, now,
        );
        this.sql.exec('INSERT INTO stock (id, available) VALUES (1, ?)', c.initialStock);
        this.sql.exec("INSERT INTO ledger (kind, quantity, note, at) VALUES ('initial', ?, 'configured', ?)", c.initialStock, now);
        return { configured: 'new' as const };
      }
      // The identity of an object never changes: a mismatch is a caller bug, not an edit.
      const identity = [
        ['itemId', existing.item_id, c.itemId],
        ['flashSaleId', existing.flash_sale_id, c.flashSaleId],
        ['skuId', existing.sku_id, c.skuId],
        ['shard', existing.shard, c.shard],
        ['shardCount', existing.shard_count, c.shardCount],
      ] as const;
      for (const [field, was, now] of identity) if (was !== now) throw new Error(`FlashSaleStock ${stockObjectName(existing.item_id, existing.shard)}: ${field} is ${was}, not ${now}`);
      // Only the window, the slots, the limits and the hold may change; stock is set once
      // (initialStock of a later call is ignored, so a repeated configure can never add units).
      const same =
        existing.starts_at === c.startsAt && existing.ends_at === c.endsAt && existing.per_user_limit === c.perUserLimit && existing.per_order_limit === c.perOrderLimit && existing.hold_ms === c.holdMs;
      if (same && existing.daily_slots === slotsJson && existing.time_zone === c.timeZone) return { configured: 'unchanged' as const };
      this.sql.exec(
        'UPDATE config SET starts_at = ?, ends_at = ?, per_user_limit = ?, per_order_limit = ?, hold_ms = ?, daily_slots = ?, time_zone = ?, updated_at = ? WHERE id = 1',
        c.startsAt, c.endsAt, c.perUserLimit, c.perOrderLimit, c.holdMs, slotsJson, c.timeZone, now,
      );
      return { configured: 'updated' as const };
    });
  }

  // ---------------------------------------------------------------- reserving

  async reserve(r: ReserveRequest): Promise<ReserveResult> {
    validateReserve(r);
    // A replay of a known reservation is answered before admission control: retries are free.
    const replay = this.replay(r.reservationId);
    if (replay) return replay;
    const limited = this.admit(r.userId);
    if (limited) return limited;

    let result = this.tryReserve(r);
    if (!result.ok && result.reason === 'sold_out') {
      const config = this.config();
      const missing = r.quantity - (result.available ?? 0);
      if (config && config.shard_count > 1 && this.anySiblingMayHaveStock(config)) {
        try {
          await this.joinBorrowRound(missing);
        } catch (error) {
          logEvent('error', 'flash stock: borrowing failed', { object: stockObjectName(config.item_id, config.shard), error });
        }
        // Other requests ran during the borrow (maybe this very reservation id): check again.
        result = this.tryReserve(r);
      }
    }
    if (result.ok) await this.armAlarmNoLaterThan(this.reservationDueAt(result.reservationId));
    return result;
  }

  /** All the checks and the write, with no await in between: one atomic step. */
  private tryReserve(r: ReserveRequest): ReserveResult {
    return this.ctx.storage.transactionSync((): ReserveResult => {
      const replay = this.replay(r.reservationId);
      if (replay) return replay;
      const config = this.config();
      if (!config) return { ok: false, reason: 'not_configured' };
      const moment = salesMomentAt(salesWindowOf(config), r.nowMs, config.time_zone);
      if (moment.state === 'ended' || config.closed_out_at !== null) return { ok: false, reason: 'ended' };
      if (moment.state === 'closed') return { ok: false, reason: 'not_started', retryAfterMs: moment.opensAt - r.nowMs };
      if (r.quantity > config.per_order_limit) return { ok: false, reason: 'per_order_limit' };
      const userUnits = this.sql
        .exec<{ units: number }>("SELECT coalesce(sum(quantity), 0) AS units FROM reservations WHERE user_id = ? AND status IN ('held', 'paid')", r.userId)
        .one().units;
      if (userUnits + r.quantity > config.per_user_limit) return { ok: false, reason: 'per_user_limit', held: userUnits };
      if (config.available < r.quantity) return { ok: false, reason: 'sold_out', available: config.available, held: this.unitsIn('held') };
      const expiresAt = r.nowMs + config.hold_ms;
      // The alarm runs on real time, the hold on the caller's clock. A hold is settled no earlier
      // than its expiry and no earlier than holdMs of the object's own time: a caller whose clock
      // lags can never make units come back before the shopper had the whole hold to pay.
      const dueAt = Math.max(expiresAt, this.clock.now() + config.hold_ms);
      // CHECK (available >= 0) backs the test above: a bug here fails loudly instead of overselling.
      this.sql.exec('UPDATE stock SET available = available - ? WHERE id = 1', r.quantity);
      this.sql.exec(
        "INSERT INTO reservations (id, user_id, quantity, status, expires_at, due_at, created_at) VALUES (?, ?, ?, 'held', ?, ?, ?)",
        r.reservationId, r.userId, r.quantity, expiresAt, dueAt, r.nowMs,
      );
      return { ok: true, reservationId: r.reservationId, quantity: r.quantity, expiresAt, available: config.available - r.quantity };
    });
  }

  /** The answer for a reservation id seen before: the same reservation, never a second one. */
  private replay(reservationId: string): ReserveResult | null {
    const row = this.reservation(reservationId);
    if (!row) return null;
    if (row.status === 'released') return { ok: false, reason: 'sold_out', available: this.available(), held: this.unitsIn('held') };
    return { ok: true, reservationId: row.id, quantity: row.quantity, expiresAt: row.expires_at, available: this.available() };
  }

  /** At most ATTEMPTS_PER_WINDOW attempts per user per window; counted on the real clock. */
  private admit(userId: string): ReserveResult | null {
    const now = this.clock.now();
    const since = now - ATTEMPT_WINDOW_MS;
    const recent = (this.attempts.get(userId) ?? []).filter((t) => t > since);
    if (++this.attemptsSincePrune >= 1_000) this.pruneAttempts(since);
    if (recent.length >= ATTEMPTS_PER_WINDOW) {
      this.attempts.set(userId, recent);
      return { ok: false, reason: 'rate_limited', retryAfterMs: Math.max(1, recent[0]! + ATTEMPT_WINDOW_MS - now) };
    }
    recent.push(now);
    this.attempts.set(userId, recent);
    return null;
  }

  private pruneAttempts(since: number) {
    this.attemptsSincePrune = 0;
    for (const [user, stamps] of this.attempts) if (stamps[stamps.length - 1]! <= since) this.attempts.delete(user);
  }

  // ---------------------------------------------------------------- borrowing between shards

  private anySiblingMayHaveStock(config: ConfigRow): boolean {
    const now = this.clock.now();
    for (let j = 0; j < config.shard_count; j++) if (j !== config.shard && (this.siblingDryUntil.get(j) ?? 0) <= now) return true;
    return false;
  }

  /**
   * Dry requests share borrow rounds: one round runs at a time, and the demand of every request
   * that arrives while it runs is borrowed together in the next one (not one RPC per request).
   */
  private joinBorrowRound(missing: number): Promise<void> {
    if (!this.openRound) {
      const round: BorrowRound = { demand: 0, done: Promise.resolve() };
      round.done = this.borrowChain.then(async () => {
        if (this.openRound === round) this.openRound = null; // later demand goes to the next round
        await this.borrowFromSiblings(round.demand);
      });
      this.borrowChain = round.done.catch(() => undefined);
      this.openRound = round;
    }
    this.openRound.demand += missing;
    return this.openRound.done;
  }

  private async borrowFromSiblings(demand: number): Promise<void> {
    const config = this.config();
    if (!config || demand <= 0) return;
    // If this object dies while a transfer is in flight, the alarm asks again with the same id.
    await this.armAlarmNoLaterThan(this.clock.now() + TRANSFER_RECOVERY_MS);
    try {
      await this.recoverPendingTransfers();
      await this.borrow(config, demand);
    } finally {
      await this.syncAlarm();
    }
  }

  private async borrow(config: ConfigRow, demand: number): Promise<void> {
    let remaining = demand;
    for (let step = 1; step < config.shard_count && remaining > 0; step++) {
      const sibling = (config.shard + step) % config.shard_count;
      if ((this.siblingDryUntil.get(sibling) ?? 0) > this.clock.now()) continue;
      const transferId = newId('trf');
      const now = this.clock.now();
      this.sql.exec("INSERT INTO transfers_in (id, from_shard, requested, status, created_at, retry_at) VALUES (?, ?, ?, 'pending', ?, ?)", transferId, sibling, remaining, now, now + TRANSFER_RECOVERY_MS);
      const received = await this.askSibling(config, sibling, remaining, transferId);
      if (received === null) continue; // stays pending: the alarm asks again
      this.recordTransferIn(transferId, received);
      if (received < remaining) this.siblingDryUntil.set(sibling, this.clock.now() + DRY_SIBLING_MS);
      remaining -= received;
    }
  }

  private async askSibling(config: ConfigRow, sibling: number, quantity: number, transferId: string): Promise<number | null> {
    try {
      const stub = this.env.FLASH_SALE_STOCK.get(this.env.FLASH_SALE_STOCK.idFromName(stockObjectName(config.item_id, sibling)));
      return await stub.transferOut(quantity, { transferId, toShard: config.shard });
    } catch (error) {
      logEvent('error', 'flash stock: transfer from sibling failed', { object: stockObjectName(config.item_id, sibling), transfer_id: transferId, error });
      return null;
    }
  }

  /** Books what a sibling gave, once per transfer id (a recovered transfer may answer twice). */
  private recordTransferIn(transferId: string, received: number) {
    this.ctx.storage.transactionSync(() => {
      const pending = this.sql.exec<{ from_shard: number }>("SELECT from_shard FROM transfers_in WHERE id = ? AND status = 'pending'", transferId).toArray()[0];
      if (!pending) return;
      const now = this.clock.now();
      this.sql.exec("UPDATE transfers_in SET status = 'done', received = ?, settled_at = ? WHERE id = ?", received, now, transferId);
      if (received > 0) {
        this.sql.exec('UPDATE stock SET available = available + ? WHERE id = 1', received);
        this.sql.exec("INSERT INTO ledger (kind, quantity, transfer_id, counterpart_shard, at) VALUES ('borrowed_in', ?, ?, ?, ?)", received, transferId, pending.from_shard, now);
      }
    });
  }

  /** Transfers whose answer never arrived: asking again with the same id returns the same units. */
  private async recoverPendingTransfers(): Promise<void> {
    const config = this.config();
    if (!config) return;
    const pending = this.sql.exec<{ id: string; from_shard: number; requested: number }>("SELECT id, from_shard, requested FROM transfers_in WHERE status = 'pending'").toArray();
    for (const t of pending) {
      const received = await this.askSibling(config, t.from_shard, t.requested, t.id);
      if (received !== null) this.recordTransferIn(t.id, received);
      else this.sql.exec("UPDATE transfers_in SET retry_at = ? WHERE id = ? AND status = 'pending'", this.clock.now() + TRANSFER_RECOVERY_MS, t.id);
    }
  }

  /**
   * Gives a sibling shard up to `quantity` available (unreserved) units; returns how many.
   * With a transfer id the call is idempotent: asking again returns what was given the first time.
   */
  async transferOut(quantity: number, transfer?: { transferId: string; toShard: number }): Promise<number> {
    if (!Number.isInteger(quantity) || quantity < 0) throw new TypeError('transferOut: quantity must be a non-negative integer');
    return this.ctx.storage.transactionSync(() => {
      if (transfer) {
        const earlier = this.sql.exec<{ quantity: number }>("SELECT quantity FROM ledger WHERE transfer_id = ? AND kind = 'transferred_out'", transfer.transferId).toArray()[0];
        if (earlier) return earlier.quantity;
      }
      const config = this.config();
      if (!config || config.closed_out_at !== null) return 0;
      const given = Math.min(quantity, config.available);
      if (given === 0) return 0;
      this.sql.exec('UPDATE stock SET available = available - ? WHERE id = 1', given);
      this.sql.exec(
        "INSERT INTO ledger (kind, quantity, transfer_id, counterpart_shard, at) VALUES ('transferred_out', ?, ?, ?, ?)",
        given, transfer?.transferId ?? null, transfer?.toShard ?? null, this.clock.now(),
      );
      return given;
    });
  }

  // ---------------------------------------------------------------- settling reservations

  async confirmPaid(reservationId: string, orderId: string): Promise<'paid' | 'already_paid' | 'released' | 'unknown'> {
    return this.ctx.storage.transactionSync(() => {
      const row = this.reservation(reservationId);
      if (!row) return 'unknown';
      if (row.status === 'paid') {
        if (row.order_id !== orderId) logEvent('warn', 'flash stock: reservation paid by another order', { reservation_id: reservationId, order_id: row.order_id, paying_order_id: orderId });
        return 'already_paid';
      }
      if (row.status === 'released') return 'released';
      this.markPaid(reservationId, orderId);
      return 'paid';
    });
  }

  async release(reservationId: string, reason: string): Promise<'released' | 'already_released' | 'paid' | 'unknown'> {
    return this.ctx.storage.transactionSync(() => {
      const row = this.reservation(reservationId);
      if (!row) return 'unknown';
      if (row.status === 'released') return 'already_released';
      if (row.status === 'paid') return 'paid';
      this.releaseHeld(row, reason);
      return 'released';
    });
  }

  /** held → paid. Call inside a transaction, after checking the row is held. */
  private markPaid(reservationId: string, orderId: string | null) {
    this.sql.exec("UPDATE reservations SET status = 'paid', order_id = coalesce(?, order_id), settled_at = ? WHERE id = ? AND status = 'held'", orderId, this.clock.now(), reservationId);
  }

  /** held → released, units back to available. Call inside a transaction, after checking. */
  private releaseHeld(row: ReservationRow, reason: string) {
    const now = this.clock.now();
    this.sql.exec("UPDATE reservations SET status = 'released', settled_at = ?, release_reason = ? WHERE id = ? AND status = 'held'", now, reason, row.id);
    this.sql.exec('UPDATE stock SET available = available + ? WHERE id = 1', row.quantity);
    this.sql.exec("INSERT INTO ledger (kind, quantity, reservation_id, note, at) VALUES ('released', ?, ?, ?, ?)", row.quantity, row.id, reason, now);
  }

  /**
   * Releases held reservations whose hold has expired, but only once the outside world agrees
   * (the order's WeChat Pay transaction is closed, or there is no order). At-least-once safe.
   */
  override async alarm(): Promise<void> {
    const now = this.clock.now();
    const config = this.config();
    if (!config) return;
    await this.recoverPendingTransfers();
    const expired = this.sql
      .exec<ReservationRow>("SELECT id, user_id, quantity, status, expires_at, order_id FROM reservations WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at LIMIT ?", now, SETTLE_BATCH)
      .toArray();
    await inParallel(expired, SETTLE_PARALLEL, async (r) => {
      let outcome: 'release' | 'paid' | 'retry';
      try {
        outcome = await settleExpiredReservation(this.env, { itemId: config.item_id, shard: config.shard, reservationId: r.id }, now, { expiresAt: r.expires_at });
      } catch (error) {
        logEvent('error', 'flash stock: settling an expired hold failed', { reservation_id: r.id, error });
        outcome = 'retry';
      }
      // Requests ran during the await (confirmPaid, release): act only if it is still held.
      this.ctx.storage.transactionSync(() => {
        const current = this.reservation(r.id);
        if (current?.status !== 'held') return;
        if (outcome === 'release') this.releaseHeld(current, 'expired');
        else if (outcome === 'paid') this.markPaid(r.id, null);
        else this.sql.exec('UPDATE reservations SET due_at = ? WHERE id = ?', this.clock.now() + SETTLE_RETRY_MS, r.id);
      });
    });
    // A full batch means more may be waiting: come back at once. Otherwise the next due time.
    await this.rearmAlarm(expired.length === SETTLE_BATCH ? this.clock.now() : this.nextAlarmAt());
  }

  /** What the alarm waits for next: the earliest due hold, or a transfer whose answer was lost. */
  protected override nextAlarmAt(): number | null {
    const held = this.sql.exec<{ t: number | null }>("SELECT min(due_at) AS t FROM reservations WHERE status = 'held'").one().t;
    const transfer = this.sql.exec<{ t: number | null }>("SELECT min(retry_at) AS t FROM transfers_in WHERE status = 'pending'").one().t;
    return held === null ? transfer : transfer === null ? held : Math.min(held, transfer);
  }

  private reservationDueAt(id: string): number {
    return this.sql.exec<{ due_at: number }>('SELECT due_at FROM reservations WHERE id = ?', id).one().due_at;
  }

  // ---------------------------------------------------------------- end of the campaign

  /**
   * After the campaign has ended: takes the unsold units out (the caller gives them back to the
   * SKU). Idempotent: a second call returns 0. Refused while any reservation is still held.
   */
  async closeOut(nowMs: number = this.clock.now()): Promise<CloseOutResult> {
    await this.recoverPendingTransfers(); // units a sibling gave belong in what goes back
    return this.ctx.storage.transactionSync((): CloseOutResult => {
      const config = this.config();
      if (!config) return { returned: 0, held: 0, refused: 'not_configured' };
      const held = this.unitsIn('held');
      if (nowMs < config.ends_at) return { returned: 0, held, refused: 'not_ended' };
      if (held > 0) return { returned: 0, held, refused: 'reservations_held' };
      // A sibling that could not be reached may have given units this shard has not booked yet.
      if (this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM transfers_in WHERE status = 'pending'").one().n > 0) return { returned: 0, held, refused: 'transfers_pending' };
      const returned = config.available;
      this.sql.exec('UPDATE stock SET available = 0, closed_out_at = coalesce(closed_out_at, ?) WHERE id = 1', nowMs);
      if (returned > 0) this.sql.exec("INSERT INTO ledger (kind, quantity, note, at) VALUES ('closed_out', ?, 'campaign ended', ?)", returned, nowMs);
      return { returned, held: 0 };
    });
  }

  // ---------------------------------------------------------------- reading

  async snapshot(): Promise<FlashStockSnapshot> {
    const config = this.config();
    const reservations = this.sql
      .exec<ReservationRow>('SELECT id, user_id, quantity, status, expires_at, order_id FROM reservations ORDER BY created_at, id')
      .toArray()
      .map((r) => ({ id: r.id, userId: r.user_id, quantity: r.quantity, status: r.status, expiresAt: r.expires_at, orderId: r.order_id }));
    const units = (status: ReservationStatus) => reservations.reduce((n, r) => (r.status === status ? n + r.quantity : n), 0);
    return {
      config: config && {
        itemId: config.item_id,
        flashSaleId: config.flash_sale_id,
        skuId: config.sku_id,
        shard: config.shard,
        shardCount: config.shard_count,
        startsAt: config.starts_at,
        endsAt: config.ends_at,
        perUserLimit: config.per_user_limit,
        perOrderLimit: config.per_order_limit,
        holdMs: config.hold_ms,
        initialStock: config.initial_stock,
        dailySlots: salesWindowOf(config).dailySlots,
        timeZone: config.time_zone,
        closedOutAt: config.closed_out_at,
      },
      available: config?.available ?? 0,
      held: units('held'),
      paid: units('paid'),
      released: units('released'),
      ledger: this.ledgerTotals(),
      reservations,
    };
  }

  private config(): ConfigRow | null {
    return this.sql.exec<ConfigRow>('SELECT config.*, stock.available, stock.closed_out_at FROM config JOIN stock ON stock.id = 1 WHERE config.id = 1').toArray()[0] ?? null;
  }

  private available(): number {
    return this.sql.exec<{ available: number }>('SELECT available FROM stock WHERE id = 1').toArray()[0]?.available ?? 0;
  }

  private reservation(id: string): ReservationRow | null {
    return this.sql.exec<ReservationRow>('SELECT id, user_id, quantity, status, expires_at, order_id FROM reservations WHERE id = ?', id).toArray()[0] ?? null;
  }

  private unitsIn(status: ReservationStatus): number {
    return this.sql.exec<{ units: number }>('SELECT coalesce(sum(quantity), 0) AS units FROM reservations WHERE status = ?', status).one().units;
  }

  private ledgerTotals(): LedgerTotals {
    const totals: LedgerTotals = { initial: 0, borrowedIn: 0, transferredOut: 0, released: 0, closedOut: 0 };
    const key = { initial: 'initial', borrowed_in: 'borrowedIn', transferred_out: 'transferredOut', released: 'released', closed_out: 'closedOut' } as const;
    for (const row of this.sql.exec<{ kind: keyof typeof key; units: number }>('SELECT kind, sum(quantity) AS units FROM ledger GROUP BY kind')) totals[key[row.kind]] = row.units;
    return totals;
  }
}

const salesWindowOf = (config: ConfigRow): SalesWindow => ({
  startsAt: config.starts_at,
  endsAt: config.ends_at,
  dailySlots: config.daily_slots === null ? null : (JSON.parse(config.daily_slots) as DailySlot[]),
});

function validateConfig(c: FlashStockConfig) {
  const ints: (keyof FlashStockConfig)[] = ['shard', 'shardCount', 'startsAt', 'endsAt', 'perUserLimit', 'perOrderLimit', 'holdMs', 'initialStock'];
  for (const k of ints) if (!Number.isSafeInteger(c[k])) throw new TypeError(`configure: ${k} must be an integer`);
  if (!c.itemId || !c.flashSaleId || !c.skuId) throw new TypeError('configure: itemId, flashSaleId and skuId are required');
  if (c.endsAt <= c.startsAt) throw new RangeError('configure: endsAt must be after startsAt');
  if (c.shardCount < 1 || c.shard < 0 || c.shard >= c.shardCount) throw new RangeError('configure: shard out of range');
  if (c.perUserLimit < 1 || c.perOrderLimit < 1 || c.holdMs < 1 || c.initialStock < 0) throw new RangeError('configure: limits, holdMs and initialStock out of range');
  if (!c.timeZone) throw new TypeError('configure: timeZone is required');
  if (c.dailySlots && dailySlotProblems(c.dailySlots).length) throw new RangeError('configure: dailySlots overlap or end before they start');
}

function validateReserve(r: ReserveRequest) {
  if (!r.reservationId || !r.userId) throw new TypeError('reserve: reservationId and userId are required');
  if (!Number.isSafeInteger(r.quantity) || r.quantity < 1) throw new RangeError('reserve: quantity must be a positive integer');
  if (!Number.isSafeInteger(r.nowMs)) throw new TypeError('reserve: nowMs must be epoch milliseconds');
}
