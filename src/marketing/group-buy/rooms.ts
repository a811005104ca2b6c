// Group-buy rooms for shoppers: opening one (as leader), joining one, and the room views.
//
// Order of things when a seat is taken — nobody is ever charged for a room that is full:
//  1. everything that can refuse without the room is checked first, on one D1 read batch
//     (campaign live, SKU in it, an address, the per-user limit as D1 knows it);
//  2. the seat is held in the room's GroupBuyRoom object, the only place that knows how many
//     seats are left (a full room refuses here, before any order exists);
//  3. the shopper's seat ticket is taken in the campaign's GroupBuySeatTickets shard of theirs,
//     the only place that counts their seats of the campaign across rooms, including those D1 has not written yet
//     (over the per-user limit, the seat is released at once);
//  4. opening a room writes the room row, the leader's order and the room's units (one per seat
//     its group needs, out of skus.stock: the room's loan) in one D1 batch before the answer;
//     joining it writes nothing to D1 before the answer — the seat's unit is the room's, and its
//     order follows through the work queue (seat-orders.ts). A joiner past the loan (a tiered
//     room's extra seats), of another SKU than the loan's, or of a room from before loans has
//     their order and unit written first, as before.
// Paying the order (POST /orders/:id/pay) confirms the seat through the order-source policy (src/services/order-source-policy.ts).
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { groupBuyMembers, groupBuyRooms } from '../../db/group-buys';
import { abortUnlessChanged, type Statement } from '../../db/batch';
import { joinUnitPriceFen, seatRef } from '../../domain/group-buy';
import { priceLines, type ShippingPolicy } from '../../domain/pricing';
import type { Env } from '../../env';
import { encodeBase64Url } from '../../lib/base64url';
import { ApiError, businessRule, conflict, notFound } from '../../lib/errors';
import type { HoldRefusal, HoldResult } from '../../../durable-objects/group-buy-room.types';
import { campaignUnavailable, refusalError, type RefusalErrors } from '../kernel/object-calls';
import { addressRequired, addressSnapshot } from '../../services/addresses';
import { rulesOf, type GroupBuyRow } from './campaigns';
import { campaignState, isLive } from '../../domain/campaign';
import { findByIdempotencyKey, insertOrder, newOrderRows, reserveStockStatements, type CreateContext, type NewOrderRows } from '../../services/orders';
import type { OrderRow } from '../../services/order-transitions';
import { unavailableReason, type PurchasableSku } from '../../services/purchasable';
import { deliverablePolicy } from '../../services/shipping-templates';
import { countingMembers, readForSeat, type SeatReads, type SeatTarget } from './seat-reads';
import { logEvent } from '../../lib/log';
import { derivedId } from '../../lib/ids';
import { groupRoomStub, seatTicketsStub } from '../kernel/object-stubs';
import { enqueueWork } from '../../services/work-queue';
import { seatOrderPlacement, type SeatOrderIntent } from './seat-orders';
import { roomLoanStatements } from './room-loans';
import { RefusalMemory } from '../../lib/refusal-memory';
import { roomState, roomView, type GroupBuyRoomView } from './room-views';

// ---------------------------------------------------------------------------------------------
// Taking a seat

export type SeatPurchase = { skuId: string; addressId?: string | undefined };
/** `rows`: the order as just written, for a reply that shows it without reading it back. */
export type SeatTaken = { room: GroupBuyRoomView; order: OrderRow; rows?: NewOrderRows | undefined; created: boolean; redirected: boolean };

/**
 * A room opened, and its leader's seat, get random ids per attempt (the open is written to D1
 * before its answer, so a retry finds it there). A joiner's seat id derives from the request: a
 * copy of it (same Idempotency-Key and body) is the same seat, which the room replays — the
 * answer comes before D1 has the order. Another body under the same key is another seat.
 */
const newRoomId = () => `grm_${randomToken(20)}`;
const newSeatId = () => `gst_${randomToken(20)}`;
const joinerSeatId = (ctx: CreateContext, roomId: string) => derivedId('gst', ctx.userId, roomId, ctx.idempotencyKey, ctx.requestHash);
function randomToken(length: number) {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(24)))
    .toLowerCase()
    .replace(/[^0-9a-z]/g, '')
    .slice(0, length)
    .padEnd(length, '0');
}
/** An invite code derived from the room id (so a retried open gives the same one). */
async function inviteCodeOf(roomId: string) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(roomId)));
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return Array.from(digest.slice(0, 8), (b) => alphabet[b & 31]).join('');
}

type Prepared = {
  campaign: GroupBuyRow;
  groupPriceFen: number;
  address: Parameters<typeof addressSnapshot>[0];
  user: NonNullable<SeatReads['user']>;
  /** The SKU as checked (the order's snapshot; its stock is re-checked by the batch's CHECK). */
  skus: Map<string, PurchasableSku>;
  shipping: ShippingPolicy;
};

/**
 * Everything that can refuse without the room, checked on the rows of the one read batch
 * (seat-reads.ts), before a seat is held. `unitsNeeded`: what the seat takes out of skus.stock
 * (an opened room's whole loan; 0 for a joiner whose unit the room already holds).
 */
function prepare(ctx: CreateContext, reads: SeatReads, purchase: SeatPurchase, target: SeatTarget, unitsNeeded: number): Prepared {
  const { campaign, user, address } = reads;
  if (!campaign) throw notFound('campaignId' in target ? 'Group buy' : 'Group-buy room');
  if (!isLive(campaign, ctx.now)) throw businessRule('group_buy_not_live', campaignState(campaign, ctx.now) === 'upcoming' ? 'This group buy has not started yet.' : 'This group buy has ended.');
  if (reads.groupPriceFen === null) throw businessRule('sku_not_in_group_buy', 'This SKU is not part of the group buy.', [{ path: 'body.sku_id', message: 'not in this group buy' }]);
  if (!user) throw notFound('Shopper');
  const unavailable = unavailableReason(reads.skus.get(purchase.skuId), unitsNeeded);
  const reason = unavailable === 'out_of_stock' && unitsNeeded === 0 ? null : unavailable;
  if (reason)
    throw businessRule(reason === 'out_of_stock' || reason === 'insufficient_stock' ? 'insufficient_stock' : 'items_unavailable', 'This item cannot be bought now.', [
      { path: 'body.sku_id', message: reason },
    ]);
  if (!address || !reads.shipping) throw purchase.addressId ? notFound('Address') : addressRequired();
  if (user.liveSeatIds.length >= campaign.perUserLimit) throw perUserLimit();
  return { campaign, groupPriceFen: reads.groupPriceFen, address, user, skus: reads.skus, shipping: deliverablePolicy(reads.shipping) };
}

const perUserLimit = () => businessRule('per_user_limit', 'You have joined as many groups of this campaign as allowed.');

async function seatsCountingTowardsLimit(db: Db, campaignId: string, userId: string): Promise<number> {
  const row = await db.get<{ n: number }>(sql`SELECT ${countingMembers(campaignId, userId)} AS n`);
  return row?.n ?? 0;
}

/**
 * Answers a retry (same Idempotency-Key) with the first answer, found by the read batch. A copy
 * sent at the same time as the first is refused by the limits the first one's seat now counts
 * against (per-user limit, one seat per room): then the first answer is given if it has been
 * written meanwhile (read again: this is the rare path).
 */
async function onceByKey(env: Env, ctx: CreateContext, joining: string | null, reads: SeatReads, take: () => Promise<SeatTaken>): Promise<SeatTaken> {
  if (reads.earlier) return answerOf(env, ctx, joining, reads.earlier);
  try {
    return await take();
  } catch (error) {
    if (!(error instanceof ApiError && (error.code === 'per_user_limit' || error.code === 'already_member'))) throw error;
    const again = await earlierAnswer(env, ctx, joining);
    if (again) return again;
    throw error;
  }
}

/** The shopper opens a room as its leader. */
export async function openRoom(env: Env, ctx: CreateContext, campaignId: string, purchase: SeatPurchase): Promise<SeatTaken> {
  const target = { campaignId };
  const reads = await readForSeat(ctx, target, purchase);
  return onceByKey(env, ctx, null, reads, async () => {
    const campaign = reads.campaign;
    return openPrepared(env, ctx, prepare(ctx, reads, purchase, target, campaign ? rulesOf(campaign).groupSize : 1), purchase, reads.user?.liveSeatIds ?? [], false);
  });
}

async function openPrepared(env: Env, ctx: CreateContext, p: Prepared, purchase: SeatPurchase, liveSeatIds: string[], redirected: boolean): Promise<SeatTaken> {
  const roomId = newRoomId();
  const seat = seatRequest(ctx, p, newSeatId(), true);
  const rules = rulesOf(p.campaign);
  const config = {
    roomId,
    campaignId: p.campaign.id,
    rules,
    holdMs: p.campaign.paymentWindowMinutes * 60_000,
    expiresAt: ctx.now + p.campaign.durationMinutes * 60_000,
    inviteCode: await inviteCodeOf(roomId),
    // What the group needs to succeed; a tiered room's seats beyond it reserve their own units.
    loanedUnits: rules.groupSize,
  };
  const held = await groupRoomStub(env, roomId).open(config, seat);
  // open() sets the room up with its leader's seat in one step: a refusal here means the object could not serve.
  if (!held.ok) throw campaignUnavailable();
  await takeSeatTicket(env, ctx, p, roomId, seat.seatId, liveSeatIds);
  const unitsLoaned = config.loanedUnits;
  const room = ctx.db.insert(groupBuyRooms).values({
    id: roomId,
    groupBuyId: p.campaign.id,
    leaderUserId: ctx.userId,
    inviteCode: config.inviteCode,
    status: 'open',
    expiresAt: config.expiresAt,
    unitsLoaned,
    loanSkuId: purchase.skuId,
    createdAt: ctx.now,
  });
  const roomAndLoan = [room, ...roomLoanStatements({ roomId, skuId: purchase.skuId, delta: -unitsLoaned, now: ctx.now })];
  return writeSeatOrder(env, ctx, p, purchase, { roomId, seatId: seat.seatId, held, isLeader: true, roomAndLoan, redirected });
}

/**
 * Rooms this isolate was told are full or closed, with the shoppers in them. Everyone else is
 * refused from memory (no D1 read, no object call) — a share link's crowd arriving after the last
 * seat went. A closed room never opens again; a full one may, when an unpaid seat is released, so
 * "full" is remembered for a second. Members are exempt: their retry gets their own seat's answer.
 * Only campaigns that refuse a full room get here: "new_room" ones open a room instead. When an
 * entry lapses, one request per room asks the room (newcomerRefusal) while the crowd behind it
 * keeps the refusal for up to PROBE_MS.
 */
const PROBE_MS = 1_000;
const refusedRooms = new RefusalMemory<'full' | 'closed'>({ probeMs: PROBE_MS });
const remembered = { full: 1_000, closed: 10 * 60_000 } as const;

/** Whether this isolate refuses the shopper's join to the room from memory (tests wait for it). */
export const roomRefusalInMemory = (roomId: string, userId: string, now: number) => refusedRooms.recall(roomId, userId, now);

/**
 * Refuses a join from memory, if this isolate knows the room is full or closed. The route asks
 * before it hashes the request: the crowd behind a full room costs no digest either. When the
 * refusal this isolate remembered has lapsed, the room is asked whether it still refuses
 * newcomers (one object call, no D1 read) before the join is run.
 */
export async function refuseJoinFromMemory(env: Env, roomId: string, userId: string, now: number): Promise<void> {
  const known = refusedRooms.recall(roomId, userId, now);
  if (known) throw refusalsFromMemory[known];
  if (!refusedRooms.lapsedFor(roomId, userId)) return;
  const still = await groupRoomStub(env, roomId).newcomerRefusal(now);
  if (!still) {
    refusedRooms.forget(roomId);
    return;
  }
  refusedRooms.remember(roomId, still.reason, now + remembered[still.reason], still.members);
  // A member is answered by the join itself (their seat again, or already a member).
  if (!still.members.includes(userId)) throw refusalsFromMemory[still.reason];
}

/**
 * The shopper joins a room; a full room refuses (409 room_full) or, if the campaign says so, the
 * shopper opens a new one. The route has asked refuseJoinFromMemory first.
 */
export async function joinRoom(env: Env, ctx: CreateContext, roomId: string, purchase: SeatPurchase): Promise<SeatTaken> {
  const target = { roomId };
  const reads = await readForSeat(ctx, target, purchase);
  return onceByKey(env, ctx, roomId, reads, async () => {
    // The room's loan may give this seat its unit: skus.stock is not looked at here (the rooms
    // took it); a seat past the loan reserves its own, and the order batch's CHECK refuses it if none is left.
    const fromLoan = reads.roomLoanSkuId === purchase.skuId;
    const prepared = prepare(ctx, reads, purchase, target, fromLoan ? 0 : 1);
    const liveSeatIds = reads.user?.liveSeatIds ?? [];
    const seat = seatRequest(ctx, prepared, await joinerSeatId(ctx, roomId), false);
    const intent = fromLoan ? seatOrderIntent(ctx, prepared, purchase, roomId, seat) : null;
    const held = await groupRoomStub(env, roomId).hold(intent ? { ...seat, orderIntent: JSON.stringify(intent) } : seat);
    if (!held.ok) {
      if (held.reason === 'full' && prepared.campaign.fullRoomPolicy === 'new_room') {
        // The new room takes its own loan: the SKU must have that many units.
        return openPrepared(env, ctx, prepare(ctx, reads, purchase, target, rulesOf(prepared.campaign).groupSize), purchase, liveSeatIds, true);
      }
      if (held.reason === 'full' || held.reason === 'closed') refusedRooms.remember(roomId, held.reason, ctx.now + remembered[held.reason], held.members);
      throw refusalError(holdRefusals, held.reason, undefined);
    }
    await takeSeatTicket(env, ctx, prepared, roomId, seat.seatId, liveSeatIds);
    if (intent && held.fromLoan) return queuedSeat(env, ctx, prepared, intent, held);
    return writeSeatOrder(env, ctx, prepared, purchase, { roomId, seatId: seat.seatId, held, isLeader: false, redirected: false });
  });
}

/**
 * The shopper's ticket for the seat (GroupBuySeatTickets: their live seats of the campaign, across
 * rooms, D1's and those still being written). Over the limit, the seat goes back to the room at
 * once (and the room gives the ticket back, so a seat never counts twice).
 */
async function takeSeatTicket(env: Env, ctx: CreateContext, p: Prepared, roomId: string, seatId: string, liveSeatIds: string[]) {
  const ticket = await seatTicketsStub(env, p.campaign.id, ctx.userId).takeSeatTicket({ seatId, userId: ctx.userId, limit: p.campaign.perUserLimit, liveSeatIds, nowMs: ctx.now });
  if (ticket === 'taken' || ticket === 'held') return;
  await groupRoomStub(env, roomId)
    .release(seatId, 'over the per-user limit')
    .catch((error: unknown) => logEvent('error', 'release over the per-user limit', { seat_id: seatId, error }));
  throw ticket === 'per_user_limit' ? perUserLimit() : holdRefusals.seat_released();
}

/** What a joiner's order is written from, kept by the room with the seat. */
function seatOrderIntent(ctx: CreateContext, p: Prepared, purchase: SeatPurchase, roomId: string, seat: { seatId: string; unitPriceFen: number }): SeatOrderIntent {
  const quote = priceLines([{ skuId: purchase.skuId, quantity: 1, unitPriceFen: seat.unitPriceFen, memberPriceFen: null }], { isMember: false, shipping: p.shipping });
  return {
    roomId,
    seatId: seat.seatId,
    campaignId: p.campaign.id,
    userId: ctx.userId,
    skuId: purchase.skuId,
    unitPriceFen: seat.unitPriceFen,
    shippingFeeFen: quote.shippingFeeFen,
    shipTo: addressSnapshot(p.address),
    idempotencyKey: ctx.idempotencyKey,
    requestHash: ctx.requestHash,
    createdAt: ctx.now,
  };
}

/**
 * The joiner's answer, before D1 has the order: the seat is held in the room (which keeps what
 * its order is written from); the order is queued, and written on demand if opened first. The
 * order number is given when the order is written: the reply has none.
 */
async function queuedSeat(env: Env, ctx: CreateContext, p: Prepared, intent: SeatOrderIntent, held: Extract<HoldResult, { ok: true }>): Promise<SeatTaken> {
  const job = { ...intent, expiresAt: held.holdExpiresAt };
  const rows = newOrderRows(seatOrderPlacement(job, p.skus.get(intent.skuId)!, ''));
  // Durable in the room already: a lost message is written by the room's alarm, or when the shopper opens the order.
  await enqueueWork(env, { kind: 'group_seat', job }).catch((error: unknown) => logEvent('error', "queueing a seat order failed; the room's alarm will write it", { seat_id: intent.seatId, error }));
  return { room: roomView(held.room, ctx.now), order: rows.order, rows, created: !held.replay, redirected: false };
}

// A room's object is set up by the open() that holds its leader's seat, so there is nothing to
// set it up from later: a join finds it set up or answers campaign_unavailable.
const holdRefusals: RefusalErrors<HoldRefusal> = {
  already_member: () => conflict('already_member', 'You are already in this group.'),
  full: () => conflict('room_full', 'This group is full.'),
  closed: () => conflict('room_closed', 'This group has closed.'),
  seat_released: () => conflict('room_closed', 'This group has closed.'),
  closing: () => conflict('room_closing', 'This group closes too soon to pay in time.'),
};

/** The crowd's answers, built once: a refusal from memory constructs no Error (the request id is added when it is answered). */
const refusalsFromMemory = { full: holdRefusals.full(), closed: holdRefusals.closed() };

function seatRequest(ctx: CreateContext, p: Prepared, seatId: string, isLeader: boolean) {
  return {
    seatId,
    userId: ctx.userId,
    name: p.user.nickname,
    avatarUrl: p.user.avatarUrl,
    unitPriceFen: joinUnitPriceFen(rulesOf(p.campaign), p.groupPriceFen, isLeader),
    nowMs: ctx.now,
  };
}

/**
 * The same Idempotency-Key again: the first answer (its order, and its room as it is now; a join
 * that was placed in a new room says so again).
 */
async function earlierAnswer(env: Env, ctx: CreateContext, joining: string | null): Promise<SeatTaken | null> {
  const order = await findByIdempotencyKey(ctx);
  if (!order) return null;
  const member = await ctx.db.query.groupBuyMembers.findFirst({ where: eq(groupBuyMembers.orderId, order.id) });
  return answerOf(env, ctx, joining, { order, roomId: member?.roomId ?? null });
}

async function answerOf(env: Env, ctx: CreateContext, joining: string | null, earlier: { order: OrderRow; roomId: string | null }): Promise<SeatTaken> {
  const { order, roomId } = earlier;
  if (order.requestHash !== ctx.requestHash || !roomId) throw businessRule('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
  return { room: roomView(await roomState(env, roomId), ctx.now), order, created: false, redirected: joining !== null && roomId !== joining };
}

/** `roomAndLoan`: an opened room's row and its units, written with the leader's order. */
type HeldSeat = { roomId: string; seatId: string; held: Extract<HoldResult, { ok: true }>; isLeader: boolean; roomAndLoan?: Statement[]; redirected: boolean };

async function writeSeatOrder(env: Env, ctx: CreateContext, p: Prepared, purchase: SeatPurchase, seat: HeldSeat): Promise<SeatTaken> {
  // Only a failed or duplicate write calls the room again.
  const room = () => groupRoomStub(env, seat.roomId);
  const ref = seatRef(seat.roomId, seat.seatId);
  let written: Awaited<ReturnType<typeof insertOrder>>;
  try {
    const unitPriceFen = joinUnitPriceFen(rulesOf(p.campaign), p.groupPriceFen, seat.isLeader);
    // The group price is the price: no member price on top of it.
    const quote = priceLines([{ skuId: purchase.skuId, quantity: 1, unitPriceFen, memberPriceFen: null }], { isMember: false, shipping: p.shipping });
    written = await insertOrder(ctx, {
      quote,
      skus: p.skus,
      address: addressSnapshot(p.address),
      paymentDeadline: seat.held.holdExpiresAt,
      source: { kind: 'group_buy', ref },
      // The leader's unit is the room's loan's; a joiner here takes theirs out of skus.stock.
      unitsHeldElsewhere: seat.isLeader,
      also: [
        ...(seat.roomAndLoan ?? reserveStockStatements(quote, p.skus, ctx.now)),
        // The per-user limit again, inside the batch: of two rooms joined at once, one gets in.
        sql`INSERT INTO group_buy_members (seat_id, room_id, group_buy_id, user_id, order_id, is_leader, created_at)
            SELECT ${seat.seatId}, ${seat.roomId}, ${p.campaign.id}, ${ctx.userId}, o.id, ${seat.isLeader ? 1 : 0}, ${ctx.now}
            FROM orders o WHERE o.user_id = ${ctx.userId} AND o.idempotency_key = ${ctx.idempotencyKey}
              AND ${countingMembers(p.campaign.id, ctx.userId)} < ${p.campaign.perUserLimit}`,
        abortUnlessChanged(),
      ],
    });
  } catch (error) {
    await room()
      .release(seat.seatId, 'order could not be written')
      .catch((releaseError: unknown) => logEvent('error', 'release after failed order write', { seat_id: seat.seatId, error: releaseError }));
    if (error instanceof ApiError && error.code === 'concurrent_change' && (await seatsCountingTowardsLimit(ctx.db, p.campaign.id, ctx.userId)) >= p.campaign.perUserLimit) throw perUserLimit();
    throw error;
  }
  if (written.order.sourceRef !== ref) {
    // A concurrent copy of this request (same key) wrote its order first: this seat is not needed.
    await room()
      .release(seat.seatId, 'duplicate request')
      .catch((releaseError: unknown) => logEvent('error', 'release of a duplicate seat', { seat_id: seat.seatId, error: releaseError }));
    const earlier = await earlierAnswer(env, ctx, seat.redirected ? null : seat.roomId);
    if (earlier) return earlier;
  }
  // The hold's answer carries the room as it was then: the reply does not ask the object again.
  return { room: roomView(seat.held.room, ctx.now), order: written.order, rows: written.rows, created: written.created, redirected: seat.redirected };
}
