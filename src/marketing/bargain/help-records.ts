// Writing bargain helps to D1 off the reply path. A help is answered once the helper's
// BargainHelpTickets shard holds its ticket and the session's BargainSession object has the cut; the
// D1 row (bargain_helps: the cut's record for reports and reconciliation) and, for the cut that
// reached the floor, the owner's subscribe message follow. Whichever comes first writes them: the
// work queue's consumer (a whole queue batch of helps in one D1 batch) or the session object's
// alarm a minute later (for anything the queue lost). Every statement is "insert if absent",
// keyed by (session, helper), so the second writer — or a message delivered twice — changes nothing.
import { eq, inArray, sql } from 'drizzle-orm';
import { bargainCampaigns, bargainSessions } from '../../db/bargains';
import { runBatchOrEach, type Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { shopDay, type HelpJob } from '../../domain/bargain';
import { bargainPage, subscribeMessageStatements } from '../../services/subscribe-messages';

/** D1's daily-limit trigger, kept as a backstop: the helper's object enforces the same limit first. */
const DAILY_HELP_LIMIT = /bargain_daily_help_limit/;
const errorText = (error: unknown) => `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`;

/**
 * Records the helps in one D1 batch. When the batch fails, each help is written alone, so one bad
 * help cannot hold back the others. Returns the helps that could not be written (to retry). A
 * help the daily-limit trigger refuses is not retried — no retry can change that; it is logged and
 * reconciliation reports its cut as `cut_not_recorded` (it would mean the helper's object and D1
 * disagree about the day's helps).
 */
export async function recordHelps(db: Db, helps: HelpJob[], timeZone: string): Promise<HelpJob[]> {
  if (helps.length === 0) return [];
  const floorMessages = await floorMessageStatements(db, helps);
  const statementsOf = (h: HelpJob) => [helpRowStatement(h, timeZone), ...(floorMessages.get(h.sessionId)?.(h.at) ?? [])];
  return runBatchOrEach(
    db,
    helps.map((help) => ({ job: help, statements: () => statementsOf(help) })),
    (help) => ({ session_id: help.sessionId, helper_id: help.helperId }),
    (error) => DAILY_HELP_LIMIT.test(errorText(error)),
  );
}

/** The help's row, from its session's row (the campaign), unless D1 has it already. */
function helpRowStatement(h: HelpJob, timeZone: string): Statement {
  return sql`INSERT INTO bargain_helps (session_id, helper_id, campaign_id, day, created_at)
    SELECT id, ${h.helperId}, campaign_id, ${shopDay(h.at, timeZone)}, ${h.at} FROM bargain_sessions
    WHERE id = ${h.sessionId} AND NOT EXISTS (SELECT 1 FROM bargain_helps WHERE session_id = ${h.sessionId} AND helper_id = ${h.helperId})`;
}

/**
 * The owner hears that friends cut the price to the floor: a subscribe message, once per
 * session (a no-op once it exists), for each session a floor-reaching help is recorded for.
 */
async function floorMessageStatements(db: Db, helps: HelpJob[]): Promise<Map<string, (at: number) => Statement[]>> {
  const sessionIds = [...new Set(helps.filter((h) => h.floorReached).map((h) => h.sessionId))];
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .select({ id: bargainSessions.id, ownerId: bargainSessions.ownerId, floorPriceFen: bargainSessions.floorPriceFen, title: bargainCampaigns.title })
    .from(bargainSessions)
    .innerJoin(bargainCampaigns, eq(bargainCampaigns.id, bargainSessions.campaignId))
    .where(inArray(bargainSessions.id, sessionIds));
  return new Map(
    rows.map((s) => [
      s.id,
      (at: number) =>
        subscribeMessageStatements(db, { userId: s.ownerId, key: 'bargain_floor', subjectId: s.id, values: [s.title, s.floorPriceFen, '已砍到底价，快去购买吧'], page: bargainPage(s.id) }, at),
    ]),
  );
}
