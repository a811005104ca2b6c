// BargainHelpTickets: where a bargain campaign's helps_per_day is counted. One object per
// (campaign, shard); a helper's tickets of the campaign are all in the shard their id hashes to
// (src/marketing/kernel/object-stubs.ts names them), so one synchronous transaction counts and
// takes them. A help ticket is one per session helped, within helps_per_day per shop-day. It is
// taken before the session's BargainSession object is asked to cut, and given back when that
// object refuses. Requests of the same helper for the same session share the ticket (`holders`
// counts the requests holding it): it goes only when every one of them gave it back, so a cut
// made by one of them never loses its ticket to another's refusal.
//
// Shards rather than one object per helper (the ShopperTickets objects these replace): a shared
// bargain link brings friends who are new to the shop, and a new object per helper was one more
// object to create before the answer (as it was for group-buy joiners: bench:profile); a
// campaign's shards are warm after its first helps. D1's help rows of the helper's day are merged
// in on every take, so helps counted by the old objects still count on the day of the move.
import { ddl, SqlDurableObject, type SchemaStep } from './base';
import type { TicketKey, TicketRequest, TicketResult } from './bargain-help-tickets.types';

export type * from './bargain-help-tickets.types';

const schema: readonly SchemaStep[] = [
  ddl(`
    CREATE TABLE help_tickets (
      session_id TEXT NOT NULL,
      helper_id TEXT NOT NULL,
      day TEXT NOT NULL,
      holders INTEGER NOT NULL CHECK (holders >= 1),
      taken_at INTEGER NOT NULL,
      PRIMARY KEY (session_id, helper_id)
    );
    CREATE INDEX help_tickets_helper_day ON help_tickets (helper_id, day);
  `),
];

export class BargainHelpTickets extends SqlDurableObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env, schema);
  }

  async takeTicket(r: TicketRequest): Promise<TicketResult> {
    return this.ctx.storage.transactionSync((): TicketResult => {
      const held = this.sql.exec('UPDATE help_tickets SET holders = holders + 1 WHERE session_id = ? AND helper_id = ? RETURNING 1', r.sessionId, r.helperId).toArray();
      if (held.length > 0) return 'held';
      for (const sessionId of r.helpedSessionIds) {
        if (sessionId !== r.sessionId) {
          this.sql.exec('INSERT OR IGNORE INTO help_tickets (session_id, helper_id, day, holders, taken_at) VALUES (?, ?, ?, 1, ?)', sessionId, r.helperId, r.day, r.nowMs);
        }
      }
      const { n } = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM help_tickets WHERE helper_id = ? AND day = ?', r.helperId, r.day).one();
      if (n >= r.limit) return 'daily_limit';
      this.sql.exec('INSERT INTO help_tickets (session_id, helper_id, day, holders, taken_at) VALUES (?, ?, ?, 1, ?)', r.sessionId, r.helperId, r.day, r.nowMs);
      return 'taken';
    });
  }

  /** One request holding the session's ticket gives it back (its help made no cut). */
  async returnTicket(key: TicketKey): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM help_tickets WHERE session_id = ? AND helper_id = ? AND holders = 1', key.sessionId, key.helperId);
      this.sql.exec('UPDATE help_tickets SET holders = holders - 1 WHERE session_id = ? AND helper_id = ? AND holders > 1', key.sessionId, key.helperId);
    });
  }

  /** Which of these (session, helper) tickets this shard holds (reconciliation). */
  async heldTickets(keys: TicketKey[]): Promise<TicketKey[]> {
    return keys.filter((k) => this.sql.exec('SELECT 1 FROM help_tickets WHERE session_id = ? AND helper_id = ?', k.sessionId, k.helperId).toArray().length > 0);
  }
}
