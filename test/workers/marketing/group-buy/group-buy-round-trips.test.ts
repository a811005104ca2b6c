// How many D1 round trips and object calls taking a group-buy seat costs (issue 12, point 3).
// Every read before the seat in one db.batch (with the Idempotency-Key's earlier answer), the hold
// in the room's object (its answer carries the room), the seat ticket in the campaign's ticket shard of the shopper.
// Opening a room then writes the room, its loan and the leader's order in one batch: 2 round
// trips. Joining writes nothing to D1 before the answer (the order is queued): 1 round trip, the
// read. It was about 13.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { caller, createCampaign, joinRoomAnswer, openRoom } from '../../../fixtures/group-buy';
import { createCategory, manyShoppers, newIdempotencyKey, tokenFor } from '../../../fixtures/helpers';
import { counted, roundTripCounted } from '../../../fixtures/counted-bindings';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '往返拼团');
});

function countedCaller() {
  const d1 = roundTripCounted(env.DB);
  const rooms = counted<DurableObjectNamespace>(env.GROUP_BUY_ROOM as unknown as DurableObjectNamespace, ['get']);
  const tickets = counted<DurableObjectNamespace>(env.GROUP_BUY_SEAT_TICKETS as unknown as DurableObjectNamespace, ['get']);
  const call = caller(undefined, {
    ...env,
    DB: d1.binding,
    GROUP_BUY_ROOM: rooms.binding as unknown as typeof env.GROUP_BUY_ROOM,
    GROUP_BUY_SEAT_TICKETS: tickets.binding as unknown as typeof env.GROUP_BUY_SEAT_TICKETS,
  });
  let before = { rooms: 0, tickets: 0 };
  return {
    call,
    reset: () => {
      d1.reset();
      before = { rooms: rooms.calls(), tickets: tickets.calls() };
    },
    counts: () => ({ d1RoundTrips: d1.roundTrips(), roomCalls: rooms.calls() - before.rooms, ticketCalls: tickets.calls() - before.tickets }),
  };
}

describe('taking a seat', () => {
  it('opening a room costs 2 D1 round trips, joining one 1 (no write); each asks the room and the ticket object once; a retry is answered from the read batch', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3 });
    const [leader, joiner] = await manyShoppers(2);
    const counting = countedCaller();

    counting.reset();
    const opened = await openRoom(counting.call, leader!.token, campaign.id, skuId);
    expect(opened.status).toBe(201);
    expect(counting.counts()).toEqual({ d1RoundTrips: 2, roomCalls: 1, ticketCalls: 1 });

    const key = newIdempotencyKey();
    counting.reset();
    const joined = await joinRoomAnswer(counting.call, joiner!.token, opened.body.room.id, skuId, key);
    expect(joined.status).toBe(201);
    expect(joined.body.room).toMatchObject({ id: opened.body.room.id, seats_left: 1 });
    expect(joined.body.order).toMatchObject({ status: 'pending_payment', items: [{ sku_id: skuId, quantity: 1 }] });
    expect(counting.counts()).toEqual({ d1RoundTrips: 1, roomCalls: 1, ticketCalls: 1 });

    // The same key again once the queue has written the order: the read batch finds it; the room is read from its object, the order view from D1.
    await expect.poll(async () => (await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE id = ?').bind(joined.body.order.id).first<{ n: number }>())!.n, { timeout: 10_000 }).toBe(1);
    counting.reset();
    const again = await joinRoomAnswer(counting.call, joiner!.token, opened.body.room.id, skuId, key);
    expect(again.status).toBe(201);
    expect(again.body.order.id).toBe(joined.body.order.id);
    expect(counting.counts()).toMatchObject({ roomCalls: 1, ticketCalls: 0 });
    expect(counting.counts().d1RoundTrips).toBeLessThanOrEqual(3);
  });
});
