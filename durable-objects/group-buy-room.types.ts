// The GroupBuyRoom object's RPC types: what the worker sends it and what it answers. Services
// import these (types only); the object's code lives in group-buy-room.ts.
import type { GroupRules } from '../src/domain/group-buy';

export type RoomConfig = {
  roomId: string;
  campaignId: string;
  rules: GroupRules;
  holdMs: number;
  expiresAt: number;
  inviteCode: string;
  /** Units the room took out of skus.stock as it opened (its group's size): the first seats' units. */
  loanedUnits: number;
};

export type SeatRequest = {
  seatId: string;
  userId: string;
  name: string;
  avatarUrl: string | null;
  unitPriceFen: number;
  nowMs: number;
  /**
   * Opaque to the object: what the worker writes the seat's order from (JSON), for a seat on the
   * room's loan; kept only if the loan has a unit left for it. Absent: the order is written before
   * the answer (a leader's, or a joiner's of another SKU).
   */
  orderIntent?: string | undefined;
};

/** A seat with what its order is written from (on demand, by the alarm's backstop). */
export type SeatIntent = { seatId: string; userId: string; status: SeatStatus; holdExpiresAt: number; orderIntent: string | null };

export type HoldRefusal = 'not_configured' | 'full' | 'closed' | 'closing' | 'already_member' | 'seat_released';

export type HoldResult =
  /** With the room as it is after the hold: the reply shows it without asking the object again. */
  | {
      ok: true;
      seatId: string;
      holdExpiresAt: number;
      replay: boolean;
      /** The seat's unit is one the room took as it opened: its order is the worker's to queue. Otherwise the order must reserve its own. */
      fromLoan: boolean;
      room: RoomState;
    }
  /** With "full" and "closed": the shoppers who hold (or held) a seat, whom the refusal does not concern. */
  | { ok: false; reason: HoldRefusal; members?: string[] };

export type SeatStatus = 'held' | 'paid' | 'released';
export type RoomStatus = 'open' | 'succeeded' | 'failed';

export type SeatView = {
  seatId: string;
  userId: string;
  name: string;
  avatarUrl: string | null;
  isLeader: boolean;
  unitPriceFen: number;
  status: SeatStatus;
  holdExpiresAt: number;
  orderId: string | null;
};

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
