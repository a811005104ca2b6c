// The GroupBuySeatTickets object's RPC types (services import these, types only; the code is in
// group-buy-seat-tickets.ts).

/**
 * A ticket for one group-buy seat against the campaign's per-user limit. `liveSeatIds`: the
 * shopper's seats of the campaign whose orders D1 has alive (merged in, so seats from before the
 * tickets count).
 */
export type SeatTicketRequest = { seatId: string; userId: string; limit: number; liveSeatIds: string[]; nowMs: number };

/** taken: a new ticket; held: this seat's ticket already (a retry); returned: this seat was given up; per_user_limit: the limit is reached. */
export type SeatTicketResult = 'taken' | 'held' | 'returned' | 'per_user_limit';

/** One seat whose ticket is given back, and whose it is. */
export type SeatTicketReturn = { userId: string; seatId: string };
