// The ShopperTickets object's RPC types (services import these, types only; the code is in
// shopper-tickets.ts).

/** A ticket to help one session, counted against the helper's daily limit in its campaign. */
export type TicketRequest = { sessionId: string; campaignId: string /** YYYY-MM-DD in the shop's time zone */; day: string; limit: number; nowMs: number };

/**
 * taken: a new ticket, within the limit; held: this helper already holds this session's ticket
 * (a retry, or a help in flight beside it), whatever its day; daily_limit: `limit` tickets of the
 * campaign already on that day.
 */
export type TicketResult = 'taken' | 'held' | 'daily_limit';

/**
 * A ticket for one group-buy seat against the campaign's per-user limit. `liveSeatIds`: the
 * shopper's seats of the campaign whose orders D1 has alive (merged in, so seats from before the
 * tickets count).
 */
export type SeatTicketRequest = { seatId: string; campaignId: string; limit: number; liveSeatIds: string[]; nowMs: number };

/** taken: a new ticket; held: this seat's ticket already (a retry); returned: this seat was given up; per_user_limit: the limit is reached. */
export type SeatTicketResult = 'taken' | 'held' | 'returned' | 'per_user_limit';
