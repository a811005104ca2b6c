// GroupBuySeatTickets: where a group-buy campaign's per-user limit across its rooms is counted.
// One object per (campaign, shard); a shopper's seats are all in the shard their id hashes to
// (src/marketing/kernel/object-stubs.ts names them), so one synchronous transaction counts and
// takes their ticket. Shards rather than one object per shopper: group buys bring new shoppers
// (a shared room is how a shop reaches friends), and a new object per joiner is one more object
// to create before the answer (locally the largest part of a join's CPU, bench:profile); a
// campaign's shards are warm after its first joins and share its burst between them (README,
// Benchmarks, sizing).
//
// A ticket is taken after the room's GroupBuyRoom object has held the seat, keyed by the seat, so
// a retry takes the same ticket; the room gives it back (through its alarm, until it has) when the
// seat is released or its room fails. D1's live seats are merged in on every take, so seats
// written before these tickets existed count too; a given-back ticket stays given back.
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import type { SeatTicketRequest, SeatTicketResult, SeatTicketReturn } from './group-buy-seat-tickets.types';

export type * from './group-buy-seat-tickets.types';

const schema: readonly SchemaStep[] = [
  ddl(`
    CREATE TABLE seat_tickets (
      seat_id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      taken_at INTEGER NOT NULL,
      returned_at INTEGER
    );
    CREATE INDEX seat_tickets_live ON seat_tickets (user_id) WHERE returned_at IS NULL;
  `),
];

export class GroupBuySeatTickets extends SqlDurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, schema);
  }

  /** A ticket for one seat, unless the shopper's live seats of the campaign already reach the limit. */
  async takeSeatTicket(r: SeatTicketRequest): Promise<SeatTicketResult> {
    return this.ctx.storage.transactionSync((): SeatTicketResult => {
      const mine = this.sql.exec<{ returned_at: number | null }>('SELECT returned_at FROM seat_tickets WHERE seat_id = ?', r.seatId).toArray()[0];
      if (mine) return mine.returned_at === null ? 'held' : 'returned';
      for (const seatId of r.liveSeatIds) {
        if (seatId !== r.seatId) this.sql.exec('INSERT OR IGNORE INTO seat_tickets (seat_id, user_id, taken_at) VALUES (?, ?, ?)', seatId, r.userId, r.nowMs);
      }
      const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM seat_tickets WHERE user_id = ? AND returned_at IS NULL', r.userId).one();
      if (n >= r.limit) return 'per_user_limit';
      this.sql.exec('INSERT INTO seat_tickets (seat_id, user_id, taken_at) VALUES (?, ?, ?)', r.seatId, r.userId, r.nowMs);
      return 'taken';
    });
  }

  /** The seats were released (or their room failed): their tickets no longer count. Idempotent; an unknown seat is remembered as given back. */
  async returnSeatTickets(seats: SeatTicketReturn[], nowMs: number): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const { userId, seatId } of seats) {
        this.sql.exec(
          `INSERT INTO seat_tickets (seat_id, user_id, taken_at, returned_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (seat_id) DO UPDATE SET returned_at = COALESCE(returned_at, excluded.returned_at)`,
          seatId,
          userId,
          nowMs,
          nowMs,
        );
      }
    });
  }

  /** The seats this shopper holds a ticket for (tests and diagnostics). */
  async heldSeatTickets(userId: string): Promise<string[]> {
    return this.sql
      .exec<{ seat_id: string }>('SELECT seat_id FROM seat_tickets WHERE user_id = ? AND returned_at IS NULL ORDER BY taken_at, seat_id', userId)
      .toArray()
      .map((r) => r.seat_id);
  }
}
