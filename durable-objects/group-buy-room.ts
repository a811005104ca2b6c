// GroupBuyRoom: the serialisation point for ONE group-buy room (拼团; object name = room id).
// Every seat check and the write it guards run in one synchronous transaction, so concurrent
// joiners can never take more than the room's seats; the only awaits are calls to D1 and WeChat
// Pay (through the object port, durable-objects/port.ts), and state is read again after each of them.
//
// A seat is held (for its payment window), then paid or released, once. The room is open until
// every seat is paid (it succeeds at once) or it expires; at expiry the held seats are settled
// first (their WeChat Pay transactions closed), then the room succeeds or fails by closingOf().
// What the close means in D1 (orders shippable, tier refunds, or full refunds) is recorded
// through the port's recordRoomClosure(), retried by the alarm until it has been recorded once; the D1 side
// is idempotent, so a replayed alarm changes nothing.
//
// A joiner hears "yes" once the seat is held here: the seat carries what its order is written
// from, and the worker writes the order off the reply path (the work queue, or on demand). Should
// the queue lose it, the alarm writes it a minute later (order_check_at). A seat released, and
// every paid seat of a room that failed, gives its shopper's seat ticket back (ticket_due_at),
// retried by the alarm until it has.
//
// Ledger invariant, checked by the reconciliation: every seat has one 'held' row, and a 'paid'
// or 'released' row once it is settled; held + paid seats never exceed max_size.
import { closingOf, seatRef } from '../src/domain/group-buy';
import { SqlDurableObject } from './base';
import { groupRoomSchema, rulesOf, validateConfig, validateSeat, type RoomRow, type SeatRow } from './group-buy-room.schema';
import type { HoldResult, LedgerRow, RoomConfig, RoomState, SeatIntent, SeatRequest, SeatStatus } from './group-buy-room.types';
import { dueOnObjectClock, HoldLedger, type ConfirmPaidOutcome, type ReleaseOutcome } from './hold-ledger';
import type { ObjectPort, RoomClosure } from './port';
import { logEvent } from '../src/lib/log';

export type * from './group-buy-room.types';

/** A join needs time left to pay: WeChat Pay refuses a time_expire under a minute away. */
export const MIN_TIME_LEFT_TO_JOIN_MS = 2 * 60_000;
/** A seat whose settlement said "retry", or a closure D1 did not take: looked at again after this. */
const RETRY_MS = 30_000;
/** A joiner's order not confirmed written by then is written by the alarm (the work queue may have lost it). */
const ORDER_CHECK_MS = 60_000;
/** Seats settled at once (each may call WeChat Pay). */
const SETTLE_PARALLEL = 8;

/** A hold's answer before the room's state is added to it. */
type Taken = Exclude<HoldResult, { ok: true }> | Omit<Extract<HoldResult, { ok: true }>, 'room'>;

// Needs no binding: what it asks of the outside goes through its port.
export class GroupBuyRoom extends SqlDurableObject {
  private readonly holds: HoldLedger<SeatRow>;

  constructor(
    ctx: DurableObjectState,
    env: unknown,
    private readonly port: ObjectPort,
  ) {
    super(ctx, env, groupRoomSchema);
    const ledgerRow = (kind: 'paid' | 'released', seatId: string, note: string, at: number) =>
      this.sql.exec('INSERT INTO ledger (kind, seat_id, note, at) VALUES (?, ?, ?, ?)', kind, seatId, note, at);
    this.holds = new HoldLedger<SeatRow>(ctx.storage, () => this.clock.now(), {
      table: 'seats',
      read: (id) => this.seat(id),
      onPaid: (id, at) => ledgerRow('paid', id, '', at),
      onReleased: (row, reason, at) => {
        ledgerRow('released', row.id, reason, at);
        this.sql.exec('UPDATE seats SET ticket_due_at = ?, order_check_at = NULL WHERE id = ?', this.clock.now(), row.id);
      },
    });
  }

  // ---------------------------------------------------------------- opening and joining

  /** Sets the room up (once; a repeat with the same room id is a retry) and holds the leader's seat. */
  async open(config: RoomConfig, leader: SeatRequest): Promise<HoldResult> {
    validateConfig(config);
    this.ctx.storage.transactionSync(() => {
      const existing = this.room();
      if (existing) {
        if (existing.room_id !== config.roomId) throw new Error(`GroupBuyRoom ${existing.room_id}: asked to open as ${config.roomId}`);
        return;
      }
      const r = config.rules;
      // A caller whose clock lags can never make the room close before it ran its whole time.
      const closeDueAt = dueOnObjectClock(config.expiresAt, leader.nowMs, this.clock.now());
      this.sql.exec(
        `INSERT INTO room (id, room_id, campaign_id, group_size, max_size, tiers, leader_discount_fen, simulate_share_percent, hold_ms, expires_at, close_due_at, invite_code, status, created_at, loaned_units)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
        config.roomId,
        config.campaignId,
        r.groupSize,
        r.maxSize,
        JSON.stringify(r.tiers),
        r.leaderDiscountFen,
        r.simulateSharePercent,
        config.holdMs,
        config.expiresAt,
        closeDueAt,
        config.inviteCode,
        leader.nowMs,
        config.loanedUnits,
      );
    });
    return this.takeSeat(leader, true);
  }

  /** Holds a seat for a joiner, or says why not. The same seat id again is a retry (same answer). */
  async hold(seat: SeatRequest): Promise<HoldResult> {
    return this.takeSeat(seat, false);
  }

  private async takeSeat(seat: SeatRequest, isLeader: boolean): Promise<HoldResult> {
    validateSeat(seat);
    const result = this.ctx.storage.transactionSync((): Taken => {
      const room = this.room();
      if (!room) return { ok: false, reason: 'not_configured' };
      const earlier = this.seat(seat.seatId);
      if (earlier)
        return earlier.status === 'released'
          ? { ok: false, reason: 'seat_released' }
          : { ok: true, seatId: earlier.id, holdExpiresAt: earlier.hold_expires_at, replay: true, fromLoan: earlier.from_loan === 1 };
      if (this.isClosed(room, seat.nowMs)) return { ok: false, reason: 'closed', members: this.memberIds(false) };
      if (room.expires_at - seat.nowMs < MIN_TIME_LEFT_TO_JOIN_MS) return { ok: false, reason: 'closing' };
      if (this.sql.exec("SELECT 1 FROM seats WHERE user_id = ? AND status <> 'released'", seat.userId).toArray().length) return { ok: false, reason: 'already_member' };
      if (this.isFull(room)) return { ok: false, reason: 'full', members: this.memberIds(true) };
      // The hold never outlasts the room: its payment deadline is the earlier of the two.
      const holdExpiresAt = Math.min(seat.nowMs + room.hold_ms, room.expires_at);
      const dueAt = dueOnObjectClock(holdExpiresAt, seat.nowMs, this.clock.now());
      // The leader's unit is the loan's first; a joiner's is the loan's while it has one left.
      const fromLoan = (isLeader || seat.orderIntent !== undefined) && this.loanSeats() < room.loaned_units;
      const intent = fromLoan && !isLeader ? (seat.orderIntent ?? null) : null;
      this.sql.exec(
        `INSERT INTO seats (id, user_id, name, avatar_url, is_leader, unit_price_fen, status, hold_expires_at, due_at, created_at, order_intent, order_check_at, from_loan)
         VALUES (?, ?, ?, ?, ?, ?, 'held', ?, ?, ?, ?, ?, ?)`,
        seat.seatId,
        seat.userId,
        seat.name,
        seat.avatarUrl,
        isLeader ? 1 : 0,
        seat.unitPriceFen,
        holdExpiresAt,
        dueAt,
        seat.nowMs,
        intent,
        intent ? this.clock.now() + ORDER_CHECK_MS : null,
        fromLoan ? 1 : 0,
      );
      this.sql.exec("INSERT INTO ledger (kind, seat_id, note, at) VALUES ('held', ?, ?, ?)", seat.seatId, isLeader ? 'leader' : '', seat.nowMs);
      return { ok: true, seatId: seat.seatId, holdExpiresAt, replay: false, fromLoan };
    });
    if (!result.ok) return result;
    await this.syncAlarm();
    return { ...result, room: (await this.state())! };
  }

  /**
   * Whether the room refuses newcomers now, and whom that spares (as a hold would answer them).
   * The worker asks this, not a hold, when a refusal it remembered has lapsed: renewing it costs
   * one call and no D1 read, however many rooms a crowd is refused by.
   */
  async newcomerRefusal(nowMs: number): Promise<{ reason: 'full' | 'closed'; members: string[] } | null> {
    const room = this.room();
    if (!room) return null;
    if (this.isClosed(room, nowMs)) return { reason: 'closed', members: this.memberIds(false) };
    if (this.isFull(room)) return { reason: 'full', members: this.memberIds(true) };
    return null;
  }

  private isClosed(room: RoomRow, nowMs: number): boolean {
    return room.status !== 'open' || nowMs >= room.expires_at;
  }

  private isFull(room: RoomRow): boolean {
    return this.liveSeats() >= room.max_size;
  }

  /** Who holds (or held) a seat: a "full" or "closed" answer names them, so the worker can keep refusing everyone else from memory. */
  private memberIds(liveOnly: boolean): string[] {
    const rows = this.sql.exec<{ user_id: string }>(`SELECT DISTINCT user_id FROM seats${liveOnly ? " WHERE status <> 'released'" : ''}`).toArray();
    return rows.map((r) => r.user_id);
  }

  // ---------------------------------------------------------------- paying and releasing

  /** The seat's order was paid (D1 has committed it). The last paid seat closes the room. */
  async confirmPaid(seatId: string, orderId: string): Promise<ConfirmPaidOutcome> {
    const outcome = this.ctx.storage.transactionSync(() => {
      const paid = this.holds.confirmPaid(seatId, orderId);
      // Only "every seat paid" closes it here; the expiry is the alarm's to decide.
      if (paid === 'paid') this.closeIfDue(this.clock.now(), false);
      return paid;
    });
    await this.recordClosureIfDue();
    await this.syncAlarm();
    return outcome;
  }

  /** The seat's order was cancelled (its transaction closed): the seat is free for someone else. */
  async release(seatId: string, reason: string): Promise<ReleaseOutcome> {
    const outcome = this.ctx.storage.transactionSync(() => this.holds.release(seatId, reason));
    await this.returnTicketsIfDue();
    await this.syncAlarm();
    return outcome;
  }

  /**
   * Closes the room when closingOf() says so. At expiry that waits until no seat is held: a
   * held seat may still be paid, and is settled (closed at WeChat Pay) by the alarm first.
   * Call inside a transaction.
   */
  private closeIfDue(now: number, expired: boolean) {
    const room = this.room();
    if (room?.status !== 'open') return;
    if (expired && this.countSeats('held') > 0) return;
    const closing = closingOf(rulesOf(room), this.countSeats('paid'), expired);
    if (closing.outcome === 'open') return;
    const [finalSize, simulated] = closing.outcome === 'succeeded' ? [closing.finalSize, closing.simulated] : [null, 0];
    this.sql.exec('UPDATE room SET status = ?, final_size = ?, simulated_count = ?, closed_at = ?, record_due_at = ? WHERE id = 1', closing.outcome, finalSize, simulated, now, now);
    // The members of a failed room are refunded: their seats no longer count against the per-user limit.
    if (closing.outcome === 'failed') this.sql.exec("UPDATE seats SET ticket_due_at = ? WHERE status = 'paid'", now);
    this.sql.exec("INSERT INTO ledger (kind, note, at) VALUES ('closed', ?, ?)", closing.outcome, now);
  }

  /** Records a close in D1 (once it has been recorded, never again); on failure the alarm retries. */
  private async recordClosureIfDue(): Promise<void> {
    const room = this.room();
    if (!room || room.status === 'open' || room.recorded_at !== null) return;
    const closure: RoomClosure = {
      roomId: room.room_id,
      campaignId: room.campaign_id,
      outcome: room.status,
      rules: rulesOf(room),
      finalSize: room.final_size,
      simulatedCount: room.simulated_count,
      closedAt: room.closed_at!,
      paidSeats: this.seats()
        .filter((s) => s.status === 'paid')
        .map((s) => ({ seatId: s.id, isLeader: s.is_leader === 1, paidUnitFen: s.unit_price_fen, quantity: 1 })),
    };
    try {
      await this.port.recordRoomClosure(closure, this.clock.now());
      this.sql.exec('UPDATE room SET recorded_at = ?, record_due_at = NULL WHERE id = 1', this.clock.now());
    } catch (error) {
      logEvent('error', 'group-buy room: recording the close in D1 failed; the alarm retries', { room_id: room.room_id, error });
      this.sql.exec('UPDATE room SET record_due_at = ? WHERE id = 1', this.clock.now() + RETRY_MS);
    }
  }

  /**
   * Settles held seats whose hold lapsed (all of them once the room has expired) — each order
   * is closed at WeChat Pay and cancelled first, or found paid — then closes the room if it is
   * due and records the close in D1. At-least-once safe: a replay finds nothing left to do.
   */
  override async alarm(): Promise<void> {
    const now = this.clock.now();
    const room = this.room();
    if (!room) return;
    await this.writeOrdersIfDue(now);
    if (room.status === 'open') {
      const roomOver = now >= room.expires_at;
      const lapsed = this.sql.exec<SeatRow>("SELECT * FROM seats WHERE status = 'held' AND (hold_expires_at <= ? OR ?) ORDER BY hold_expires_at", now, roomOver ? 1 : 0).toArray();
      await this.holds.settleExpired(lapsed, {
        settle: (seat) =>
          this.port.settleExpiredHold(
            {
              source: 'group_buy',
              sourceRef: seatRef(room.room_id, seat.id),
              expiresAt: seat.hold_expires_at,
              reason: roomOver ? 'Group buy closed before payment.' : 'Group-buy seat not paid in time.',
            },
            now,
          ),
        releaseReason: roomOver ? 'room closed' : 'expired',
        retryMs: RETRY_MS,
        width: SETTLE_PARALLEL,
      });
      this.ctx.storage.transactionSync(() => this.closeIfDue(this.clock.now(), roomOver));
    }
    await this.recordClosureIfDue();
    await this.returnTicketsIfDue();
    await this.syncAlarm();
  }

  /** The backstop for the work queue: held seats whose orders were not confirmed written are written now (insert if absent). */
  private async writeOrdersIfDue(now: number): Promise<void> {
    const due = this.sql
      .exec<{ id: string; order_intent: string; hold_expires_at: number }>(
        "SELECT id, order_intent, hold_expires_at FROM seats WHERE status = 'held' AND order_check_at <= ? AND order_intent IS NOT NULL",
        now,
      )
      .toArray();
    await this.doSeatChore('order_check_at', due, now, 'writing seat orders', () => this.port.recordSeatOrders(due.map((s) => ({ orderIntent: s.order_intent, holdExpiresAt: s.hold_expires_at }))));
  }

  /** Gives back the seat tickets that are due (released seats, a failed room's members). */
  private async returnTicketsIfDue(): Promise<void> {
    const room = this.room();
    const now = this.clock.now();
    if (!room) return;
    const due = this.sql.exec<{ id: string; user_id: string }>('SELECT id, user_id FROM seats WHERE ticket_due_at <= ?', now).toArray();
    await this.doSeatChore('ticket_due_at', due, now, 'giving seat tickets back', () =>
      this.port.returnSeatTickets(
        room.campaign_id,
        due.map((s) => ({ userId: s.user_id, seatId: s.id })),
        now,
      ),
    );
  }

  /** One port call for the due seats: done, their `column` is cleared; failed, it is set RETRY_MS on (the alarm tries again). */
  private async doSeatChore(column: 'order_check_at' | 'ticket_due_at', due: { id: string }[], now: number, what: string, call: () => Promise<void>): Promise<void> {
    if (!due.length) return;
    let next: number | null = null;
    try {
      await call();
    } catch (error) {
      logEvent('error', `group-buy room: ${what} failed; the alarm retries`, { seats: due.length, error });
      next = now + RETRY_MS;
    }
    for (const s of due) this.sql.exec(`UPDATE seats SET ${column} = ? WHERE id = ?`, next, s.id);
  }

  /** Open: the earliest held seat due, or the expiry. Closed: the pending D1 record, if any. */
  protected override nextAlarmAt(): number | null {
    const room = this.room();
    if (!room) return null;
    const { orders, tickets } = this.sql
      .exec<{ orders: number | null; tickets: number | null }>("SELECT min(CASE WHEN status = 'held' THEN order_check_at END) AS orders, min(ticket_due_at) AS tickets FROM seats")
      .one();
    if (room.status !== 'open') return earliest([room.record_due_at, orders, tickets]);
    return earliest([this.holds.nextDueAt(), room.close_due_at, orders, tickets]);
  }

  // ---------------------------------------------------------------- reading

  /** A seat with what its order is written from (null: no such seat). */
  async seatIntent(seatId: string): Promise<SeatIntent | null> {
    const seat = this.seat(seatId);
    return seat && { seatId: seat.id, userId: seat.user_id, status: seat.status, holdExpiresAt: seat.hold_expires_at, orderIntent: seat.order_intent };
  }

  /** The room as stored here (the source of truth for seats); null before it is opened. */
  async state(): Promise<RoomState | null> {
    const room = this.room();
    if (!room) return null;
    const seats = this.seats();
    const paidCount = seats.filter((s) => s.status === 'paid').length;
    const heldCount = seats.filter((s) => s.status === 'held').length;
    return {
      roomId: room.room_id,
      campaignId: room.campaign_id,
      status: room.status,
      rules: rulesOf(room),
      expiresAt: room.expires_at,
      inviteCode: room.invite_code,
      paidCount,
      heldCount,
      seatsLeft: room.status === 'open' ? Math.max(0, room.max_size - paidCount - heldCount) : 0,
      finalSize: room.final_size,
      simulatedCount: room.simulated_count,
      closedAt: room.closed_at,
      recordedInD1: room.recorded_at !== null,
      seats: seats.map((s) => ({
        seatId: s.id,
        userId: s.user_id,
        name: s.name,
        avatarUrl: s.avatar_url,
        isLeader: s.is_leader === 1,
        unitPriceFen: s.unit_price_fen,
        status: s.status,
        holdExpiresAt: s.hold_expires_at,
        orderId: s.order_id,
      })),
    };
  }

  /** Every ledger row, oldest first (for the reconciliation). */
  async ledger(): Promise<LedgerRow[]> {
    return this.sql
      .exec<{ seq: number; kind: LedgerRow['kind']; seat_id: string | null; note: string; at: number }>('SELECT seq, kind, seat_id, note, at FROM ledger ORDER BY seq')
      .toArray()
      .map((r) => ({ seq: r.seq, kind: r.kind, seatId: r.seat_id, note: r.note, at: r.at }));
  }

  private room(): RoomRow | null {
    return this.sql.exec<RoomRow>('SELECT * FROM room WHERE id = 1').toArray()[0] ?? null;
  }

  private seat(id: string): SeatRow | null {
    return this.sql.exec<SeatRow>('SELECT * FROM seats WHERE id = ?', id).toArray()[0] ?? null;
  }

  private seats(): SeatRow[] {
    return this.sql.exec<SeatRow>('SELECT * FROM seats ORDER BY created_at, rowid').toArray();
  }

  /** Live seats whose unit is one of the room's loan (a released seat's unit is the loan's again). */
  private loanSeats(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM seats WHERE status <> 'released' AND from_loan = 1").one().n;
  }

  private liveSeats(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM seats WHERE status <> 'released'").one().n;
  }

  private countSeats(status: SeatStatus): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM seats WHERE status = ?', status).one().n;
  }
}

const earliest = (times: (number | null)[]): number | null => {
  const known = times.filter((at): at is number => at !== null);
  return known.length ? Math.min(...known) : null;
};
