// Group buys (拼团) for shoppers. Public and cached briefly: the live campaigns and one campaign
// (with a few open rooms to join). Signed in: opening a room, joining one, a room's view (read
// from its object), and the shopper's own rooms. Paying a seat is POST /orders/:id/pay.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { rateLimit } from '../src/lib/rate-limit';
import { idempotencyHeader, idOf, pageQuery, queryInt, validate } from '../src/lib/validate';
import { storefrontGroupBuy, storefrontGroupBuys } from '../src/marketing/group-buy/campaigns';
import { joinRoom, openRoom, refuseJoinFromMemory, type SeatTaken } from '../src/marketing/group-buy/rooms';
import { myRooms, openRoomsOf, roomIdByInviteCode, viewRoom } from '../src/marketing/group-buy/room-views';
import { cachedCatalogResponse } from '../src/http/catalog-cache';
import { requestHash, type CreateContext } from '../src/services/orders';
import { newOrderView, orderView } from '../src/services/order-views';
import { requireShopper } from '../src/http/auth';
import type { Context } from 'hono';

/** Open rooms shown with a campaign ("join a group in progress"). */
const ROOMS_WITH_CAMPAIGN = 5;

// A second at most: the list's state changes with the clock, and the detail's open rooms with every join.
const listFreshness = cachedCatalogResponse({ sMaxAgeSeconds: 1, maxAgeSeconds: 1 });
const detailFreshness = cachedCatalogResponse({ sMaxAgeSeconds: 1, maxAgeSeconds: 0 });

const campaignParam = validate('param', v.object({ campaignId: idOf('gbc') }));
const roomParam = validate('param', v.object({ roomId: idOf('grm') }));
const seatBody = validate('json', v.strictObject({ sku_id: idOf('sku'), address_id: v.optional(idOf('adr')) }));
const claimLimit = rateLimit('claim');
const roomsQuery = validate(
  'query',
  v.pipe(
    v.strictObject({
      mine: v.optional(v.literal('1', 'must be 1')),
      invite_code: v.optional(v.pipe(v.string(), v.regex(/^[A-Z2-9]{8}$/, 'must be 8 letters or digits'))),
      ...pageQuery,
    }),
    v.check((q) => (q.mine === undefined) !== (q.invite_code === undefined), 'give either mine=1 or invite_code'),
  ),
);

async function createContext(c: Context<AppEnv>, request: unknown): Promise<CreateContext> {
  return {
    db: c.var.db,
    userId: c.var.shopper.id,
    now: c.var.clock.now(),
    timeZone: c.env.SHOP_TIME_ZONE,
    idempotencyKey: c.req.header('idempotency-key')!,
    requestHash: await requestHash(request),
  };
}

async function seatResponse(c: Context<AppEnv>, taken: SeatTaken) {
  // A seat's order just written is shown from its rows; a retry's is read as it is now.
  const order = taken.rows ? newOrderView(taken.rows) : await orderView(c.var.db, taken.order, 'shopper');
  const body = { room: taken.room, order, ...(taken.redirected && { redirected: true }) };
  return c.json(body, 201, taken.created ? {} : { 'Idempotent-Replayed': 'true' });
}

export const groupBuyRoutes = new Hono<AppEnv>()
  .get('/group-buys', listFreshness, validate('query', v.strictObject({})), async (c) => c.json(await storefrontGroupBuys(c.var.db, c.var.clock.now())))
  // The /rooms paths come before /:campaignId, which would read "rooms" as a (bad) campaign id.
  .get('/group-buys/rooms', requireShopper(), roomsQuery, async (c) => {
    const q = c.req.valid('query');
    const now = c.var.clock.now();
    if (q.invite_code) return c.json({ items: [await viewRoom(c.env, c.var.db, await roomIdByInviteCode(c.var.db, q.invite_code), now)], next_cursor: null });
    return c.json(await myRooms(c.env, c.var.db, c.var.shopper.id, now, { cursor: q.cursor, limit: q.limit }));
  })
  .get('/group-buys/rooms/:roomId', requireShopper(), roomParam, validate('query', v.strictObject({})), async (c) =>
    c.json(await viewRoom(c.env, c.var.db, c.req.valid('param').roomId, c.var.clock.now())),
  )
  .post('/group-buys/rooms/:roomId/join', claimLimit, requireShopper(), roomParam, idempotencyHeader, seatBody, async (c) => {
    const { roomId } = c.req.valid('param');
    const body = c.req.valid('json');
    await refuseJoinFromMemory(c.env, roomId, c.var.shopper.id, c.var.clock.now());
    const ctx = await createContext(c, { join: roomId, ...body });
    return seatResponse(c, await joinRoom(c.env, ctx, roomId, { skuId: body.sku_id, addressId: body.address_id }));
  })
  .get('/group-buys/:campaignId', detailFreshness, campaignParam, validate('query', v.strictObject({})), async (c) => {
    const { campaignId } = c.req.valid('param');
    const now = c.var.clock.now();
    const campaign = await storefrontGroupBuy(c.var.db, campaignId, now);
    return c.json({ ...campaign, open_rooms: await openRoomsOf(c.env, c.var.db, campaignId, now, ROOMS_WITH_CAMPAIGN), server_time: new Date(now).toISOString() });
  })
  .get('/group-buys/:campaignId/rooms', campaignParam, validate('query', v.strictObject({ limit: v.optional(queryInt(1, 20), '20') })), async (c) => {
    const { campaignId } = c.req.valid('param');
    const now = c.var.clock.now();
    await storefrontGroupBuy(c.var.db, campaignId, now); // 404 for an unknown or ended campaign
    return c.json({ items: await openRoomsOf(c.env, c.var.db, campaignId, now, c.req.valid('query').limit), next_cursor: null });
  })
  .post('/group-buys/:campaignId/rooms', claimLimit, requireShopper(), campaignParam, idempotencyHeader, seatBody, async (c) => {
    const { campaignId } = c.req.valid('param');
    const body = c.req.valid('json');
    const ctx = await createContext(c, { open: campaignId, ...body });
    return seatResponse(c, await openRoom(c.env, ctx, campaignId, { skuId: body.sku_id, addressId: body.address_id }));
  });
