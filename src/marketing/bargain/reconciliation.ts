// Compares each bargain session's object (its ledger of cuts, bought or not) with D1 (help
// tickets, the bargain order) and reports drift, a page of sessions at a time. Expected to be
// empty; what it can find:
//  - ticket_without_cut: a D1 ticket for a helper the object has no cut for — the object call
//    failed after the ticket was taken (it counts against the helper's daily limit until the
//    helper retries, which makes the cut, or a person removes it);
//  - cut_without_ticket: a cut with no ticket (would mean the daily limit was bypassed);
//  - order_not_marked: D1 has the session's order but the object is not closed as bought
//    (markBought failed; the session's alarm closes it at expiry);
//  - bought_without_order / order_mismatch: the object says bought, D1 disagrees.
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import * as v from 'valibot';
import { bargainHelps, bargainSessions } from '../../db/bargains';
import type { Db } from '../../db/client';
import { orders } from '../../db/orders';
import type { Env } from '../../env';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { findCampaign } from './campaigns';
import { sessionState } from './sessions';

export type BargainDrift = { session_id: string; kind: 'ticket_without_cut' | 'cut_without_ticket' | 'order_not_marked' | 'bought_without_order' | 'order_mismatch'; detail: string };

const cursorSchema = v.object({ id: v.string() });

export async function reconcileBargainCampaign(env: Env, db: Db, campaignId: string, opts: { cursor?: string | undefined; limit: number }) {
  await findCampaign(db, campaignId); // 404 for an unknown campaign
  const after = opts.cursor ? decodeCursor(opts.cursor, cursorSchema).id : null;
  const rows = await db
    .select({ id: bargainSessions.id })
    .from(bargainSessions)
    .where(and(eq(bargainSessions.campaignId, campaignId), after ? gt(bargainSessions.id, after) : undefined))
    .orderBy(asc(bargainSessions.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit).map((r) => r.id);
  const [tickets, bargainOrders] =
    page.length === 0
      ? [[], []]
      : await db.batch([
          db.select({ sessionId: bargainHelps.sessionId, helperId: bargainHelps.helperId }).from(bargainHelps).where(inArray(bargainHelps.sessionId, page)),
          db
            .select({ id: orders.id, sessionId: orders.sourceRef })
            .from(orders)
            .where(and(eq(orders.source, 'bargain'), inArray(orders.sourceRef, page))),
        ]);
  const drifts: BargainDrift[] = [];
  for (const sessionId of page) {
    const state = await sessionState(env, db, sessionId);
    const ticketed = new Set(tickets.filter((t) => t.sessionId === sessionId).map((t) => t.helperId));
    const cut = new Set(state.helps.map((h) => h.helperId));
    for (const helper of ticketed) if (!cut.has(helper)) drifts.push({ session_id: sessionId, kind: 'ticket_without_cut', detail: `helper ${helper}` });
    for (const helper of cut) if (!ticketed.has(helper)) drifts.push({ session_id: sessionId, kind: 'cut_without_ticket', detail: `helper ${helper}` });
    const order = bargainOrders.find((o) => o.sessionId === sessionId);
    if (order && state.status !== 'bought') drifts.push({ session_id: sessionId, kind: 'order_not_marked', detail: `order ${order.id}, object ${state.status}` });
    if (!order && state.status === 'bought') drifts.push({ session_id: sessionId, kind: 'bought_without_order', detail: `object names ${state.orderId}` });
    if (order && state.status === 'bought' && state.orderId !== order.id) drifts.push({ session_id: sessionId, kind: 'order_mismatch', detail: `D1 ${order.id}, object ${state.orderId}` });
  }
  const last = page[page.length - 1];
  return { ok: drifts.length === 0, sessions_checked: page.length, drifts, next_cursor: rows.length > opts.limit && last ? encodeCursor({ id: last }) : null };
}
