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
