// The one port through which our Durable Objects reach the outside world. An object decides
// (its ledger is the truth for what it holds); what that decision means in D1 and at WeChat Pay
// is the worker's business. src/index.ts hands every object an implementation of this interface
// (src/marketing/kernel/object-port.ts); objects import only these types, never a service.
import type { HelpJob } from '../src/domain/bargain';
import type { GroupRules, PaidMember } from '../src/domain/group-buy';
import type { HoldSettlement, HoldSource, OrderSource } from '../src/domain/order-source';

/** A hold (flash-sale units, a group-buy seat) whose payment time has run out. */
export type ExpiredHold = {
  source: HoldSource;
  sourceRef: string;
  /** When the hold expired; unknown means it is over for good (no grace for an order still being written). */
  expiresAt?: number | undefined;
  /** Recorded on the order if it is cancelled because of this. */
  reason: string;
};

/** A group-buy room the object has closed, to be recorded in D1 (orders ship, or are refunded). */
export type RoomClosure = {
  roomId: string;
  campaignId: string;
  outcome: 'succeeded' | 'failed';
  rules: GroupRules;
  finalSize: number | null;
  simulatedCount: number;
  closedAt: number;
  paidSeats: PaidMember[];
};

export interface ObjectPort {
  /**
   * Closes the hold's order at WeChat Pay and cancels it, or finds it paid. 'retry': not yet
   * decidable (the order is still being written, WeChat Pay is unreachable). A throw counts
   * as 'retry' too: the hold ledger logs it and looks again later.
   */
  settleExpiredHold(hold: ExpiredHold, nowMs: number): Promise<HoldSettlement>;
  /** Records a closed room in D1, idempotently; throws when D1 is not ready yet (the object retries). */
  recordRoomClosure(closure: RoomClosure, nowMs: number): Promise<void>;
  /** Records a session's cuts in D1, idempotently (the work queue's backstop); throws when some could not be written. */
  recordBargainHelps(helps: HelpJob[]): Promise<void>;
  /**
   * Writes the joiners' seat orders the work queue may have lost, from their intents
   * (SeatRequest.orderIntent), idempotently; throws when some could not be written (the room retries).
   */
  recordSeatOrders(seats: { orderIntent: string; holdExpiresAt: number }[]): Promise<void>;
  /** Gives the shoppers' seat tickets back (GroupBuySeatTickets), idempotently; throws when it could not (the room retries). */
  returnSeatTickets(campaignId: string, seats: { userId: string; seatId: string }[], nowMs: number): Promise<void>;
  /** The id of the order made from this source and reference, if one exists. */
  findOrderId(source: OrderSource, sourceRef: string): Promise<string | null>;
}
