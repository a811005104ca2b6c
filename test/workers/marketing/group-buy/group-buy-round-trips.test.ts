// How many D1 round trips and object calls taking a group-buy seat costs (issue 12, point 3).
// Stage one: every read before the seat in one db.batch (with the Idempotency-Key's earlier
// answer), the hold in the room's object (its answer carries the room), the order in one batch,
// and the reply built from what those gave: 2 round trips, 1 object call. It was about 13.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { caller, createCampaign, joinRoom, openRoom } from '../../../fixtures/group-buy';
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
  const call = caller(undefined, { ...env, DB: d1.binding, GROUP_BUY_ROOM: rooms.binding as unknown as typeof env.GROUP_BUY_ROOM });
  let objectCallsBefore = 0;
  return {
    call,
    reset: () => {
      d1.reset();
      objectCallsBefore = rooms.calls();
    },
    counts: () => ({ d1RoundTrips: d1.roundTrips(), objectCalls: rooms.calls() - objectCallsBefore }),
  };
}

describe('taking a seat', () => {
  it('opening a room and joining one each cost 2 D1 round trips and 1 object call; a retry is answered from the read batch', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3 });
    const [leader, joiner] = await manyShoppers(2);
    const counting = countedCaller();

    counting.reset();
    const opened = await openRoom(counting.call, leader!.token, campaign.id, skuId);
    expect(opened.status).toBe(201);
    expect(counting.counts()).toEqual({ d1RoundTrips: 2, objectCalls: 1 });

    const key = newIdempotencyKey();
    counting.reset();
    const joined = await joinRoom(counting.call, joiner!.token, opened.body.room.id, skuId, key);
    expect(joined.status).toBe(201);
    expect(joined.body.room).toMatchObject({ id: opened.body.room.id, seats_left: 1 });
    expect(joined.body.order).toMatchObject({ status: 'pending_payment', items: [{ sku_id: skuId, quantity: 1 }] });
    expect(counting.counts()).toEqual({ d1RoundTrips: 2, objectCalls: 1 });

    // The same key again: the read batch finds the order; the room is read from its object, the order view from D1.
    counting.reset();
    const again = await joinRoom(counting.call, joiner!.token, opened.body.room.id, skuId, key);
    expect(again.status).toBe(201);
    expect(again.body.order.id).toBe(joined.body.order.id);
    expect(counting.counts().objectCalls).toBe(1);
    expect(counting.counts().d1RoundTrips).toBeLessThanOrEqual(3);
  });
});
