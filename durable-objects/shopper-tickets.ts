// ShopperTickets: the serialisation point for ONE shopper's limited tickets (object name = the
// shopper's id). Only that shopper's own requests contend here: there is no hot spot however big
// the campaign. Two kinds of ticket, each counted and inserted in one synchronous transaction:
//
// - Bargain help tickets, one per session helped, within helps_per_day per campaign per shop-day.
//   A ticket is taken before the session's BargainSession object is asked to cut, and given back
//   when that object refuses. Requests of the same helper for the same session share the ticket
//   (`holders` counts the requests holding it): it goes only when every one of them gave it back,
//   so a cut made by one of them never loses its ticket to another's refusal.
// - Group-buy seat tickets, one per seat, within a campaign's per-user limit across its rooms. A
//   ticket is taken after the room's GroupBuyRoom object has held the seat, keyed by the seat, so
//   a retry takes the same ticket; the room gives it back (through its alarm, until it has) when
//   the seat is released or its room fails. D1's live seats are merged in on every take, so
//   seats written before these tickets existed count too; a given-back ticket stays given back.
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import type { SeatTicketRequest, SeatTicketResult, TicketRequest, TicketResult } from './shopper-tickets.types';

export type * from './shopper-tickets.types';

const schema: readonly SchemaStep[] = [
  ddl(`
    CREATE TABLE tickets (
      session_id TEXT PRIMARY KEY,
      campaign_id TEXT NOT NULL,
      day TEXT NOT NULL,
      holders INTEGER NOT NULL CHECK (holders >= 1),
      taken_at INTEGER NOT NULL
    );
    CREATE INDEX tickets_campaign_day ON tickets (campaign_id, day);
  `),
  ddl(`
    CREATE TABLE seat_tickets (
      seat_id TEXT PRIMARY KEY,
      campaign_id TEXT NOT NULL,
      taken_at INTEGER NOT NULL,
      returned_at INTEGER
    );
    CREATE INDEX seat_tickets_campaign ON seat_tickets (campaign_id) WHERE returned_at IS NULL;
  `),
];

export class ShopperTickets extends SqlDurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, schema);
  }

  async takeTicket(r: TicketRequest): Promise<TicketResult> {
    return this.ctx.storage.transactionSync((): TicketResult => {
      const held = this.sql.exec('UPDATE tickets SET holders = holders + 1 WHERE session_id = ? RETURNING 1', r.sessionId).toArray();
      if (held.length > 0) return 'held';
      const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM tickets WHERE campaign_id = ? AND day = ?', r.campaignId, r.day).one();
      if (n >= r.limit) return 'daily_limit';
      this.sql.exec('INSERT INTO tickets (session_id, campaign_id, day, holders, taken_at) VALUES (?, ?, ?, 1, ?)', r.sessionId, r.campaignId, r.day, r.nowMs);
      return 'taken';
    });
  }

  /** One request holding the session's ticket gives it back (its help made no cut). */
  async returnTicket(sessionId: string): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM tickets WHERE session_id = ? AND holders = 1', sessionId);
      this.sql.exec('UPDATE tickets SET holders = holders - 1 WHERE session_id = ? AND holders > 1', sessionId);
    });
  }

  /** Which of these sessions the helper holds a ticket for (reconciliation). */
  async heldTickets(sessionIds: string[]): Promise<string[]> {
    return sessionIds.filter((id) => this.sql.exec('SELECT 1 FROM tickets WHERE session_id = ?', id).toArray().length > 0);
  }

  /** A ticket for one group-buy seat, unless the shopper's live seats of the campaign already reach the limit. */
  async takeSeatTicket(r: SeatTicketRequest): Promise<SeatTicketResult> {
    return this.ctx.storage.transactionSync((): SeatTicketResult => {
      const mine = this.sql.exec<{ returned_at: number | null }>('SELECT returned_at FROM seat_tickets WHERE seat_id = ?', r.seatId).toArray()[0];
      if (mine) return mine.returned_at === null ? 'held' : 'returned';
      for (const seatId of r.liveSeatIds) {
        if (seatId !== r.seatId) this.sql.exec('INSERT OR IGNORE INTO seat_tickets (seat_id, campaign_id, taken_at) VALUES (?, ?, ?)', seatId, r.campaignId, r.nowMs);
      }
      const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM seat_tickets WHERE campaign_id = ? AND returned_at IS NULL', r.campaignId).one();
      if (n >= r.limit) return 'per_user_limit';
      this.sql.exec('INSERT INTO seat_tickets (seat_id, campaign_id, taken_at) VALUES (?, ?, ?)', r.seatId, r.campaignId, r.nowMs);
      return 'taken';
    });
  }

  /** The seats were released (or their room failed): their tickets no longer count. Idempotent; an unknown seat is remembered as given back. */
  async returnSeatTickets(campaignId: string, seatIds: string[], nowMs: number): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const seatId of seatIds) {
        this.sql.exec(
          `INSERT INTO seat_tickets (seat_id, campaign_id, taken_at, returned_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (seat_id) DO UPDATE SET returned_at = COALESCE(returned_at, excluded.returned_at)`,
          seatId,
          campaignId,
          nowMs,
          nowMs,
        );
      }
    });
  }

  /** The campaign's seats this shopper holds a ticket for (reconciliation, tests). */
  async heldSeatTickets(campaignId: string): Promise<string[]> {
    return this.sql
      .exec<{ seat_id: string }>('SELECT seat_id FROM seat_tickets WHERE campaign_id = ? AND returned_at IS NULL ORDER BY taken_at, seat_id', campaignId)
      .toArray()
      .map((r) => r.seat_id);
  }
}
