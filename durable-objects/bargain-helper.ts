// BargainHelper: the serialisation point for ONE shopper's bargain helps (object name = helper
// id). It holds the helper's tickets, one per session helped, and enforces helps_per_day per
// campaign per shop-day: the count and the insert run in one synchronous transaction, so no
// burst of helps by one shopper, across any number of sessions, takes more tickets than that.
// Only that shopper's own helps contend here: there is no hot spot however big the campaign.
//
// A ticket is taken before the session's BargainSession object is asked to cut, and given back
// when that object refuses. Requests of the same helper for the same session share the ticket
// (`holders` counts the requests holding it): it goes only when every one of them gave it back,
// so a cut made by one of them never loses its ticket to another's refusal.
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import type { TicketRequest, TicketResult } from './bargain-helper.types';

export type * from './bargain-helper.types';

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
];

export class BargainHelper extends SqlDurableObject {
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
