// A joiner hears "yes" once the room holds the seat and the shopper's ticket object has counted
// it (issue 12, point 3): D1 gets the order off the reply path. However the work queue behaves —
// twice, late, never (the room's alarm is the backstop) — each seat ends as exactly one order and
// one member row; the shopper can pay before the queue has delivered; the per-user limit holds
// across rooms under concurrency, and a released seat gives its ticket back.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/lib/clock';
import { caller, createCampaign, joinRoom, joinRoomAnswer, openRoom, paySeat, roomObject } from '../../../fixtures/group-buy';
import { createCategory, createProduct, manyShoppers, newIdempotencyKey, tokenFor } from '../../../fixtures/helpers';
import { deliverWork, heldWorkQueue } from '../../../fixtures/work-queue';
import { seatTicketsObjectName } from '../../../../src/domain/group-buy';
import { seatTicketsStub } from '../../../../src/marketing/kernel/object-stubs';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '排队拼团');
});

/** Requests to an app whose work queue keeps its messages: the test delivers them, or not. */
function heldApp() {
  const { sent, queue } = heldWorkQueue();
  return { sent, call: caller(undefined, { ...env, WORK_QUEUE: queue }) };
}

const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n;
const ordersWithId = (orderId: string) => count('SELECT count(*) AS n FROM orders WHERE id = ?', orderId);
const membersOfRoom = (roomId: string) => count('SELECT count(*) AS n FROM group_buy_members WHERE room_id = ?', roomId);
const stockOf = (skuId: string) => count('SELECT stock AS n FROM skus WHERE id = ?', skuId);
const ticketsOf = (userId: string, campaignId: string) => seatTicketsStub(env, campaignId, userId).heldSeatTickets(userId);

describe("a joiner's order, off the reply path", () => {
  it('is queued, not written, when the shopper hears "yes"; delivered twice it is one order; the shopper may pay before it is delivered', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3 });
    const [leader, joiner] = await manyShoppers(2);
    const { sent, call } = heldApp();
    const roomId = (await openRoom(call, leader!.token, campaign.id, skuId)).body.room.id as string;
    // The room took one unit per seat when it opened.
    expect(await stockOf(skuId)).toBe(497);

    const seat = await joinRoomAnswer(call, joiner!.token, roomId, skuId);
    expect(seat.status).toBe(201);
    const orderId = seat.body.order.id as string;
    expect(orderId).toMatch(/^ord_gb_/);
    expect(seat.body.order).toMatchObject({ status: 'pending_payment', order_no: '', items: [{ sku_id: skuId, quantity: 1 }] });
    expect(seat.body.room).toMatchObject({ id: roomId, seats_left: 1 });
    expect([await ordersWithId(orderId), await membersOfRoom(roomId)]).toEqual([0, 1]);
    expect(sent.filter((m) => m.kind === 'group_seat')).toHaveLength(1);
    expect(await ticketsOf(joiner!.id, campaign.id)).toHaveLength(1);

    // Paying first writes the order on demand, with the seat's price and deadline.
    const written = await (await call('GET', `/orders/${orderId}`, { token: joiner!.token })).json<any>();
    expect(written).toMatchObject({ id: orderId, status: 'pending_payment', payable_fen: seat.body.order.payable_fen, payment_deadline: seat.body.order.payment_deadline });
    await paySeat(call, joiner!.token, written);
    // The queue's copy, twice and late: nothing changes.
    await deliverWork(sent);
    await deliverWork(sent);
    expect([await ordersWithId(orderId), await membersOfRoom(roomId)]).toEqual([1, 2]);
    expect((await env.DB.prepare('SELECT status FROM orders WHERE id = ?').bind(orderId).first<{ status: string }>())!.status).toBe('paid');
    expect((await roomObject(roomId).state())!).toMatchObject({ paidCount: 1, heldCount: 1 });
    // Another shopper's seat order is a 404, written or not.
    expect((await call('GET', `/orders/${orderId}`, { token: leader!.token })).status).toBe(404);
    expect((await call('GET', `/orders/ord_gb_${'a'.repeat(20)}_${'b'.repeat(20)}`, { token: joiner!.token })).status).toBe(404);
  });

  it('a retry before the order is written is the same seat and order; never delivered, the room writes it from its alarm a minute later, once', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3 });
    const [leader, joiner] = await manyShoppers(2);
    const { sent, call } = heldApp();
    const roomId = (await openRoom(call, leader!.token, campaign.id, skuId)).body.room.id as string;
    const key = newIdempotencyKey();
    const before = Date.now();
    const first = await joinRoomAnswer(call, joiner!.token, roomId, skuId, key);
    const again = await joinRoomAnswer(call, joiner!.token, roomId, skuId, key);
    expect(again.status).toBe(201);
    expect(again.body.order.id).toBe(first.body.order.id);
    expect((await roomObject(roomId).state())!.heldCount).toBe(2);
    expect(await ticketsOf(joiner!.id, campaign.id)).toHaveLength(1);

    const room = roomObject(roomId);
    const alarmAt = await runInDurableObject(room, (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(alarmAt).toBeLessThan(Date.parse(first.body.order.payment_deadline)); // the order check, not the hold's expiry
    // A minute on, on the object's clock: the alarm writes the order the queue never delivered.
    await runInDurableObject(room, (instance) => {
      (instance as unknown as { clock: ManualClock }).clock = new ManualClock(Date.now() + 61_000);
    });
    expect(await runDurableObjectAlarm(room)).toBe(true);
    expect([await ordersWithId(first.body.order.id), await membersOfRoom(roomId)]).toEqual([1, 2]);
    await runDurableObjectAlarm(room);
    await deliverWork(sent); // late copies
    expect([await ordersWithId(first.body.order.id), await membersOfRoom(roomId)]).toEqual([1, 2]);
  });
});

describe('the per-user limit across rooms', () => {
  it('one shopper joining 20 rooms at once gets exactly the limit; the other seats go back to their rooms', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3, perUserLimit: 2 });
    const [greedy, ...leaders] = await manyShoppers(21);
    const rooms = await Promise.all(leaders.map(async (l) => (await openRoom(caller(), l.token, campaign.id, skuId)).body.room.id as string));
    const results = await Promise.all(rooms.map((roomId) => joinRoomAnswer(caller(), greedy!.token, roomId, skuId)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 422 && r.body.error.code === 'per_user_limit')).toBe(true);
    const states = await Promise.all(rooms.map(async (id) => (await roomObject(id).state())!));
    expect(states.reduce((n, s) => n + s.heldCount, 0)).toBe(20 + 2);
    expect(await ticketsOf(greedy!.id, campaign.id)).toHaveLength(2);
  }, 120_000);

  it('shoppers whose tickets share a shard are counted apart: 40 joiners, limit 1, two rooms each at once, one seat each', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 5, perUserLimit: 1 });
    const shoppers = await manyShoppers(60);
    const [leaders, joiners] = [shoppers.slice(0, 20), shoppers.slice(20)];
    // 40 shoppers over 32 shards: some share one (the pigeonhole), which is what this is about.
    expect(new Set(joiners.map((j) => seatTicketsObjectName(campaign.id, j.id))).size).toBeLessThan(joiners.length);
    const rooms = await Promise.all(leaders.map(async (l) => (await openRoom(caller(), l.token, campaign.id, skuId)).body.room.id as string));
    // Room k gets joiners 2k, 2k+1 (first choice) and 2k-2, 2k-1 (second): four each, never full.
    const attempts = joiners.flatMap((j, i) => [rooms[Math.floor(i / 2)]!, rooms[(Math.floor(i / 2) + 1) % rooms.length]!].map((roomId) => ({ j, roomId })));
    const results = await Promise.all(attempts.map(async ({ j, roomId }) => ({ j, answer: await joinRoomAnswer(caller(), j.token, roomId, skuId) })));
    for (const joiner of joiners) {
      const mine = results.filter((r) => r.j === joiner).map((r) => r.answer);
      expect(mine.map((a) => a.status).sort()).toEqual([201, 422]);
      expect(mine.find((a) => a.status === 422)!.body.error.code).toBe('per_user_limit');
      expect(await ticketsOf(joiner.id, campaign.id)).toHaveLength(1);
    }
  }, 120_000);

  it('a cancelled seat gives its ticket back: the shopper may join another room', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3, perUserLimit: 1 });
    const [a, b, joiner] = await manyShoppers(3);
    const first = (await openRoom(caller(), a!.token, campaign.id, skuId)).body.room.id as string;
    const second = (await openRoom(caller(), b!.token, campaign.id, skuId)).body.room.id as string;
    const seat = await joinRoom(caller(), joiner!.token, first, skuId);
    expect((await joinRoomAnswer(caller(), joiner!.token, second, skuId)).body.error.code).toBe('per_user_limit');
    expect((await caller()('POST', `/orders/${seat.body.order.id}/cancel`, { token: joiner!.token, body: { reason: '不想要了' } })).status).toBe(200);
    expect(await ticketsOf(joiner!.id, campaign.id)).toEqual([]);
    expect((await joinRoomAnswer(caller(), joiner!.token, second, skuId)).status).toBe(201);
    // The cancelled seat's unit went back to its room, not to skus.stock: two rooms of 3 are out.
    expect(await stockOf(skuId)).toBe(494);
  });
});

describe('a burst of joiners', () => {
  it('200 shoppers race into 8 rooms of 5: exactly 32 seats, 32 orders written by the queue, nothing for the rest', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 5 });
    const shoppers = await manyShoppers(208);
    const leaders = shoppers.slice(0, 8);
    const racers = shoppers.slice(8);
    const rooms = await Promise.all(leaders.map(async (l) => (await openRoom(caller(), l.token, campaign.id, skuId)).body.room.id as string));
    const results = await Promise.all(racers.map((s, i) => joinRoomAnswer(caller(), s.token, rooms[i % rooms.length]!, skuId)));
    const won = results.filter((r) => r.status === 201);
    expect(won).toHaveLength(32);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'room_full')).toHaveLength(168);
    const ids = won.map((r) => r.body.order.id as string);
    await expect.poll(async () => count(`SELECT count(*) AS n FROM orders WHERE id IN (${ids.map(() => '?').join(',')})`, ...ids), { timeout: 30_000, interval: 100 }).toBe(32);
    expect(await count(`SELECT count(*) AS n FROM group_buy_members WHERE group_buy_id = ?`, campaign.id)).toBe(40);
    expect(await stockOf(skuId)).toBe(500 - 40);
  }, 120_000);
});

describe("a joiner of another SKU than the room's", () => {
  it('has its order and its own unit written before the answer, as before rooms took loans', async () => {
    const product = await createProduct(merchant, categoryId, {
      specs: [{ name: '颜色', values: ['红', '黑'] }],
      skus: [
        { spec_values: ['红'], price_fen: 12_000, original_price_fen: 12_000, stock: 50 },
        { spec_values: ['黑'], price_fen: 12_000, original_price_fen: 12_000, stock: 50 },
      ],
    });
    const [red, black] = [product.skus[0].id as string, product.skus[1].id as string];
    const created = await caller()('POST', '/admin/api/group-buys', {
      token: merchant,
      body: {
        title: '两色成团',
        starts_at: new Date(Date.now() - 60_000).toISOString(),
        ends_at: new Date(Date.now() + 86_400_000).toISOString(),
        skus: [
          { sku_id: red, group_price_fen: 9_900 },
          { sku_id: black, group_price_fen: 9_900 },
        ],
        group_size: 3,
        duration_minutes: 60,
      },
    });
    expect(created.status).toBe(201);
    const campaignId = ((await created.json()) as { id: string }).id;
    const [leader, joiner] = await manyShoppers(2);
    const roomId = (await openRoom(caller(), leader!.token, campaignId, red)).body.room.id as string;
    const seat = await joinRoomAnswer(caller(), joiner!.token, roomId, black);
    expect(seat.status).toBe(201);
    // Written before the answer, with a number, its unit out of the black SKU's own stock.
    expect(seat.body.order.order_no).not.toBe('');
    expect(await ordersWithId(seat.body.order.id)).toBe(1);
    expect([await stockOf(red), await stockOf(black)]).toEqual([47, 49]);
    expect(await ticketsOf(joiner!.id, campaignId)).toHaveLength(1);
  });
});

describe('a tiered room', () => {
  it('lends itself the units its smallest group needs; the seats past them reserve their own before the answer', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, {
      tiers: [
        { min_size: 2, price_fen: 9_000 },
        { min_size: 4, price_fen: 8_000 },
      ],
      maxSize: 5,
    });
    const [leader, ...joiners] = await manyShoppers(5);
    const roomId = (await openRoom(caller(), leader!.token, campaign.id, skuId)).body.room.id as string;
    expect(await stockOf(skuId)).toBe(498);
    const seats = [];
    for (const j of joiners) seats.push(await joinRoomAnswer(caller(), j.token, roomId, skuId));
    expect(seats.map((s) => s.status)).toEqual([201, 201, 201, 201]);
    // The loan's second unit is the first joiner's (queued: no number yet); the other three were written with their own.
    expect(seats.map((s) => s.body.order.order_no === '')).toEqual([true, false, false, false]);
    expect(await stockOf(skuId)).toBe(495);
    expect((await roomObject(roomId).state())!).toMatchObject({ heldCount: 5, seatsLeft: 0 });
  });
});
