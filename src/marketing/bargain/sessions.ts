// Bargain sessions: launching one, helping one, and the session view shoppers see.
//
// Who counts what. The session's BargainSession object counts the cuts of that session (one per
// helper, no more than the plan has). Limits that span sessions:
//  - launches are D1's: the INSERT of the session row trips the bargain_sessions_launch_limit trigger;
//  - daily helps are the campaign's BargainHelpTickets shards': before the session's object is
//    asked to cut, the helper takes a ticket in their shard (one per session), refused when they
//    already hold helps_per_day tickets in this campaign on this shop-day. When the session's object then
//    refuses (floor reached, expired, closed), the ticket is given back.
// A retried help whose ticket already exists goes straight to the object, which answers
// "already_helped" if it recorded the cut, or records it now if the first answer was lost.
// D1's bargain_helps rows follow the cuts off the reply path (help-records.ts).
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import * as v from 'valibot';
import type { BargainSessionConfig, HelpRefusal, HelpResult, SessionState } from '../../../durable-objects/bargain-session.types';
import { bargainCampaigns, bargainSessions } from '../../db/bargains';
import type { Db } from '../../db/client';
import { users } from '../../db/shoppers';
import { isNewToShop, maskName, shopDay } from '../../domain/bargain';
import type { Env } from '../../env';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { businessRule, conflict, notFound } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { findCampaign } from './campaigns';
import { helpTicketsStub, bargainSessionStub } from '../kernel/object-stubs';
import { callConfigured, refusalError, type RefusalErrors } from '../kernel/object-calls';
import { campaignState } from '../../domain/campaign';
import { loadPurchasableSkus, unavailableReason } from '../../services/purchasable';
import { logEvent } from '../../lib/log';
import { RefusalMemory } from '../../lib/refusal-memory';
import { enqueueWork } from '../../services/work-queue';

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

export type HelpContext = {
  db: Db;
  helperId: string;
  now: number;
  timeZone: string;
  /** Runs work after the reply (the request's waitUntil): the cut is durable in its object by then. */
  afterReply: (work: Promise<unknown>) => void;
};

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

/** The memory's refusals, built once: a crowd refused from memory costs no error (and no stack) per request. */
const refusalsFromMemory = { already_helped: helpRefusal.already_helped(), floor_reached: helpRefusal.floor_reached(), expired: helpRefusal.expired() };

/** The refusal this isolate gives the helper from memory, if any (tests check it). */
export const helpRefusalInMemory = (sessionId: string, helperId: string, now: number) => helpedBy.recall(`${sessionId}/${helperId}`, '', now) ?? finishedSessions.recall(sessionId, helperId, now);

function rememberRefusal(sessionId: string, helperId: string, result: Extract<HelpResult, { ok: false }>, now: number) {
  if (result.reason === 'already_helped') helpedBy.remember(`${sessionId}/${helperId}`, 'already_helped', now + REMEMBERED_MS);
  if (result.reason === 'floor_reached' || result.reason === 'expired') finishedSessions.remember(sessionId, result.reason, now + REMEMBERED_MS, result.helpers);
}

/**
 * One help: the helper's ticket in the campaign's BargainHelpTickets shard (the daily limit), then
 * the cut in the session's object; the reply waits for the two objects only. D1 is read (the
 * session, once per isolate; the helper's name, whether they are new to the shop and the day's
 * help rows the ticket merges in) but not written: the cut is queued for D1 (help-records.ts), and
 * the session object's alarm records it if the queue loses it.
 */
export async function helpSession(env: Env, ctx: HelpContext, sessionId: string): Promise<{ cutFen: number; state: SessionState }> {
  const known = helpRefusalInMemory(sessionId, ctx.helperId, ctx.now);
  if (known) throw refusalsFromMemory[known];
  const day = shopDay(ctx.now, ctx.timeZone);
  const { target, helper: knownHelper } = await readTargetAndHelper(ctx, sessionId, day);
  if (target.ownerId === ctx.helperId) throw helpRefusal.own_session();
  const { nickname, avatarUrl, isNew, helpedSessionIds } = knownHelper ?? (await readHelper(ctx, { sessionId, campaignId: target.campaignId, day }));
  const tickets = helpTicketsStub(env, target.campaignId, ctx.helperId);
  const ticketKey = { sessionId, helperId: ctx.helperId };
  const ticket = await tickets.takeTicket({ ...ticketKey, day, limit: target.helpsPerDay, helpedSessionIds, nowMs: ctx.now });
  if (ticket === 'daily_limit') throw businessRule('daily_help_limit', `You can help ${target.helpsPerDay} bargain(s) of this campaign a day; come back tomorrow.`);
  const result = await withConfiguredSession(env, ctx.db, sessionId, async (stub): Promise<HelpResult> => stub.help({ helperId: ctx.helperId, name: nickname, avatarUrl, isNew, nowMs: ctx.now }));
  if (result.ok) {
    // A retry of this help (its answer lost) is answered by the object, which replays it as "already helped".
    helpedBy.remember(`${sessionId}/${ctx.helperId}`, 'already_helped', ctx.now + REMEMBERED_MS);
    // Sent after the reply: a message lost with it is the session object's alarm's to record.
    const help = { sessionId, helperId: ctx.helperId, at: ctx.now, floorReached: result.state.helps.length >= result.state.helpersNeeded };
    ctx.afterReply(
      enqueueWork(env, { kind: 'bargain_help', help }).catch((error: unknown) =>
        logEvent('error', 'queueing a bargain help failed; the session object records it', { session_id: sessionId, helper_id: ctx.helperId, error }),
      ),
    );
    return { cutFen: result.cutFen, state: result.state };
  }
  rememberRefusal(sessionId, ctx.helperId, result, ctx.now);
  // Refusals other than already_helped mean this request made no cut here: it gives the ticket back.
  if (result.reason !== 'already_helped') await tickets.returnTicket(ticketKey);
  throw refusalError(helpRefusal, result.reason, undefined);
}

/** What a help needs of its session; it never changes (the campaign's helps_per_day cannot be edited). */
type HelpTarget = { campaignId: string; ownerId: string; helpsPerDay: number };
const helpTargets = new Map<string, HelpTarget>();
const HELP_TARGETS_KEPT = 10_000;

/** `helpedSessionIds`: the sessions of the help's campaign D1 has this helper's rows for on the help's shop-day. */
type Helper = { nickname: string; avatarUrl: string | null; isNew: boolean; helpedSessionIds: string[] };
type HelperRow = Awaited<ReturnType<typeof helperQuery>>[number];
/** Which help a helper row is read for: its day's help rows are of that campaign and shop-day. */
type HelpScope = { sessionId: string; campaignId: string; day: string };

/**
 * The helper's row, in isolate memory for a few seconds per campaign and shop-day: a shopper
 * helping several sessions in a row (a shared link in a group chat) is read once. A name changed,
 * or a first order paid, within those seconds shows in their next help after it; whether they are
 * new is still computed at the help's own time. The day's help rows it carries may miss the helps
 * of those seconds, which the ticket shard holds itself.
 */
const helperRows = new Map<string, { row: HelperRow; until: number }>();
const HELPER_MEMORY_MS = 5_000;
const HELPER_ROWS_KEPT = 10_000;
const helperMemoryKey = (ctx: HelpContext, scope: Omit<HelpScope, 'sessionId'>) => `${scope.campaignId}/${scope.day}/${ctx.helperId}`;

function rememberHelper(ctx: HelpContext, scope: Omit<HelpScope, 'sessionId'>, row: HelperRow | undefined): Helper {
  if (!row) throw notFound('Shopper');
  if (helperRows.size >= HELPER_ROWS_KEPT) helperRows.clear();
  helperRows.set(helperMemoryKey(ctx, scope), { row, until: ctx.now + HELPER_MEMORY_MS });
  return helperOf(ctx, row);
}

function rememberedHelper(ctx: HelpContext, scope: Omit<HelpScope, 'sessionId'>): Helper | undefined {
  const remembered = helperRows.get(helperMemoryKey(ctx, scope));
  return remembered && remembered.until > ctx.now ? helperOf(ctx, remembered.row) : undefined;
}

/** The campaign is the session's, looked up in the query: the session may not have been read yet. */
const helperQuery = (ctx: HelpContext, scope: Omit<HelpScope, 'campaignId'>) =>
  ctx.db
    .select({
      nickname: users.nickname,
      avatarUrl: users.avatarUrl,
      createdAt: users.createdAt,
      hasPaidOrder: sql<number>`EXISTS (SELECT 1 FROM orders WHERE user_id = ${ctx.helperId} AND paid_at IS NOT NULL)`,
      helpedToday: sql<string | null>`(SELECT group_concat(h.session_id) FROM bargain_helps h
        WHERE h.helper_id = ${ctx.helperId} AND h.day = ${scope.day} AND h.campaign_id = (SELECT s.campaign_id FROM bargain_sessions s WHERE s.id = ${scope.sessionId}))`,
    })
    .from(users)
    .where(eq(users.id, ctx.helperId));

function helperOf(ctx: HelpContext, row: HelperRow): Helper {
  return {
    nickname: row.nickname,
    avatarUrl: row.avatarUrl,
    isNew: isNewToShop({ createdAt: row.createdAt, hasPaidOrder: row.hasPaidOrder === 1 }, ctx.now),
    helpedSessionIds: row.helpedToday ? row.helpedToday.split(',') : [],
  };
}

const readHelper = async (ctx: HelpContext, scope: HelpScope) => rememberHelper(ctx, scope, (await helperQuery(ctx, scope))[0]);

/**
 * The session (from isolate memory once seen) and, when the session has to be read, the helper
 * in the same D1 batch: one round trip at most before the objects are asked.
 */
async function readTargetAndHelper(ctx: HelpContext, sessionId: string, day: string): Promise<{ target: HelpTarget; helper?: Helper | undefined }> {
  const remembered = helpTargets.get(sessionId);
  if (remembered) return { target: remembered, helper: rememberedHelper(ctx, { campaignId: remembered.campaignId, day }) };
  const [[row], [helper]] = await ctx.db.batch([
    ctx.db
      .select({ campaignId: bargainSessions.campaignId, ownerId: bargainSessions.ownerId, helpsPerDay: bargainCampaigns.helpsPerDay })
      .from(bargainSessions)
      .innerJoin(bargainCampaigns, eq(bargainCampaigns.id, bargainSessions.campaignId))
      .where(eq(bargainSessions.id, sessionId)),
    helperQuery(ctx, { sessionId, day }),
  ]);
  if (!row) throw notFound('Bargain session');
  if (helpTargets.size >= HELP_TARGETS_KEPT) helpTargets.clear();
  helpTargets.set(sessionId, row);
  // The owner's own help is refused before the helper matters.
  return { target: row, helper: row.ownerId === ctx.helperId ? undefined : rememberHelper(ctx, { campaignId: row.campaignId, day }, helper) };
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
