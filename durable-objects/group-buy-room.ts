// GroupBuyRoom: the serialisation point for ONE group-buy room (拼团; object name = room id).
// Every seat check and the write it guards run in one synchronous transaction, so concurrent
// joiners can never take more than the room's seats; the only awaits are calls to D1 and WeChat
// Pay (through the services), and state is read again after each of them.
//
// A seat is held (for its payment window), then paid or released, once. The room is open until
// every seat is paid (it succeeds at once) or it expires; at expiry the held seats are settled
// first (their WeChat Pay transactions closed), then the room succeeds or fails by closingOf().
// What the close means in D1 (orders shippable, tier refunds, or full refunds) is recorded
// through recordRoomClosure(), retried by the alarm until it has been recorded once; the D1 side
// is idempotent, so a replayed alarm changes nothing.
//
// Ledger invariant, checked by the reconciliation: every seat has one 'held' row, and a 'paid'
// or 'released' row once it is settled; held + paid seats never exceed max_size.
import { closingOf, seatRef, type GroupRules, type Tier } from '../src/domain/group-buy';
import type { Env } from '../src/env';
import { settleExpiredHold } from '../src/services/hold-settlement';
import { recordRoomClosure, type RoomClosure } from '../src/services/group-buy-settlement';
import { inParallel } from '../src/lib/in-parallel';
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import { logEvent } from '../src/lib/log';

export type RoomConfig = {
  roomId: string;
  campaignId: string;
  rules: GroupRules;
  holdMs: number;
  expiresAt: number;
  inviteCode: string;
};

export type SeatRequest = { seatId: string; userId: string; name: string; avatarUrl: string | null; unitPriceFen: number; nowMs: number };

export type HoldRefusal = 'not_configured' | 'full' | 'closed' | 'closing' | 'already_member' | 'seat_released';

export type HoldResult = { ok: true; seatId: string; holdExpiresAt: number; replay: boolean } | { ok: false; reason: HoldRefusal };

export type SeatStatus = 'held' | 'paid' | 'released';
export type RoomStatus = 'open' | 'succeeded' | 'failed';

export type SeatView = { seatId: string; userId: string; name: string; avatarUrl: string | null; isLeader: boolean; unitPriceFen: number; status: SeatStatus; holdExpiresAt: number; orderId: string | null };

export type RoomState = {
  roomId: string;
  campaignId: string;
  status: RoomStatus;
  rules: GroupRules;
  expiresAt: number;
  inviteCode: string;
  paidCount: number;
  heldCount: number;
  seatsLeft: number;
  finalSize: number | null;
  simulatedCount: number;
  closedAt: number | null;
  recordedInD1: boolean;
  /** Seats in the order they were taken, released ones included (the ledger explains them). */
  seats: SeatView[];
};

export type LedgerRow = { seq: number; kind: 'held' | 'paid' | 'released' | 'closed'; seatId: string | null; note: string; at: number };

/** A join needs time left to pay: WeChat Pay refuses a time_expire under a minute away. */
export const MIN_TIME_LEFT_TO_JOIN_MS = 2 * 60_000;
/** A seat whose settlement said "retry", or a closure D1 did not take: looked at again after this. */
const RETRY_MS = 30_000;
/** Seats settled at once (each may call WeChat Pay). */
const SETTLE_PARALLEL = 8;

const schema: readonly SchemaStep[] = [
  ddl(`
    CREATE TABLE room (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      room_id TEXT NOT NULL,
      campaign_id TEXT NOT NULL,
      group_size INTEGER NOT NULL CHECK (group_size >= 2),
      max_size INTEGER NOT NULL,
      tiers TEXT NOT NULL,
      leader_discount_fen INTEGER NOT NULL CHECK (leader_discount_fen >= 0),
      simulate_share_percent INTEGER,
      hold_ms INTEGER NOT NULL CHECK (hold_ms >= 1),
      expires_at INTEGER NOT NULL,
      -- When the alarm closes the room, on the object's real clock (see takeSeat on due_at).
      close_due_at INTEGER NOT NULL,
      invite_code TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('open', 'succeeded', 'failed')),
      final_size INTEGER,
      simulated_count INTEGER NOT NULL DEFAULT 0,
      closed_at INTEGER,
      -- The close still has to be recorded in D1 at this time (null: nothing to record).
      record_due_at INTEGER,
      recorded_at INTEGER,
      created_at INTEGER NOT NULL,
      CHECK (max_size >= group_size)
    );
    CREATE TABLE seats (
      id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      name TEXT NOT NULL,
      avatar_url TEXT,
      is_leader INTEGER NOT NULL,
      unit_price_fen INTEGER NOT NULL CHECK (unit_price_fen >= 1),
      status TEXT NOT NULL CHECK (status IN ('held', 'paid', 'released')),
      hold_expires_at INTEGER NOT NULL,
      -- When the alarm should next look at this held seat.
      due_at INTEGER NOT NULL,
      order_id TEXT,
      created_at INTEGER NOT NULL,
      settled_at INTEGER,
      release_reason TEXT
    );
    -- One live seat per shopper and room; a released seat frees the shopper to join again.
    CREATE UNIQUE INDEX seats_one_live_per_user ON seats (user_id) WHERE status <> 'released';
    CREATE INDEX seats_due_idx ON seats (status, due_at);
    CREATE TRIGGER seats_settle_once BEFORE UPDATE OF status ON seats
      WHEN OLD.status <> 'held' AND NEW.status <> OLD.status
      BEGIN SELECT RAISE(ABORT, 'seat already settled'); END;
    CREATE TABLE ledger (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL CHECK (kind IN ('held', 'paid', 'released', 'closed')),
      seat_id TEXT,
      note TEXT NOT NULL DEFAULT '',
      at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX ledger_once_per_seat ON ledger (seat_id, kind) WHERE seat_id IS NOT NULL;
    CREATE UNIQUE INDEX ledger_closed_once ON ledger (kind) WHERE kind = 'closed';
  `),
];

type RoomRow = {
  room_id: string;
  campaign_id: string;
  group_size: number;
  max_size: number;
  tiers: string;
  leader_discount_fen: number;
  simulate_share_percent: number | null;
  hold_ms: number;
  expires_at: number;
  close_due_at: number;
  invite_code: string;
  status: RoomStatus;
  final_size: number | null;
  simulated_count: number;
  closed_at: number | null;
  record_due_at: number | null;
  recorded_at: number | null;
};

type SeatRow = {
  id: string;
  user_id: string;
  name: string;
  avatar_url: string | null;
  is_leader: number;
  unit_price_fen: number;
  status: SeatStatus;
  hold_expires_at: number;
  order_id: string | null;
};

const rulesOf = (r: RoomRow): GroupRules => ({
  groupSize: r.group_size,
  maxSize: r.max_size,
  tiers: JSON.parse(r.tiers) as Tier[],
  leaderDiscountFen: r.leader_discount_fen,
  simulateSharePercent: r.simulate_share_percent,
});

export class GroupBuyRoom extends SqlDurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, schema);
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
      const closeDueAt = Math.max(config.expiresAt, this.clock.now() + (config.expiresAt - leader.nowMs));
      this.sql.exec(
        `INSERT INTO room (id, room_id, campaign_id, group_size, max_size, tiers, leader_discount_fen, simulate_share_percent, hold_ms, expires_at, close_due_at, invite_code, status, created_at)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)`,
        config.roomId, config.campaignId, r.groupSize, r.maxSize, JSON.stringify(r.tiers), r.leaderDiscountFen, r.simulateSharePercent, config.holdMs, config.expiresAt, closeDueAt, config.inviteCode, leader.nowMs,
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
    const result = this.ctx.storage.transactionSync((): HoldResult => {
      const room = this.room();
      if (!room) return { ok: false, reason: 'not_configured' };
      const earlier = this.seat(seat.seatId);
      if (earlier) return earlier.status === 'released' ? { ok: false, reason: 'seat_released' } : { ok: true, seatId: earlier.id, holdExpiresAt: earlier.hold_expires_at, replay: true };
      if (room.status !== 'open' || seat.nowMs >= room.expires_at) return { ok: false, reason: 'closed' };
      if (room.expires_at - seat.nowMs < MIN_TIME_LEFT_TO_JOIN_MS) return { ok: false, reason: 'closing' };
      if (this.sql.exec("SELECT 1 FROM seats WHERE user_id = ? AND status <> 'released'", seat.userId).toArray().length) return { ok: false, reason: 'already_member' };
      if (this.liveSeats() >= room.max_size) return { ok: false, reason: 'full' };
      // The hold never outlasts the room: its payment deadline is the earlier of the two.
      const holdExpiresAt = Math.min(seat.nowMs + room.hold_ms, room.expires_at);
      // The alarm runs on real time, the hold on the caller's clock: the seat is looked at no
      // earlier than its expiry and no earlier than the hold's length of the object's own time,
      // so a lagging caller clock can never release a seat before the shopper had time to pay.
      const dueAt = Math.max(holdExpiresAt, this.clock.now() + (holdExpiresAt - seat.nowMs));
      this.sql.exec(
        `INSERT INTO seats (id, user_id, name, avatar_url, is_leader, unit_price_fen, status, hold_expires_at, due_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'held', ?, ?, ?)`,
        seat.seatId, seat.userId, seat.name, seat.avatarUrl, isLeader ? 1 : 0, seat.unitPriceFen, holdExpiresAt, dueAt, seat.nowMs,
      );
      this.sql.exec("INSERT INTO ledger (kind, seat_id, note, at) VALUES ('held', ?, ?, ?)", seat.seatId, isLeader ? 'leader' : '', seat.nowMs);
      return { ok: true, seatId: seat.seatId, holdExpiresAt, replay: false };
    });
    if (result.ok) await this.syncAlarm();
    return result;
  }

  // ---------------------------------------------------------------- paying and releasing

  /** The seat's order was paid (D1 has committed it). The last paid seat closes the room. */
  async confirmPaid(seatId: string, orderId: string): Promise<'paid' | 'already_paid' | 'released' | 'unknown'> {
    const outcome = this.ctx.storage.transactionSync(() => {
      const row = this.seat(seatId);
      if (!row) return 'unknown' as const;
      if (row.status === 'paid') return 'already_paid' as const;
      if (row.status === 'released') return 'released' as const;
      this.markPaid(seatId, orderId);
      // Only "every seat paid" closes it here; the expiry is the alarm's to decide.
      this.closeIfDue(this.clock.now(), false);
      return 'paid' as const;
    });
    await this.recordClosureIfDue();
    await this.syncAlarm();
    return outcome;
  }

  /** The seat's order was cancelled (its transaction closed): the seat is free for someone else. */
  async release(seatId: string, reason: string): Promise<'released' | 'already_released' | 'paid' | 'unknown'> {
    const outcome = this.ctx.storage.transactionSync(() => {
      const row = this.seat(seatId);
      if (!row) return 'unknown' as const;
      if (row.status === 'released') return 'already_released' as const;
      if (row.status === 'paid') return 'paid' as const;
      this.releaseHeld(seatId, reason);
      return 'released' as const;
    });
    await this.syncAlarm();
    return outcome;
  }

  private markPaid(seatId: string, orderId: string | null) {
    const now = this.clock.now();
    this.sql.exec("UPDATE seats SET status = 'paid', order_id = coalesce(?, order_id), settled_at = ? WHERE id = ? AND status = 'held'", orderId, now, seatId);
    this.sql.exec("INSERT INTO ledger (kind, seat_id, at) VALUES ('paid', ?, ?)", seatId, now);
  }

  private releaseHeld(seatId: string, reason: string) {
    const now = this.clock.now();
    this.sql.exec("UPDATE seats SET status = 'released', settled_at = ?, release_reason = ? WHERE id = ? AND status = 'held'", now, reason, seatId);
    this.sql.exec("INSERT INTO ledger (kind, seat_id, note, at) VALUES ('released', ?, ?, ?)", seatId, reason, now);
  }

  /**
   * Closes the room when closingOf() says so. At expiry that waits until no seat is held: a
   * held seat may still be paid, and is settled (closed at WeChat Pay) by the alarm first.
   * Call inside a transaction.
   */
  private closeIfDue(now: number, expired: boolean) {
    const room = this.room();
    if (!room || room.status !== 'open') return;
    if (expired && this.countSeats('held') > 0) return;
    const closing = closingOf(rulesOf(room), this.countSeats('paid'), expired);
    if (closing.outcome === 'open') return;
    const [finalSize, simulated] = closing.outcome === 'succeeded' ? [closing.finalSize, closing.simulated] : [null, 0];
    this.sql.exec('UPDATE room SET status = ?, final_size = ?, simulated_count = ?, closed_at = ?, record_due_at = ? WHERE id = 1', closing.outcome, finalSize, simulated, now, now);
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
      await recordRoomClosure(this.env, closure, this.clock.now());
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
    if (room.status === 'open') {
      const roomOver = now >= room.expires_at;
      const lapsed = this.sql
        .exec<SeatRow>("SELECT * FROM seats WHERE status = 'held' AND (hold_expires_at <= ? OR ?) ORDER BY hold_expires_at", now, roomOver ? 1 : 0)
        .toArray();
      await inParallel(lapsed, SETTLE_PARALLEL, async (seat) => {
        let outcome: 'release' | 'paid' | 'retry';
        try {
          outcome = await settleExpiredHold(this.env, { source: 'group_buy', sourceRef: seatRef(room.room_id, seat.id) }, now, {
            expiresAt: seat.hold_expires_at,
            reason: roomOver ? 'Group buy closed before payment.' : 'Group-buy seat not paid in time.',
          });
        } catch (error) {
          logEvent('error', 'group-buy room: settling a seat failed', { seat_id: seat.id, error });
          outcome = 'retry';
        }
        // Requests ran during the await (confirmPaid, release): act only if it is still held.
        this.ctx.storage.transactionSync(() => {
          if (this.seat(seat.id)?.status !== 'held') return;
          if (outcome === 'release') this.releaseHeld(seat.id, roomOver ? 'room closed' : 'expired');
          else if (outcome === 'paid') this.markPaid(seat.id, null);
          else this.sql.exec('UPDATE seats SET due_at = ? WHERE id = ?', this.clock.now() + RETRY_MS, seat.id);
        });
      });
      this.ctx.storage.transactionSync(() => this.closeIfDue(this.clock.now(), roomOver));
    }
    await this.recordClosureIfDue();
    await this.syncAlarm();
  }

  /** Open: the earliest held seat due, or the expiry. Closed: the pending D1 record, if any. */
  protected override nextAlarmAt(): number | null {
    const room = this.room();
    if (!room) return null;
    if (room.status !== 'open') return room.record_due_at;
    const seat = this.sql.exec<{ t: number | null }>("SELECT min(due_at) AS t FROM seats WHERE status = 'held'").one().t;
    return seat === null ? room.close_due_at : Math.min(seat, room.close_due_at);
  }

  // ---------------------------------------------------------------- reading

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

  private liveSeats(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM seats WHERE status <> 'released'").one().n;
  }

  private countSeats(status: SeatStatus): number {
    return this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM seats WHERE status = ?', status).one().n;
  }
}

function validateConfig(c: RoomConfig) {
  if (!c.roomId || !c.campaignId || !c.inviteCode) throw new TypeError('open: roomId, campaignId and inviteCode are required');
  for (const [k, n] of [['holdMs', c.holdMs], ['expiresAt', c.expiresAt], ['groupSize', c.rules.groupSize], ['maxSize', c.rules.maxSize]] as const) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`open: ${k} must be a positive integer`);
  }
}

function validateSeat(s: SeatRequest) {
  if (!s.seatId || !s.userId) throw new TypeError('hold: seatId and userId are required');
  if (!Number.isSafeInteger(s.unitPriceFen) || s.unitPriceFen < 1) throw new RangeError('hold: unitPriceFen must be a positive integer');
  if (!Number.isSafeInteger(s.nowMs)) throw new TypeError('hold: nowMs must be epoch milliseconds');
}
