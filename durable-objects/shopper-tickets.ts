// ShopperTickets: the serialisation point for ONE shopper's bargain help tickets (object name =
// the shopper's id). Only that shopper's own requests contend here: there is no hot spot however
// big the campaign. A help ticket is one per session helped, within helps_per_day per campaign per
// shop-day, counted and inserted in one synchronous transaction. It is taken before the session's
// BargainSession object is asked to cut, and given back when that object refuses. Requests of the
// same helper for the same session share the ticket (`holders` counts the requests holding it): it
// goes only when every one of them gave it back, so a cut made by one of them never loses its
// ticket to another's refusal. (Group-buy seat tickets were kept here too; they moved to the
// campaign's GroupBuySeatTickets shards, and step 3 drops their table.)
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import type { TicketRequest, TicketResult } from './shopper-tickets.types';

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
  // Seat tickets live in GroupBuySeatTickets now; takes there merge D1's live seats, so the
  // tickets here are not needed to count the seats taken before the move.
  ddl('DROP TABLE seat_tickets'),
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
}
