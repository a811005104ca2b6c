// GroupBuyRoom's storage: the schema steps (append-only), the rows it reads, and the checks on
// what callers send. The ledger invariant these tables keep is at the top of group-buy-room.ts.
import type { GroupRules, Tier } from '../src/domain/group-buy';
import { ddl, type SchemaStep } from './base';
import type { RoomConfig, RoomStatus, SeatRequest, SeatStatus } from './group-buy-room.types';
import { settleOnceTrigger } from './hold-ledger';

export const groupRoomSchema: readonly SchemaStep[] = [
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
    ${settleOnceTrigger('seats', 'seat already settled')}
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
  // loaned_units: the units the room took out of skus.stock when it opened (one per seat its
  // group needs); from_loan: the seat's unit is one of them. A joiner's seat on the loan carries
  // what its order is written from (the order follows off the reply path); order_check_at is when
  // the alarm writes it if the work queue has not; ticket_due_at is when the shopper's seat ticket
  // (ShopperTickets then; GroupBuySeatTickets since) is to be given back.
  ddl(`
    ALTER TABLE room ADD COLUMN loaned_units INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE seats ADD COLUMN from_loan INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE seats ADD COLUMN order_intent TEXT;
    ALTER TABLE seats ADD COLUMN order_check_at INTEGER;
    ALTER TABLE seats ADD COLUMN ticket_due_at INTEGER;
  `),
];

export type RoomRow = {
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
  loaned_units: number;
};

export type SeatRow = {
  id: string;
  user_id: string;
  name: string;
  avatar_url: string | null;
  is_leader: number;
  unit_price_fen: number;
  status: SeatStatus;
  hold_expires_at: number;
  order_id: string | null;
  order_intent: string | null;
  from_loan: number;
};

export const rulesOf = (r: RoomRow): GroupRules => ({
  groupSize: r.group_size,
  maxSize: r.max_size,
  tiers: JSON.parse(r.tiers) as Tier[],
  leaderDiscountFen: r.leader_discount_fen,
  simulateSharePercent: r.simulate_share_percent,
});

export function validateConfig(c: RoomConfig) {
  if (!c.roomId || !c.campaignId || !c.inviteCode) throw new TypeError('open: roomId, campaignId and inviteCode are required');
  for (const [k, n] of [
    ['holdMs', c.holdMs],
    ['expiresAt', c.expiresAt],
    ['groupSize', c.rules.groupSize],
    ['maxSize', c.rules.maxSize],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`open: ${k} must be a positive integer`);
  }
  if (!Number.isSafeInteger(c.loanedUnits) || c.loanedUnits < 0 || c.loanedUnits > c.rules.maxSize) throw new RangeError('open: loanedUnits must be an integer from 0 to maxSize');
}

export function validateSeat(s: SeatRequest) {
  if (!s.seatId || !s.userId) throw new TypeError('hold: seatId and userId are required');
  if (!Number.isSafeInteger(s.unitPriceFen) || s.unitPriceFen < 1) throw new RangeError('hold: unitPriceFen must be a positive integer');
  if (!Number.isSafeInteger(s.nowMs)) throw new TypeError('hold: nowMs must be epoch milliseconds');
}
