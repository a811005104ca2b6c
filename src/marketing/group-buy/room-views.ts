// What shoppers and the admin see of group-buy rooms: a room with its seats (from its object),
// the open rooms of a campaign, a shopper's own rooms. Opening and joining are rooms.ts.
import { and, desc, eq, gt, lt, or } from 'drizzle-orm';
import * as v from 'valibot';
import type { Db } from '../../db/client';
import { groupBuyMembers, groupBuyRooms } from '../../db/group-buys';
import { maskName, tierPriceFor } from '../../domain/group-buy';
import type { Env } from '../../env';
import { toIso } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { notFound } from '../../lib/errors';
import type { RoomState } from '../../../durable-objects/group-buy-room.types';
import { groupRoomStub } from '../kernel/object-stubs';

/** A room as a shopper sees it (the mini-program imports this type). */
export type GroupBuyRoomView = {
  id: string;
  campaign_id: string;
  status: RoomState['status'];
  /** The target size (tiered: the largest group). */
  size: number;
  paid_count: number;
  seats_left: number;
  /** Tiered: the price of the tier the paid members have reached (after closing: the final one). */
  current_tier_price_fen: number | null;
  members: { name: string; avatar_url: string | null; is_leader: boolean; paid: boolean; simulated: boolean }[];
  expires_at: string;
  server_time: string;
  invite_code: string;
};

/** An open room in "join a group in progress". */
export type OpenRoomView = { id: string; leader: { name: string; avatar_url: string | null }; seats_left: number; expires_at: string; server_time: string };

export function roomView(state: RoomState, now: number): GroupBuyRoomView {
  const { rules } = state;
  const tiered = rules.tiers.length > 0;
  const live = state.seats.filter((s) => s.status !== 'released');
  const simulated = Array.from({ length: state.simulatedCount }, () => ({ name: maskName('拼团用户'), avatar_url: null, is_leader: false, paid: true, simulated: true }));
  return {
    id: state.roomId,
    campaign_id: state.campaignId,
    status: state.status,
    size: tiered ? rules.maxSize : rules.groupSize,
    paid_count: state.paidCount,
    seats_left: state.seatsLeft,
    current_tier_price_fen: tiered ? tierPriceFor(rules.tiers, state.finalSize ?? state.paidCount) : null,
    members: [...live.map((s) => ({ name: maskName(s.name), avatar_url: s.avatarUrl, is_leader: s.isLeader, paid: s.status === 'paid', simulated: false })), ...simulated],
    expires_at: toIso(state.expiresAt)!,
    server_time: toIso(now)!,
    invite_code: state.inviteCode,
  };
}

/** The room's state from its object; a room D1 does not know is "not found". */
export async function roomState(env: Env, roomId: string): Promise<RoomState> {
  const state: RoomState | null = await groupRoomStub(env, roomId).state();
  if (!state) throw notFound('Group-buy room');
  return state;
}

export async function viewRoom(env: Env, db: Db, roomId: string, now: number): Promise<GroupBuyRoomView> {
  const row = await db.query.groupBuyRooms.findFirst({ where: eq(groupBuyRooms.id, roomId) });
  if (!row) throw notFound('Group-buy room');
  return roomView(await roomState(env, roomId), now);
}

export async function roomIdByInviteCode(db: Db, inviteCode: string): Promise<string> {
  const row = await db.query.groupBuyRooms.findFirst({ where: eq(groupBuyRooms.inviteCode, inviteCode) });
  if (!row) throw notFound('Group-buy room');
  return row.id;
}

/** Open rooms of a campaign that still have seats, ending soonest first; each read from its object. */
export async function openRoomsOf(env: Env, db: Db, campaignId: string, now: number, limit: number): Promise<OpenRoomView[]> {
  const rows = await db
    .select({ id: groupBuyRooms.id })
    .from(groupBuyRooms)
    .where(and(eq(groupBuyRooms.groupBuyId, campaignId), eq(groupBuyRooms.status, 'open'), gt(groupBuyRooms.expiresAt, now)))
    .orderBy(groupBuyRooms.expiresAt, groupBuyRooms.id)
    .limit(limit * 2); // some may have filled up since: read a few more than shown
  const states: (RoomState | null)[] = await Promise.all(rows.map((r) => groupRoomStub(env, r.id).state()));
  return states
    .filter((s): s is RoomState => !!s && s.status === 'open' && s.seatsLeft > 0 && s.expiresAt > now)
    .slice(0, limit)
    .map((s) => {
      const leader = s.seats.find((seat) => seat.isLeader);
      return {
        id: s.roomId,
        leader: { name: maskName(leader?.name ?? ''), avatar_url: leader?.avatarUrl ?? null },
        seats_left: s.seatsLeft,
        expires_at: toIso(s.expiresAt)!,
        server_time: toIso(now)!,
      };
    });
}

const mineCursor = v.object({ k: v.number(), id: v.string() });

/** The shopper's rooms, newest first, each with the shopper's order in it. */
export async function myRooms(env: Env, db: Db, userId: string, now: number, page: { cursor?: string | undefined; limit: number }) {
  const after = page.cursor ? decodeCursor(page.cursor, mineCursor) : null;
  const rows = await db
    .select()
    .from(groupBuyMembers)
    .where(and(eq(groupBuyMembers.userId, userId), after ? or(lt(groupBuyMembers.createdAt, after.k), and(eq(groupBuyMembers.createdAt, after.k), lt(groupBuyMembers.seatId, after.id))) : undefined))
    .orderBy(desc(groupBuyMembers.createdAt), desc(groupBuyMembers.seatId))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const states = await Promise.all(shown.map((m) => roomState(env, m.roomId)));
  const last = shown[shown.length - 1];
  return {
    items: shown.map((m, i) => ({ ...roomView(states[i]!, now), order_id: m.orderId, is_leader: m.isLeader === 1 })),
    next_cursor: rows.length > page.limit && last ? encodeCursor({ k: last.createdAt, id: last.seatId }) : null,
  };
}

/** Rooms of one campaign (admin), newest first. */
export async function roomsOfCampaign(db: Db, campaignId: string, limit = 50) {
  return db.select().from(groupBuyRooms).where(eq(groupBuyRooms.groupBuyId, campaignId)).orderBy(desc(groupBuyRooms.createdAt), desc(groupBuyRooms.id)).limit(limit);
}
