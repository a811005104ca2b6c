// The worker's side of the objects' port (durable-objects/port.ts): what an object's decision
// means in D1 and at WeChat Pay. src/index.ts gives each object this, bound to its env.
import type { ObjectPort } from '../../../durable-objects/port';
import { createDb } from '../../db/client';
import type { Env } from '../../env';
import { groupBy } from '../../lib/group-by';
import { findOrderBySource } from '../../services/orders';
import { recordHelps } from '../bargain/help-records';
import { recordRoomClosure } from '../group-buy/settlement';
import { jobFromIntent, writeSeatOrders } from '../group-buy/seat-orders';
import { settleExpiredHold } from './hold-settlement';
import { seatTicketsObjectName } from '../../domain/group-buy';
import { seatTicketsStub } from './object-stubs';

export const workerObjectPort = (env: Env): ObjectPort => ({
  settleExpiredHold: (hold, nowMs) => settleExpiredHold(env, hold, nowMs),
  recordRoomClosure: (closure, nowMs) => recordRoomClosure(env, closure, nowMs),
  async recordBargainHelps(helps) {
    const failed = await recordHelps(createDb(env.DB), helps, env.SHOP_TIME_ZONE);
    if (failed.length) throw new Error(`${failed.length} of ${helps.length} bargain helps not recorded in D1`);
  },
  async recordSeatOrders(seats) {
    const jobs = seats.map((s) => jobFromIntent(s.orderIntent, s.holdExpiresAt));
    const failed = await writeSeatOrders(createDb(env.DB), jobs, env.SHOP_TIME_ZONE);
    if (failed.length) throw new Error(`${failed.length} of ${jobs.length} seat orders not written to D1`);
  },
  async returnSeatTickets(campaignId, seats, nowMs) {
    const byShard = groupBy(seats, (s) => seatTicketsObjectName(campaignId, s.userId));
    await Promise.all(byShard.map((shardSeats) => seatTicketsStub(env, campaignId, shardSeats[0]!.userId).returnSeatTickets(shardSeats, nowMs)));
  },
  async findOrderId(source, sourceRef) {
    return (await findOrderBySource(createDb(env.DB), source, sourceRef))?.id ?? null;
  },
});
