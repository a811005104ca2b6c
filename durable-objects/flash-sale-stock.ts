// FlashSaleStock: the serialisation point for the flash stock of ONE campaign SKU shard
// (object name = stockObjectName(itemId, shard)). Every check and the write it guards run in
// one synchronous transaction, so concurrent reservations can never oversell; the only awaits
// are around calls to other objects/D1, and state is re-read after each of them.
//
// Units are in exactly one of: available, held (reserved, unpaid), paid. The ledger explains
// every movement in and out of the shard, so that for every object:
//   initial + borrowed_in − transferred_out − closed_out = available + held + paid
import { reservationRef, stockObjectName } from '../src/domain/flash-sale';
import { salesMomentAt } from '../src/domain/flash-sale-slots';
import { AdmissionControl } from './admission-control';
import { SqlDurableObject } from './base';
import { flashStockSchema, salesWindowOf, validateConfig, validateReserve, type ConfigRow, type IntentRow, type ReservationRow } from './flash-sale-stock.schema';
import type { CloseOutResult, FlashStockConfig, FlashStockSnapshot, LedgerTotals, ReservationIntent, ReservationStatus, ReserveRequest, ReserveResult } from './flash-sale-stock.types';
import { ShardTransfers } from './flash-sale-transfers';
import { dueOnObjectClock, HoldLedger, type ConfirmPaidOutcome, type ReleaseOutcome } from './hold-ledger';
import type { ObjectPort } from './port';
import { logEvent } from '../src/lib/log';

export type * from './flash-sale-stock.types';

/** An expired hold whose settlement said "retry" (order still being written, WeChat Pay down). */
const SETTLE_RETRY_MS = 30_000;
/** Expired holds settled per alarm run, and how many settlements run at once. */
const SETTLE_BATCH = 200;
const SETTLE_PARALLEL = 8;

const INTENT_COLUMNS = 'id, user_id, quantity, status, expires_at, order_id, created_at, order_intent';
const intentView = (r: IntentRow): ReservationIntent => ({
  id: r.id,
  userId: r.user_id,
  quantity: r.quantity,
  status: r.status,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  orderIntent: r.order_intent,
});

/** The one binding a shard needs: its own namespace, to reach its sibling shards. */
export type FlashStockEnv = { FLASH_SALE_STOCK: DurableObjectNamespace<FlashSaleStock> };

export class FlashSaleStock extends SqlDurableObject<FlashStockEnv> {
  /** Reserve attempts per user (real time); lost on restart, by design. */
  private readonly admission = new AdmissionControl(() => this.clock.now());
  private readonly holds: HoldLedger<ReservationRow>;
  private readonly transfers: ShardTransfers;

  constructor(
    ctx: DurableObjectState,
    env: FlashStockEnv,
    private readonly port: ObjectPort,
  ) {
    super(ctx, env, flashStockSchema);
    this.holds = new HoldLedger<ReservationRow>(ctx.storage, () => this.clock.now(), {
      table: 'reservations',
      read: (id) => this.reservation(id),
      // Units back to available, and the ledger says why.
      onReleased: (row, reason, at) => {
        this.sql.exec('UPDATE stock SET available = available + ? WHERE id = 1', row.quantity);
        this.sql.exec("INSERT INTO ledger (kind, quantity, reservation_id, note, at) VALUES ('released', ?, ?, ?, ?)", row.quantity, row.id, reason, at);
      },
    });
    this.transfers = new ShardTransfers({
      storage: ctx.storage,
      now: () => this.clock.now(),
      config: () => this.config(),
      // The sibling shards are objects of this same class (see stockObjectName).
      sibling: (shard) => this.env.FLASH_SALE_STOCK.get(this.env.FLASH_SALE_STOCK.idFromName(stockObjectName(this.config()!.item_id, shard))),
      armAlarmNoLaterThan: (at) => this.armAlarmNoLaterThan(at),
      syncAlarm: () => this.syncAlarm(),
    });
  }

  // ---------------------------------------------------------------- configuration

  async configure(c: FlashStockConfig): Promise<{ configured: 'new' | 'unchanged' | 'updated' }> {
    validateConfig(c);
    const now = this.clock.now();
    const slotsJson = c.dailySlots?.length ? JSON.stringify(c.dailySlots) : null;
    return this.ctx.storage.transactionSync(() => {
      const existing = this.config();
      if (!existing) {
        this.sql.exec(
          `INSERT INTO config (id, item_id, flash_sale_id, sku_id, shard, shard_count, starts_at, ends_at, per_user_limit, per_order_limit, hold_ms, initial_stock, daily_slots, time_zone, configured_at, updated_at)
           VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          c.itemId,
          c.flashSaleId,
          c.skuId,
          c.shard,
          c.shardCount,
          c.startsAt,
          c.endsAt,
          c.perUserLimit,
          c.perOrderLimit,
          c.holdMs,
          c.initialStock,
          slotsJson,
          c.timeZone,
          now,
          now,
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
        existing.starts_at === c.startsAt &&
        existing.ends_at === c.endsAt &&
        existing.per_user_limit === c.perUserLimit &&
        existing.per_order_limit === c.perOrderLimit &&
        existing.hold_ms === c.holdMs;
      if (same && existing.daily_slots === slotsJson && existing.time_zone === c.timeZone) return { configured: 'unchanged' as const };
      this.sql.exec(
        'UPDATE config SET starts_at = ?, ends_at = ?, per_user_limit = ?, per_order_limit = ?, hold_ms = ?, daily_slots = ?, time_zone = ?, updated_at = ? WHERE id = 1',
        c.startsAt,
        c.endsAt,
        c.perUserLimit,
        c.perOrderLimit,
        c.holdMs,
        slotsJson,
        c.timeZone,
        now,
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
    const retryAfterMs = this.admission.refusal(r.userId);
    if (retryAfterMs !== null) return { ok: false, reason: 'rate_limited', retryAfterMs };

    // Nothing ran since the replay check above (no await): the first attempt need not repeat it.
    let { result, dueAt } = this.tryReserve(r, { replayChecked: true });
    if (!result.ok && result.reason === 'sold_out') {
      const config = this.config();
      const missing = r.quantity - (result.available ?? 0);
      if (config && config.shard_count > 1 && this.transfers.anySiblingMayHaveStock(config)) {
        try {
          await this.transfers.joinBorrowRound(missing);
        } catch (error) {
          logEvent('error', 'flash stock: borrowing failed', { object: stockObjectName(config.item_id, config.shard), error });
        }
        // Other requests ran during the borrow (maybe this very reservation id): check again.
        ({ result, dueAt } = this.tryReserve(r, { replayChecked: false }));
      }
    }
    if (dueAt !== undefined) await this.armAlarmNoLaterThan(dueAt);
    return result;
  }

  /** All the checks and the write, with no await in between: one atomic step. `dueAt`: a new hold's. */
  private tryReserve(r: ReserveRequest, opts: { replayChecked: boolean }): { result: ReserveResult; dueAt?: number } {
    return this.ctx.storage.transactionSync(() => {
      // An answer that holds nothing new: a replay or a refusal (no alarm to arm).
      const noNewHold = (result: ReserveResult) => ({ result });
      const replay = opts.replayChecked ? null : this.replay(r.reservationId);
      if (replay) return noNewHold(replay);
      const config = this.config();
      if (!config) return noNewHold({ ok: false, reason: 'not_configured' });
      if (r.idempotencyKey !== undefined && this.keyTaken(r.userId, r.idempotencyKey)) return noNewHold({ ok: false, reason: 'idempotency_key_reused' });
      const moment = salesMomentAt(salesWindowOf(config), r.nowMs, config.time_zone);
      if (moment.state === 'ended' || config.closed_out_at !== null) return noNewHold({ ok: false, reason: 'ended' });
      if (moment.state === 'closed') return noNewHold({ ok: false, reason: 'not_started', retryAfterMs: moment.opensAt - r.nowMs });
      if (r.quantity > config.per_order_limit) return noNewHold({ ok: false, reason: 'per_order_limit' });
      const userUnits = this.sql.exec<{ units: number }>("SELECT coalesce(sum(quantity), 0) AS units FROM reservations WHERE user_id = ? AND status IN ('held', 'paid')", r.userId).one().units;
      if (userUnits + r.quantity > config.per_user_limit) return noNewHold({ ok: false, reason: 'per_user_limit', held: userUnits });
      if (config.available < r.quantity) return noNewHold(this.soldOut(config.available));
      const expiresAt = r.nowMs + config.hold_ms;
      const dueAt = dueOnObjectClock(expiresAt, r.nowMs, this.clock.now());
      // CHECK (available >= 0) backs the test above: a bug here fails loudly instead of overselling.
      this.sql.exec('UPDATE stock SET available = available - ? WHERE id = 1', r.quantity);
      this.sql.exec(
        "INSERT INTO reservations (id, user_id, quantity, status, expires_at, due_at, created_at, idempotency_key, order_intent) VALUES (?, ?, ?, 'held', ?, ?, ?, ?, ?)",
        r.reservationId,
        r.userId,
        r.quantity,
        expiresAt,
        dueAt,
        r.nowMs,
        r.idempotencyKey ?? null,
        r.orderIntent ?? null,
      );
      const result: ReserveResult = {
        ok: true,
        reservationId: r.reservationId,
        quantity: r.quantity,
        expiresAt,
        createdAt: r.nowMs,
        available: config.available - r.quantity,
        replayed: false,
        status: 'held',
      };
      return { result, dueAt };
    });
  }

  /**
   * The answer for a reservation id seen before: the same reservation, never a second one — also
   * when it has been paid for or released since (the worker answers with its order).
   */
  private replay(reservationId: string): ReserveResult | null {
    const row = this.intent(reservationId);
    if (!row) return null;
    return { ok: true, reservationId: row.id, quantity: row.quantity, expiresAt: row.expires_at, createdAt: row.created_at, available: this.available(), replayed: true, status: row.status };
  }

  private soldOut(available: number): ReserveResult {
    const holders = this.sql.exec<{ user_id: string }>("SELECT DISTINCT user_id FROM reservations WHERE status IN ('held', 'paid')").toArray();
    return { ok: false, reason: 'sold_out', available, held: this.unitsIn('held'), holders: holders.map((h) => h.user_id) };
  }

  private keyTaken(userId: string, idempotencyKey: string): boolean {
    return this.sql.exec('SELECT 1 FROM reservations WHERE user_id = ? AND idempotency_key = ?', userId, idempotencyKey).toArray().length > 0;
  }

  // ---------------------------------------------------------------- writing orders

  /** One reservation with its order intent: the worker writes the order from it when asked first. */
  async reservationIntent(reservationId: string): Promise<ReservationIntent | null> {
    const row = this.intent(reservationId);
    return row && intentView(row);
  }

  /**
   * Holds taken before `createdBefore` and still unpaid: the sweep writes the orders of any the
   * queue lost (it skips those D1 already has).
   */
  async heldIntents(createdBefore: number, limit = 500): Promise<ReservationIntent[]> {
    return this.sql
      .exec<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM reservations WHERE status = 'held' AND created_at < ? AND order_intent IS NOT NULL ORDER BY created_at LIMIT ?`, createdBefore, limit)
      .toArray()
      .map(intentView);
  }

  private intent(id: string): IntentRow | null {
    return this.sql.exec<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM reservations WHERE id = ?`, id).toArray()[0] ?? null;
  }

  // ---------------------------------------------------------------- settling reservations

  async confirmPaid(reservationId: string, orderId: string): Promise<ConfirmPaidOutcome> {
    return this.ctx.storage.transactionSync(() => this.holds.confirmPaid(reservationId, orderId));
  }

  async release(reservationId: string, reason: string): Promise<ReleaseOutcome> {
    return this.ctx.storage.transactionSync(() => this.holds.release(reservationId, reason));
  }

  /**
   * Releases held reservations whose hold has expired, but only once the outside world agrees
   * (the order's WeChat Pay transaction is closed, or there is no order). At-least-once safe.
   */
  override async alarm(): Promise<void> {
    const now = this.clock.now();
    const config = this.config();
    if (!config) return;
    await this.transfers.recoverPendingTransfers();
    const expired = this.sql
      .exec<ReservationRow>("SELECT id, user_id, quantity, status, expires_at, order_id FROM reservations WHERE status = 'held' AND expires_at <= ? ORDER BY expires_at LIMIT ?", now, SETTLE_BATCH)
      .toArray();
    await this.holds.settleExpired(expired, {
      settle: (r) =>
        this.port.settleExpiredHold(
          { source: 'flash_sale', sourceRef: reservationRef({ itemId: config.item_id, shard: config.shard, reservationId: r.id }), expiresAt: r.expires_at, reason: 'Flash-sale hold expired.' },
          now,
        ),
      releaseReason: 'expired',
      retryMs: SETTLE_RETRY_MS,
      width: SETTLE_PARALLEL,
    });
    // A full batch means more may be waiting: come back at once. Otherwise the next due time.
    await this.rearmAlarm(expired.length === SETTLE_BATCH ? this.clock.now() : this.nextAlarmAt());
  }

  /** What the alarm waits for next: the earliest due hold, or a transfer whose answer was lost. */
  protected override nextAlarmAt(): number | null {
    const held = this.holds.nextDueAt();
    const transfer = this.transfers.nextRetryAt();
    return held === null ? transfer : transfer === null ? held : Math.min(held, transfer);
  }

  // ---------------------------------------------------------------- borrowing between shards

  /**
   * Gives a sibling shard up to `quantity` available (unreserved) units; returns how many.
   * With a transfer id the call is idempotent: asking again returns what was given the first time.
   */
  async transferOut(quantity: number, transfer?: { transferId: string; toShard: number }): Promise<number> {
    return this.transfers.transferOut(quantity, transfer);
  }

  // ---------------------------------------------------------------- end of the campaign

  /**
   * After the campaign has ended: takes the unsold units out (the caller gives them back to the
   * SKU). Idempotent: a second call returns 0. Refused while any reservation is still held.
   */
  async closeOut(nowMs: number = this.clock.now()): Promise<CloseOutResult> {
    await this.transfers.recoverPendingTransfers(); // units a sibling gave belong in what goes back
    return this.ctx.storage.transactionSync((): CloseOutResult => {
      const config = this.config();
      if (!config) return { returned: 0, held: 0, refused: 'not_configured' };
      const held = this.unitsIn('held');
      if (nowMs < config.ends_at) return { returned: 0, held, refused: 'not_ended' };
      if (held > 0) return { returned: 0, held, refused: 'reservations_held' };
      // A sibling that could not be reached may have given units this shard has not booked yet.
      if (this.transfers.nextRetryAt() !== null) return { returned: 0, held, refused: 'transfers_pending' };
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
