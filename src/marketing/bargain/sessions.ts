// Bargain sessions: launching one, helping one, and the session view shoppers see.
//
// Who counts what. The session's BargainSession object counts the cuts of that session (one per
// helper, no more than the plan has). Limits that span sessions are D1's:
//  - launches: the INSERT of the session row trips the bargain_sessions_launch_limit trigger;
//  - daily helps: before the object is asked to cut, the helper takes a ticket (a bargain_helps
//    row, one per session and helper) whose INSERT trips bargain_helps_daily_limit when the
//    helper already has helps_per_day tickets in this campaign on this shop-day. When the object
//    then refuses (floor reached, expired, closed), the ticket is given back.
// A retried help whose ticket already exists goes straight to the object, which answers
// "already_helped" if it recorded the cut, or records it now if the first answer was lost.
import { and, desc, eq, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { BargainSessionConfig, HelpRefusal, HelpResult, SessionState } from '../../../durable-objects/bargain-session.types';
import { bargainHelps, bargainSessions } from '../../db/bargains';
import type { Db } from '../../db/client';
import { orders } from '../../db/orders';
import { users } from '../../db/shoppers';
import { isNewToShop, maskName, shopDay } from '../../domain/bargain';
import type { Env } from '../../env';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { businessRule, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { findCampaign } from './campaigns';
import { bargainSessionStub } from '../kernel/object-stubs';
import { callConfigured, refusalError, type RefusalErrors } from '../kernel/object-calls';
import { campaignState } from '../../domain/campaign';
import { loadPurchasableSkus, unavailableReason } from '../../services/purchasable';
import { logEvent } from '../../lib/log';
import { RefusalMemory } from '../../lib/refusal-memory';
import { runBatch } from '../../db/batch';
import { bargainPage, subscribeMessageStatements } from '../../services/subscribe-messages';

export type BargainSessionRow = typeof bargainSessions.$inferSelect;

export async function findSessionRow(db: Db, sessionId: string): Promise<BargainSessionRow> {
  const row = await db.query.bargainSessions.findFirst({ where: eq(bargainSessions.id, sessionId) });
  if (!row) throw notFound('Bargain session');
  return row;
}

async function findShopper(db: Db, userId: string) {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw notFound('Shopper');
  return user;
}

async function configOf(db: Db, row: BargainSessionRow): Promise<BargainSessionConfig> {
  const owner = await findShopper(db, row.ownerId);
  return {
    sessionId: row.id,
    campaignId: row.campaignId,
    ownerId: row.ownerId,
    ownerName: owner.nickname,
    ownerAvatarUrl: owner.avatarUrl,
    seed: row.seed,
    startPriceFen: row.startPriceFen,
    floorPriceFen: row.floorPriceFen,
    helpersNeeded: row.helpersNeeded,
    buyBeforeFloor: row.buyBeforeFloor === 1,
    newHelperBonusPct: row.newHelperBonusPct,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

/**
 * Runs `call` on the session's object; if the object does not know the session yet (its set-up
 * after the D1 insert failed, or never ran), sets it up from the D1 row and calls again.
 */
export async function withConfiguredSession<R extends object | null>(env: Env, db: Db, sessionId: string, call: (stub: ReturnType<typeof bargainSessionStub>) => Promise<R>): Promise<R> {
  const stub = bargainSessionStub(env, sessionId);
  return callConfigured(
    () => call(stub),
    async () => stub.configure(await configOf(db, await findSessionRow(db, sessionId))),
  );
}

/** The session's state from its object (set up from D1 on first use); 404 for an unknown id. */
export async function sessionState(env: Env, db: Db, sessionId: string): Promise<SessionState> {
  const state = await withConfiguredSession(env, db, sessionId, async (stub): Promise<SessionState | null> => stub.state());
  if (!state) throw notFound('Bargain session');
  return state;
}

// ---------------------------------------------------------------------------------------------
// The view

export type SessionStatus = 'open' | 'floor_reached' | 'bought' | 'expired';

export function sessionStatus(s: SessionState, now: number): SessionStatus {
  if (s.status === 'bought') return 'bought';
  if (s.status === 'expired' || (s.status === 'open' && now >= s.expiresAt)) return 'expired';
  return s.helps.length >= s.helpersNeeded ? 'floor_reached' : 'open';
}

/** What a signed-in shopper sees of a session: names masked, no shopper ids. */
export function sessionView(s: SessionState, viewerId: string, now: number) {
  const status = sessionStatus(s, now);
  const isOwner = s.ownerId === viewerId;
  const helpedByViewer = s.helps.some((h) => h.helperId === viewerId);
  return {
    id: s.sessionId,
    campaign_id: s.campaignId,
    owner: { name: maskName(s.ownerName), avatar_url: s.ownerAvatarUrl },
    is_owner: isOwner,
    start_price_fen: s.startPriceFen,
    floor_price_fen: s.floorPriceFen,
    current_price_fen: s.currentPriceFen,
    cut_total_fen: s.cutTotalFen,
    helpers_needed: s.helpersNeeded,
    helps: s.helps.map((h) => ({ name: maskName(h.name), avatar_url: h.avatarUrl, cut_fen: h.cutFen, at: toIso(h.at)! })),
    status,
    buy_before_floor: s.buyBeforeFloor,
    can_buy: isOwner && s.status === 'open' && (status === 'floor_reached' || (status === 'open' && s.buyBeforeFloor)),
    can_help: !isOwner && !helpedByViewer && status === 'open' && s.status === 'open',
    helped_by_me: helpedByViewer,
    expires_at: toIso(s.expiresAt)!,
    server_time: toIso(now)!,
    order_id: s.orderId,
  };
}

export type BargainSessionView = ReturnType<typeof sessionView>;

// ---------------------------------------------------------------------------------------------
// Launching

const LAUNCH_LIMIT = /bargain_launch_limit/;
const DAILY_HELP_LIMIT = /bargain_daily_help_limit/;
const errorText = (error: unknown) => `${(error as Error)?.message ?? ''} ${String((error as { cause?: unknown })?.cause ?? '')}`;

export type LaunchContext = { db: Db; ownerId: string; now: number; idempotencyKey: string };

/**
 * Launches a session for the shopper. The same Idempotency-Key gives the same session; with
 * another campaign, a 422. The session ends after session_minutes, or when the campaign ends.
 */
export async function launchSession(env: Env, ctx: LaunchContext, campaignId: string): Promise<{ state: SessionState; created: boolean }> {
  const earlier = await sessionByKey(ctx);
  if (earlier) {
    if (earlier.campaignId !== campaignId) throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
    return { state: await sessionState(env, ctx.db, earlier.id), created: false };
  }

  const campaign = await findCampaign(ctx.db, campaignId);
  const state = campaignState(campaign, ctx.now);
  if (state === 'cancelled') throw notFound('Bargain campaign');
  if (state === 'upcoming') throw businessRule('not_started', 'This bargain has not started yet.');
  if (state === 'ended') throw businessRule('ended', 'This bargain has ended.');
  const unavailable = unavailableReason((await loadPurchasableSkus(ctx.db, [campaign.skuId])).get(campaign.skuId), 1);
  if (unavailable) throw businessRule(unavailable === 'insufficient_stock' ? 'out_of_stock' : unavailable, 'This product cannot be bought now.');

  const row: BargainSessionRow = {
    id: newId('bgs'),
    campaignId: campaign.id,
    ownerId: ctx.ownerId,
    seed: newId('seed'),
    startPriceFen: campaign.startPriceFen,
    floorPriceFen: campaign.floorPriceFen,
    helpersNeeded: campaign.helpersNeeded,
    buyBeforeFloor: campaign.buyBeforeFloor,
    newHelperBonusPct: campaign.newHelperBonusPct,
    expiresAt: Math.min(ctx.now + campaign.sessionMinutes * 60_000, campaign.endsAt),
    idempotencyKey: ctx.idempotencyKey,
    createdAt: ctx.now,
  };
  try {
    await ctx.db.insert(bargainSessions).values(row);
  } catch (error) {
    if (LAUNCH_LIMIT.test(errorText(error))) {
      throw businessRule('launch_limit', `You may launch ${campaign.launchesPerShopper} bargain(s) in this campaign.`);
    }
    // A concurrent request with the same key won the unique index: answer with its session.
    const winner = await sessionByKey(ctx);
    if (winner) return { state: await sessionState(env, ctx.db, winner.id), created: false };
    throw error;
  }
  // If this set-up fails, the first read or help sets the object up from the D1 row.
  const stub = bargainSessionStub(env, row.id);
  await stub.configure(await configOf(ctx.db, row)).catch((error: unknown) => logEvent('error', 'bargain session set-up failed; done on first use', { session_id: row.id, error }));
  return { state: await sessionState(env, ctx.db, row.id), created: true };
}

async function sessionByKey(ctx: LaunchContext) {
  return ctx.db.query.bargainSessions.findFirst({ where: and(eq(bargainSessions.ownerId, ctx.ownerId), eq(bargainSessions.idempotencyKey, ctx.idempotencyKey)) });
}

// ---------------------------------------------------------------------------------------------
// Helping

export type HelpContext = { db: Db; helperId: string; now: number; timeZone: string };

const helpRefusal: RefusalErrors<HelpRefusal> = {
  own_session: () => businessRule('own_session', 'You cannot help your own bargain; share it with friends.'),
  already_helped: () => conflict('already_helped', 'You have already helped this bargain.'),
  expired: () => conflict('expired', 'This bargain has expired.'),
  closed: () => conflict('session_closed', 'This bargain is being bought or has been bought.'),
  floor_reached: () => businessRule('floor_reached', 'This bargain is already at its lowest price. Thank you!'),
};

/**
 * Refusals that never stop being true, in isolate memory so that a shared link's crowd arriving
 * after them costs no D1 query and no object call: a helper who has helped a session, and a
 * session that is at its floor or has expired (whose helpers are exempt: theirs is "already
 * helped"). The ten minutes only bound the memory; the refusals would hold for ever.
 */
const helpedBy = new RefusalMemory<'already_helped'>();
const finishedSessions = new RefusalMemory<'floor_reached' | 'expired'>();
const REMEMBERED_MS = 10 * 60_000;

/** The refusal this isolate gives the helper from memory, if any (tests check it). */
export const helpRefusalInMemory = (sessionId: string, helperId: string, now: number) => helpedBy.recall(`${sessionId}/${helperId}`, '', now) ?? finishedSessions.recall(sessionId, helperId, now);

function rememberRefusal(sessionId: string, helperId: string, result: Extract<HelpResult, { ok: false }>, now: number) {
  if (result.reason === 'already_helped') helpedBy.remember(`${sessionId}/${helperId}`, 'already_helped', now + REMEMBERED_MS);
  if (result.reason === 'floor_reached' || result.reason === 'expired') finishedSessions.remember(sessionId, result.reason, now + REMEMBERED_MS, result.helpers);
}

/** One help: the D1 ticket (daily limit), then the cut in the session's object. */
export async function helpSession(env: Env, ctx: HelpContext, sessionId: string): Promise<{ cutFen: number; state: SessionState }> {
  const known = helpRefusalInMemory(sessionId, ctx.helperId, ctx.now);
  if (known) throw helpRefusal[known]();
  const { row, helper, isNew } = await readAndTakeTicket(ctx, sessionId);
  const result = await withConfiguredSession(
    env,
    ctx.db,
    sessionId,
    async (stub): Promise<HelpResult> => stub.help({ helperId: ctx.helperId, name: helper.nickname, avatarUrl: helper.avatarUrl, isNew, nowMs: ctx.now }),
  );
  if (result.ok) {
    // A retry of this help (its answer lost) is answered by the object, which replays it as "already helped".
    helpedBy.remember(`${sessionId}/${ctx.helperId}`, 'already_helped', ctx.now + REMEMBERED_MS);
    if (result.state.helps.length >= result.state.helpersNeeded) await floorReachedMessage(ctx.db, row, ctx.now);
    return { cutFen: result.cutFen, state: result.state };
  }
  rememberRefusal(sessionId, ctx.helperId, result, ctx.now);
  // The first friend the object refuses after the floor queues the owner's message again (a no-op
  // once queued): it follows the last cut, and this puts it back if writing it then was lost.
  if (result.reason === 'floor_reached') await floorReachedMessage(ctx.db, row, ctx.now);
  // Refusals other than already_helped mean this helper has no cut here: give the ticket back.
  if (result.reason !== 'already_helped') {
    await ctx.db.delete(bargainHelps).where(and(eq(bargainHelps.sessionId, sessionId), eq(bargainHelps.helperId, ctx.helperId)));
  }
  throw refusalError(helpRefusal, result.reason, undefined);
}

/**
 * The owner hears that friends cut the price to the floor (a subscribe message, once per session).
 * The cut is the object's; this follows it in D1 right away, and a failure here is logged, never
 * the helper's error (their cut is made).
 */
async function floorReachedMessage(db: Db, session: BargainSessionRow, now: number) {
  const campaign = await findCampaign(db, session.campaignId);
  const spec = {
    userId: session.ownerId,
    key: 'bargain_floor' as const,
    subjectId: session.id,
    values: [campaign.title, session.floorPriceFen, '已砍到底价，快去购买吧'],
    page: bargainPage(session.id),
  };
  await runBatch(db, subscribeMessageStatements(db, spec, now)).catch((error: unknown) => logEvent('error', 'bargain floor message not queued', { session_id: session.id, error }));
}

/**
 * Reads the session, the helper and whether they are new to the shop, and takes the helper's
 * ticket, in one D1 batch: one round trip for a help that goes through. The ticket is inserted
 * only for an existing session the helper does not own; an existing ticket (a retry) is left
 * as it is. When the batch fails (the daily-limit trigger, an unknown helper) it is read again
 * to say why — and a helper at the limit who already holds this session's ticket is retrying.
 */
async function readAndTakeTicket(ctx: HelpContext, sessionId: string) {
  const { db, helperId, now } = ctx;
  const reads = () =>
    [
      db.select().from(bargainSessions).where(eq(bargainSessions.id, sessionId)),
      db.select().from(users).where(eq(users.id, helperId)),
      db
        .select({ id: orders.id })
        .from(orders)
        .where(and(eq(orders.userId, helperId), isNotNull(orders.paidAt)))
        .limit(1),
      db
        .select({ day: bargainHelps.day })
        .from(bargainHelps)
        .where(and(eq(bargainHelps.sessionId, sessionId), eq(bargainHelps.helperId, helperId))),
    ] as const;
  const ticket = db
    .insert(bargainHelps)
    .select(
      db
        .select({
          sessionId: bargainSessions.id,
          helperId: sql<string>`${helperId}`.as('helper_id'),
          campaignId: bargainSessions.campaignId,
          day: sql<string>`${shopDay(now, ctx.timeZone)}`.as('day'),
          createdAt: sql<number>`${now}`.as('created_at'),
        })
        .from(bargainSessions)
        .where(and(eq(bargainSessions.id, sessionId), ne(bargainSessions.ownerId, helperId))),
    )
    .onConflictDoNothing();
  const readAndTicket = () => db.batch([...reads(), ticket]);
  let found: Awaited<ReturnType<typeof readAndTicket>>;
  try {
    found = await readAndTicket();
  } catch (error) {
    const [[row], [helper], [paid], [held]] = await db.batch(reads());
    const read = helpable(row, helper, paid, helperId, now);
    if (held) return read;
    if (!DAILY_HELP_LIMIT.test(errorText(error))) throw error;
    const campaign = await findCampaign(db, read.row.campaignId);
    throw businessRule('daily_help_limit', `You can help ${campaign.helpsPerDay} bargain(s) of this campaign a day; come back tomorrow.`);
  }
  const [[row], [helper], [paid]] = found;
  return helpable(row, helper, paid, helperId, now);
}

function helpable(row: BargainSessionRow | undefined, helper: typeof users.$inferSelect | undefined, paid: unknown, helperId: string, now: number) {
  if (!row) throw notFound('Bargain session');
  if (!helper) throw notFound('Shopper');
  if (row.ownerId === helperId) throw helpRefusal.own_session();
  return { row, helper, isNew: isNewToShop({ createdAt: helper.createdAt, hasPaidOrder: !!paid }, now) };
}

// ---------------------------------------------------------------------------------------------
// The shopper's own sessions

const MINE_CURSOR = v.object({ k: v.number(), id: v.string() });

export async function listOwnSessions(env: Env, db: Db, opts: { ownerId: string; cursor?: string | undefined; limit: number; now: number }) {
  const after = opts.cursor ? decodeCursor(opts.cursor, MINE_CURSOR) : null;
  const rows = await db
    .select()
    .from(bargainSessions)
    .where(
      and(eq(bargainSessions.ownerId, opts.ownerId), after ? or(lt(bargainSessions.createdAt, after.k), and(eq(bargainSessions.createdAt, after.k), lt(bargainSessions.id, after.id))) : undefined),
    )
    .orderBy(desc(bargainSessions.createdAt), desc(bargainSessions.id))
    .limit(opts.limit + 1);
  const shown = rows.slice(0, opts.limit);
  const states = await Promise.all(shown.map((r) => sessionState(env, db, r.id)));
  const last = shown[shown.length - 1];
  return {
    items: states.map((s) => sessionView(s, opts.ownerId, opts.now)),
    next_cursor: rows.length > opts.limit && last ? encodeCursor({ k: last.createdAt, id: last.id }) : null,
  };
}
