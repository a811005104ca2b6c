// Group-buy campaigns under /admin/api/group-buys: viewers read (campaigns, rooms, the
// reconciliation), operators create and cancel.
import { Hono } from 'hono';
import type { AppEnv } from '../../src/env';
import { toIso } from '../../src/lib/clock';
import { noBody, validate } from '../../src/lib/validate';
import { catalogWriteContext } from '../../src/services/catalog-admin';
import { cancelGroupBuy, createGroupBuy, groupBuyForAdmin, listGroupBuysForAdmin } from '../../src/marketing/group-buy/campaigns';
import { roomsOfCampaign } from '../../src/marketing/group-buy/room-views';
import { groupRoomStub } from '../../src/marketing/kernel/object-stubs';
import { reconcileCampaign, reconcileRoom } from '../../src/marketing/group-buy/reconciliation';
import { requireMerchant } from '../../src/http/auth';
import { notFound } from '../../src/lib/errors';
import { createGroupBuyBody, groupBuyListQuery, groupBuyParam, roomParam } from './group-buys-schemas';
import * as v from 'valibot';

const viewer = requireMerchant('viewer');
const operator = requireMerchant('operator');
const noQuery = validate('query', v.strictObject({}));

export const adminGroupBuyRoutes = new Hono<AppEnv>()
  .get('/group-buys', viewer, validate('query', groupBuyListQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json(await listGroupBuysForAdmin(c.var.db, { status: q.status, cursor: q.cursor, limit: q.limit, now: c.var.clock.now() }));
  })
  .post('/group-buys', operator, validate('json', createGroupBuyBody), async (c) => {
    const id = await createGroupBuy(catalogWriteContext(c), c.req.valid('json'));
    return c.json(await groupBuyForAdmin(c.var.db, id, c.var.clock.now()), 201, { Location: `/admin/api/group-buys/${id}` });
  })
  // Before /group-buys/:id, which would read "rooms" as a (bad) id.
  .get('/group-buys/rooms/:roomId', viewer, validate('param', roomParam), noQuery, async (c) => {
    const { roomId } = c.req.valid('param');
    const state = await groupRoomStub(c.env, roomId).state();
    if (!state) throw notFound('Group-buy room');
    const drift = await reconcileRoom(c.var.db, state);
    return c.json({
      id: state.roomId,
      campaign_id: state.campaignId,
      status: state.status,
      paid_count: state.paidCount,
      held_count: state.heldCount,
      seats_left: state.seatsLeft,
      final_size: state.finalSize,
      simulated_count: state.simulatedCount,
      expires_at: toIso(state.expiresAt),
      closed_at: toIso(state.closedAt),
      recorded_in_d1: state.recordedInD1,
      invite_code: state.inviteCode,
      seats: state.seats.map((s) => ({ seat_id: s.seatId, user_id: s.userId, is_leader: s.isLeader, unit_price_fen: s.unitPriceFen, status: s.status, hold_expires_at: toIso(s.holdExpiresAt) })),
      ledger: await groupRoomStub(c.env, roomId).ledger(),
      drift,
    });
  })
  .get('/group-buys/:id', viewer, validate('param', groupBuyParam), noQuery, async (c) => {
    const { id } = c.req.valid('param');
    const campaign = await groupBuyForAdmin(c.var.db, id, c.var.clock.now());
    const rooms = await roomsOfCampaign(c.var.db, id);
    return c.json({
      ...campaign,
      recent_rooms: rooms.map((r) => ({
        id: r.id,
        status: r.status,
        invite_code: r.inviteCode,
        expires_at: toIso(r.expiresAt),
        final_size: r.finalSize,
        simulated_count: r.simulatedCount,
        created_at: toIso(r.createdAt),
      })),
    });
  })
  .post('/group-buys/:id/cancel', operator, validate('param', groupBuyParam), noBody, async (c) => {
    const { id } = c.req.valid('param');
    await cancelGroupBuy(catalogWriteContext(c), id);
    return c.json(await groupBuyForAdmin(c.var.db, id, c.var.clock.now()));
  })
  .get('/group-buys/:id/reconciliation', viewer, validate('param', groupBuyParam), noQuery, async (c) => {
    const { id } = c.req.valid('param');
    await groupBuyForAdmin(c.var.db, id, c.var.clock.now()); // 404 for an unknown campaign
    return c.json(await reconcileCampaign(c.env, c.var.db, id));
  });
