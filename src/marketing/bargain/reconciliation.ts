// Compares each bargain session's object (its ledger of cuts, bought or not) with the campaign's
// BargainHelpTickets shards (the helpers' tickets) and with D1 (help rows, the bargain order), and reports
// drift, a page of sessions at a time. The objects are the truth for cuts and tickets; D1's rows
// follow the cuts through the work queue (or the session object's alarm a minute later). Expected
// to be empty once the queue has drained; what it can find:
//  - cut_not_recorded: a cut older than two minutes D1 has no row for (the queue and the alarm
//    both failed so far, or D1's daily-limit trigger refused the row: the helper's shard and D1
//    disagree about that day's helps);
//  - row_without_cut: a D1 row for a helper the object has no cut for (nothing writes one);
//  - cut_without_ticket: a cut whose helper's shard holds no ticket for the session (the daily
//    limit would have been bypassed);
//  - order_not_marked: D1 has the session's order but the object is not closed as bought
//    (markBought failed; the session's alarm closes it at expiry);
//  - bought_without_order / order_mismatch: the object says bought, D1 disagrees.
// A ticket whose cut never happened (the session's object failed after the ticket was taken) is
// not looked for: it only counts against that helper's limit on that one shop-day, and the
// helper's retry, which holds the same ticket, makes the cut.
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import * as v from 'valibot';
import { bargainHelps, bargainSessions } from '../../db/bargains';
import type { Db } from '../../db/client';
import { orders } from '../../db/orders';
import type { Env } from '../../env';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { groupBy } from '../../lib/group-by';
import { findCampaign } from './campaigns';
import { helpTicketsObjectName } from '../../domain/bargain';
import { helpTicketsStub } from '../kernel/object-stubs';
import { sessionState } from './sessions';
import type { TicketKey } from '../../../durable-objects/bargain-help-tickets.types';
import type { SessionState } from '../../../durable-objects/bargain-session.types';

export type BargainDrift = { session_id: string; kind: 'cut_not_recorded' | 'row_without_cut' | 'cut_without_ticket' | 'order_not_marked' | 'bought_without_order' | 'order_mismatch'; detail: string };

const cursorSchema = v.object({ id: v.string() });

/** A cut younger than this may still be on its way to D1 (the queue, then the session's alarm after a minute). */
const RECORDING_GRACE_MS = 2 * 60_000;

export async function reconcileBargainCampaign(env: Env, db: Db, campaignId: string, opts: { cursor?: string | undefined; limit: number; now: number }) {
  await findCampaign(db, campaignId); // 404 for an unknown campaign
  const after = opts.cursor ? decodeCursor(opts.cursor, cursorSchema).id : null;
  const rows = await db
    .select({ id: bargainSessions.id })
    .from(bargainSessions)
    .where(and(eq(bargainSessions.campaignId, campaignId), after ? gt(bargainSessions.id, after) : undefined))
    .orderBy(asc(bargainSessions.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit).map((r) => r.id);
  const [helpRows, bargainOrders] =
    page.length === 0
      ? [[], []]
      : await db.batch([
          db.select({ sessionId: bargainHelps.sessionId, helperId: bargainHelps.helperId }).from(bargainHelps).where(inArray(bargainHelps.sessionId, page)),
          db
            .select({ id: orders.id, sessionId: orders.sourceRef })
            .from(orders)
            .where(and(eq(orders.source, 'bargain'), inArray(orders.sourceRef, page))),
        ]);
  const states = await Promise.all(page.map((id) => sessionState(env, db, id)));
  const tickets = await ticketsHeld(env, campaignId, states);
  const drifts: BargainDrift[] = [];
  for (const state of states) {
    const sessionId = state.sessionId;
    const recorded = new Set(helpRows.filter((t) => t.sessionId === sessionId).map((t) => t.helperId));
    const cut = new Set(state.helps.map((h) => h.helperId));
    for (const help of state.helps) {
      if (!recorded.has(help.helperId) && help.at < opts.now - RECORDING_GRACE_MS) drifts.push({ session_id: sessionId, kind: 'cut_not_recorded', detail: `helper ${help.helperId}` });
      if (!tickets.has(`${sessionId}/${help.helperId}`)) drifts.push({ session_id: sessionId, kind: 'cut_without_ticket', detail: `helper ${help.helperId}` });
    }
    for (const helper of recorded) if (!cut.has(helper)) drifts.push({ session_id: sessionId, kind: 'row_without_cut', detail: `helper ${helper}` });
    const order = bargainOrders.find((o) => o.sessionId === sessionId);
    if (order && state.status !== 'bought') drifts.push({ session_id: sessionId, kind: 'order_not_marked', detail: `order ${order.id}, object ${state.status}` });
    if (!order && state.status === 'bought') drifts.push({ session_id: sessionId, kind: 'bought_without_order', detail: `object names ${state.orderId}` });
    if (order && state.status === 'bought' && state.orderId !== order.id) drifts.push({ session_id: sessionId, kind: 'order_mismatch', detail: `D1 ${order.id}, object ${state.orderId}` });
  }
  const last = page[page.length - 1];
  return { ok: drifts.length === 0, sessions_checked: page.length, drifts, next_cursor: rows.length > opts.limit && last ? encodeCursor({ id: last }) : null };
}

/** "session/helper" for each cut whose helper's shard holds the session's ticket: one call per shard. */
async function ticketsHeld(env: Env, campaignId: string, states: SessionState[]): Promise<Set<string>> {
  const cuts: TicketKey[] = states.flatMap((s) => s.helps.map((h) => ({ sessionId: s.sessionId, helperId: h.helperId })));
  const byShard = groupBy(cuts, (k) => helpTicketsObjectName(campaignId, k.helperId));
  const held = await Promise.all(byShard.map((keys) => helpTicketsStub(env, campaignId, keys[0]!.helperId).heldTickets(keys)));
  return new Set(held.flat().map((k) => `${k.sessionId}/${k.helperId}`));
}
