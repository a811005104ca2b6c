// The BargainHelpTickets object's RPC types (services import these, types only; the code is in
// bargain-help-tickets.ts).

/**
 * A ticket to help one session, counted against the helper's daily limit in the object's
 * campaign. `helpedSessionIds`: the sessions D1 has this helper's help rows for on that day, so
 * helps counted before these shards existed count too (the object merges them in).
 */
export type TicketRequest = { sessionId: string; helperId: string /** YYYY-MM-DD in the shop's time zone */; day: string; limit: number; helpedSessionIds: string[]; nowMs: number };

/**
 * taken: a new ticket, within the limit; held: this helper already holds this session's ticket
 * (a retry, or a help in flight beside it), whatever its day; daily_limit: `limit` tickets of the
 * campaign already on that day.
 */
export type TicketResult = 'taken' | 'held' | 'daily_limit';

/** One help's ticket: which helper, which session. */
export type TicketKey = { sessionId: string; helperId: string };
