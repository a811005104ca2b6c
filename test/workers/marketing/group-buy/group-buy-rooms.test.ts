// Group-buy rooms over HTTP: the GroupBuyRoom objects, D1 orders, WeChat Pay (the fake), the
// refund outbox and the room alarms together. Counts are exact under concurrent joins.
import { abortAllDurableObjects, env, runDurableObjectAlarm } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/lib/clock';
import { runScheduledWork } from '../../../../src/services/scheduled';
import { caller, createCampaign, deliverRefunds, GROUP_PRICE_FEN, joinRoom, notify, openRoom, orderRows, paySeat, refundRows, roomObject } from '../../../fixtures/group-buy';
import { api, createCategory, json, manyShoppers, newIdempotencyKey, tokenFor } from '../../../fixtures/helpers';
import { countedEnv } from '../../../fixtures/counted-bindings';
import { roomRefusalInMemory } from '../../../../src/marketing/group-buy/rooms';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '拼团');
});

const call = caller();
const stockOf = async (skuId: string) => (await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first<{ stock: number }>())!.stock;
const reconciliation = (campaignId: string) => json(api('GET', `/admin/api/group-buys/${campaignId}/reconciliation`, { token: merchant }));
const ordersOfUsers = async (userIds: string[]) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM orders WHERE user_id IN (${userIds.map(() => '?').join(',')})`)
    .bind(...userIds)
    .first<{ n: number }>())!.n;

describe('a full room refuses before any order', () => {
  it('50 shoppers race to join a 5-person room: exactly 5 seats, the rest refused with no order and no charge', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 5 });
    const [leader, ...racers] = await manyShoppers(51);
    const opened = await openRoom(call, leader!.token, campaign.id, skuId);
    expect(opened.status).toBe(201);
    const roomId = opened.body.room.id as string;
    const results = await Promise.all(racers.map((s) => joinRoom(call, s.token, roomId, skuId).then((r) => ({ ...r, shopper: s.id }))));
    const won = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(won).toHaveLength(4);
    expect(refused).toHaveLength(46);
    expect(refused.every((r) => r.status === 409 && r.body.error.code === 'room_full')).toBe(true);
    expect(await ordersOfUsers(refused.map((r) => r.shopper))).toBe(0);
    const state = (await roomObject(roomId).state())!;
    expect(state).toMatchObject({ heldCount: 5, paidCount: 0, seatsLeft: 0 });
    expect(new Set(state.seats.map((s) => s.userId)).size).toBe(5);
    expect(won.every((r) => r.body.room.id === roomId && r.body.order.status === 'pending_payment' && r.body.order.items[0].unit_price_fen === GROUP_PRICE_FEN)).toBe(true);
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true, totals: { rooms: 1, held: 5 } });
  }, 120_000);

  it('once a room has said "full", the crowd behind is refused from memory (no D1 query, no object call; once a second, one call to renew it); a member\'s retry still gets its seat', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3 });
    const counting = countedEnv('GROUP_BUY_ROOM');
    // On a clock that stands still, so that "full" (remembered for a second) outlasts the burst on any machine.
    const clock = new ManualClock(Date.now());
    const countedCall = caller(clock, counting.env);
    const [leader, member, last, ...crowd] = await manyShoppers(33);
    const roomId = (await openRoom(countedCall, leader!.token, campaign.id, skuId)).body.room.id as string;
    const memberKey = newIdempotencyKey();
    const seat = await joinRoom(countedCall, member!.token, roomId, skuId, memberKey);
    expect((await joinRoom(countedCall, last!.token, roomId, skuId)).status).toBe(201);
    // The first one too many asks the room, which says full and names its members.
    expect((await joinRoom(countedCall, crowd[0]!.token, roomId, skuId)).body.error.code).toBe('room_full');
    expect(roomRefusalInMemory(roomId, crowd[1]!.id, clock.now())).toBe('full');

    const [queriesBefore, callsBefore] = [counting.d1Queries(), counting.objectCalls()];
    const refused = await Promise.all(crowd.slice(1).map((s) => joinRoom(countedCall, s.token, roomId, skuId)));
    expect(refused.map((r) => [r.status, r.body.error.code])).toEqual(Array(29).fill([409, 'room_full']));
    expect([counting.d1Queries(), counting.objectCalls()]).toEqual([queriesBefore, callsBefore]);
    // A second later "full" has lapsed: one of the crowd asks the room whether it is still full
    // (one object call, no D1 query) while the others keep the refusal; all are refused again.
    clock.advance(1_000);
    const [queriesLater, callsLater] = [counting.d1Queries(), counting.objectCalls()];
    const again = await Promise.all(crowd.slice(1).map((s) => joinRoom(countedCall, s.token, roomId, skuId)));
    expect(again.map((r) => [r.status, r.body.error.code])).toEqual(Array(29).fill([409, 'room_full']));
    expect([counting.d1Queries() - queriesLater, counting.objectCalls() - callsLater]).toEqual([0, 1]);
    // A member is not refused from memory: the retry is answered with the first answer (its seat and order).
    const retried = await joinRoom(countedCall, member!.token, roomId, skuId, memberKey);
    expect([seat.status, retried.status, retried.body.order.id]).toEqual([201, 201, seat.body.order.id]);
    expect(await ordersOfUsers(crowd.map((s) => s.id))).toBe(0);
    expect((await roomObject(roomId).state())!.heldCount).toBe(3);
  });

  it('with "start a new group", the joiners beyond the seats are placed in new rooms', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 5, fullRoomPolicy: 'new_room' });
    const [leader, ...racers] = await manyShoppers(51);
    const roomId = (await openRoom(call, leader!.token, campaign.id, skuId)).body.room.id as string;
    const results = await Promise.all(racers.map((s, i) => joinRoom(call, s.token, roomId, skuId, `new-room-race-${i}`)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const inFirst = results.filter((r) => r.body.room.id === roomId);
    const moved = results.filter((r) => r.body.room.id !== roomId);
    expect(inFirst).toHaveLength(4);
    expect(inFirst.every((r) => r.body.redirected === undefined)).toBe(true);
    expect(moved).toHaveLength(46);
    expect(moved.every((r) => r.body.redirected === true && r.body.room.members.length >= 1)).toBe(true);
    expect((await roomObject(roomId).state())!.heldCount).toBe(5);
    const movedIndex = results.findIndex((r) => r.body.redirected);
    const replay = await joinRoom(call, racers[movedIndex]!.token, roomId, skuId, `new-room-race-${movedIndex}`);
    expect([replay.body.room.id, replay.body.order.id, replay.body.redirected]).toEqual([results[movedIndex]!.body.room.id, results[movedIndex]!.body.order.id, true]);
    const seats = (await env.DB.prepare('SELECT count(*) AS n FROM group_buy_members WHERE group_buy_id = ?').bind(campaign.id).first<{ n: number }>())!.n;
    expect(seats).toBe(51);
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true });
  }, 120_000);
});

describe('a room that fills up', () => {
  it('succeeds when the last seat is paid; its orders become shippable only then', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3, leaderDiscountFen: 500 });
    const [leader, a, b] = await manyShoppers(3);
    await env.DB.prepare("UPDATE users SET nickname = '张三丰', avatar_url = 'https://img.example.com/a.png' WHERE id = ?").bind(leader!.id).run();
    const opened = await openRoom(call, leader!.token, campaign.id, skuId);
    expect(opened.body.order.items[0].unit_price_fen).toBe(GROUP_PRICE_FEN - 500);
    expect(opened.body.order.ship_hold).toBe('group_open');
    const roomId = opened.body.room.id as string;
    const seats = [opened, await joinRoom(call, a!.token, roomId, skuId), await joinRoom(call, b!.token, roomId, skuId)];
    const tokens = [leader!.token, a!.token, b!.token];

    await paySeat(call, tokens[0]!, seats[0]!.body.order);
    const early = await api('POST', `/admin/api/orders/${seats[0]!.body.order.id}/ship`, { token: merchant, body: { carrier: '顺丰', tracking_no: 'SF1' } });
    expect(early.status).toBe(409);
    expect((await json(early)).error.code).toBe('order_on_hold');
    const refund = await call('POST', `/orders/${seats[0]!.body.order.id}/refund`, { token: tokens[0], body: { reason: '不想拼了' } });
    expect([refund.status, (await json(refund)).error.code]).toEqual([409, 'order_on_hold']);

    const view = await json(call('GET', `/group-buys/rooms/${roomId}`, { token: a!.token }));
    expect(view).toMatchObject({ status: 'open', size: 3, paid_count: 1, seats_left: 0, current_tier_price_fen: null });
    expect(view.members[0]).toEqual({ name: '张**', avatar_url: 'https://img.example.com/a.png', is_leader: true, paid: true, simulated: false });
    expect(typeof view.server_time).toBe('string');

    await paySeat(call, tokens[1]!, seats[1]!.body.order);
    await paySeat(call, tokens[2]!, seats[2]!.body.order);
    expect((await roomObject(roomId).state())!).toMatchObject({ status: 'succeeded', paidCount: 3, finalSize: 3, recordedInD1: true });
    const orders = await orderRows(seats.map((s) => s.body.order.id));
    expect(orders.map((o) => [o.status, o.ship_hold])).toEqual([
      ['paid', null],
      ['paid', null],
      ['paid', null],
    ]);
    expect((await api('POST', `/admin/api/orders/${seats[0]!.body.order.id}/ship`, { token: merchant, body: { carrier: '顺丰', tracking_no: 'SF1' } })).status).toBe(200);
    expect(await refundRows(seats.map((s) => s.body.order.id))).toEqual([]);
    expect(await stockOf(skuId)).toBe(497);
    const mine = await json(call('GET', '/group-buys/rooms?mine=1', { token: leader!.token }));
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ id: roomId, status: 'succeeded', order_id: seats[0]!.body.order.id });
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true, totals: { paid: 3 } });
  }, 120_000);
});

/** A campaign and rooms on a clock two hours behind: the rooms (1 h) and holds (5 min) have run out in real time. */
async function pastCampaign(opts: Parameters<typeof createCampaign>[2]) {
  const clock = new ManualClock(Date.now() - 2 * 3_600_000);
  const past = caller(clock);
  const created = await createCampaign(merchant, categoryId, { durationMinutes: 60, ...opts, now: clock.now() }, past);
  clock.advance(1_000);
  return { ...created, clock, past };
}

describe('expiry', () => {
  it('too few members: the group fails and every paid member is refunded once (alarm and notification replayed)', async () => {
    const { campaign, skuId, clock, past } = await pastCampaign({ groupSize: 5 });
    const shoppers = await manyShoppers(3);
    const opened = await openRoom(past, shoppers[0]!.token, campaign.id, skuId);
    const roomId = opened.body.room.id as string;
    const seats = [opened, await joinRoom(past, shoppers[1]!.token, roomId, skuId), await joinRoom(past, shoppers[2]!.token, roomId, skuId)];
    await paySeat(past, shoppers[0]!.token, seats[0]!.body.order, clock.now());
    await paySeat(past, shoppers[1]!.token, seats[1]!.body.order, clock.now());
    // The third never pays. The room has expired in real time: the alarm settles and closes it.
    expect(await runDurableObjectAlarm(roomObject(roomId))).toBe(true);
    await runDurableObjectAlarm(roomObject(roomId)); // a replay changes nothing
    expect((await roomObject(roomId).state())!).toMatchObject({ status: 'failed', paidCount: 2, heldCount: 0, recordedInD1: true });
    const ids = seats.map((s) => s.body.order.id as string);
    expect((await orderRows(ids)).map((o) => o.status)).toEqual(['refunding', 'refunding', 'cancelled']);

    const notifications = await deliverRefunds(ids);
    expect(notifications).toHaveLength(2);
    for (const n of notifications) expect((await notify(call, n, '/payments/wechat/refund-notify')).status).toBe(204); // replayed
    await runDurableObjectAlarm(roomObject(roomId));
    const refunds = await refundRows(ids);
    expect(refunds).toHaveLength(2);
    expect(refunds.every((r) => r.status === 'succeeded' && r.initiator === 'group_buy' && r.amount_fen === GROUP_PRICE_FEN)).toBe(true);
    const orders = await orderRows(ids);
    expect(orders.map((o) => [o.status, o.refunded_fen])).toEqual([
      ['refunded', GROUP_PRICE_FEN],
      ['refunded', GROUP_PRICE_FEN],
      ['cancelled', 0],
    ]);
    expect(await stockOf(skuId)).toBe(500); // every unit back
    const room = await env.DB.prepare('SELECT status FROM group_buy_rooms WHERE id = ?').bind(roomId).first<{ status: string }>();
    expect(room!.status).toBe('failed');
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true });
  }, 120_000);

  it('enough of the group paid and the campaign allows it: completed with simulated members', async () => {
    const { campaign, skuId, clock, past } = await pastCampaign({ groupSize: 5, simulateSharePercent: 60 });
    const shoppers = await manyShoppers(3);
    const opened = await openRoom(past, shoppers[0]!.token, campaign.id, skuId);
    const roomId = opened.body.room.id as string;
    const seats = [opened, await joinRoom(past, shoppers[1]!.token, roomId, skuId), await joinRoom(past, shoppers[2]!.token, roomId, skuId)];
    for (const [i, seat] of seats.entries()) await paySeat(past, shoppers[i]!.token, seat.body.order, clock.now());
    expect((await roomObject(roomId).state())!.status).toBe('open');
    await runDurableObjectAlarm(roomObject(roomId));
    const view = await json(call('GET', `/group-buys/rooms/${roomId}`, { token: shoppers[0]!.token }));
    expect(view).toMatchObject({ status: 'succeeded', paid_count: 3, seats_left: 0 });
    expect(view.members.filter((m: any) => m.simulated)).toHaveLength(2);
    expect((await orderRows(seats.map((s) => s.body.order.id))).every((o) => o.status === 'paid' && o.ship_hold === null)).toBe(true);
    expect(await refundRows(seats.map((s) => s.body.order.id))).toEqual([]);
    // The room took 5 units when it opened; its close gave back the 2 its simulated members did not take.
    expect(await stockOf(skuId)).toBe(497);
  }, 120_000);

  it('tiered: a group that closes at 6 refunds each member exactly the first tier minus the 5-person tier', async () => {
    const tiers = [
      { min_size: 2, price_fen: 9000 },
      { min_size: 5, price_fen: 8000 },
      { min_size: 10, price_fen: 7000 },
    ];
    const { campaign, skuId, clock, past } = await pastCampaign({ tiers, maxSize: 10 });
    const shoppers = await manyShoppers(6);
    const opened = await openRoom(past, shoppers[0]!.token, campaign.id, skuId);
    const roomId = opened.body.room.id as string;
    const seats = [opened];
    for (const s of shoppers.slice(1)) seats.push(await joinRoom(past, s.token, roomId, skuId));
    expect(seats.every((s) => s.body.order.items[0].unit_price_fen === 9000)).toBe(true);
    for (const [i, seat] of seats.entries()) await paySeat(past, shoppers[i]!.token, seat.body.order, clock.now());
    expect(await json(call('GET', `/group-buys/rooms/${roomId}`, { token: shoppers[0]!.token }))).toMatchObject({ status: 'open', size: 10, paid_count: 6, current_tier_price_fen: 8000 });
    await runDurableObjectAlarm(roomObject(roomId));
    await runDurableObjectAlarm(roomObject(roomId));
    expect((await roomObject(roomId).state())!).toMatchObject({ status: 'succeeded', finalSize: 6 });
    const ids = seats.map((s) => s.body.order.id as string);
    await deliverRefunds(ids);
    const refunds = await refundRows(ids);
    expect(refunds).toHaveLength(6);
    expect(refunds.every((r) => r.amount_fen === 1000 && r.status === 'succeeded')).toBe(true);
    const orders = await orderRows(ids);
    expect(orders.every((o) => o.status === 'paid' && o.refunded_fen === 1000 && o.ship_hold === null)).toBe(true);
    expect(orders.reduce((sum, o) => sum + o.payable_fen - o.refunded_fen, 0)).toBe(6 * 8000 + orders.reduce((sum, o) => sum + o.shipping_fee_fen, 0));
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true });
  }, 120_000);
});

describe('seats', () => {
  it('a member who does not pay in time loses the seat (closed at WeChat Pay first), and someone else takes it', async () => {
    const { campaign, skuId, clock, past } = await pastCampaign({ groupSize: 2, durationMinutes: 24 * 60 });
    const [leader, slow, next] = await manyShoppers(3);
    const opened = await openRoom(past, leader!.token, campaign.id, skuId);
    const roomId = opened.body.room.id as string;
    await paySeat(past, leader!.token, opened.body.order, clock.now());
    const slowSeat = await joinRoom(past, slow!.token, roomId, skuId);
    expect((await past('POST', `/orders/${slowSeat.body.order.id}/pay`, { token: slow!.token })).status).toBe(200);
    expect((await joinRoom(past, next!.token, roomId, skuId)).body.error.code).toBe('room_full');
    // The slow seat's 5 minutes are long over in real time; the room's 24 hours are not.
    expect(await runDurableObjectAlarm(roomObject(roomId))).toBe(true);
    expect((await orderRows([slowSeat.body.order.id]))[0]!.status).toBe('cancelled');
    expect((await roomObject(roomId).state())!).toMatchObject({ status: 'open', heldCount: 0, paidCount: 1, seatsLeft: 1 });
    // This isolate remembers "full" for a second after the room said so; then it asks the room again.
    expect(roomRefusalInMemory(roomId, next!.id, clock.now())).toBe('full');
    clock.advance(1_000);
    const taken = await joinRoom(past, next!.token, roomId, skuId);
    expect(taken.status).toBe(201);
    await paySeat(past, next!.token, taken.body.order, clock.now());
    expect((await roomObject(roomId).state())!.status).toBe('succeeded');
    expect(await stockOf(skuId)).toBe(498);
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true });
  }, 120_000);

  it('the cron sweep that expires an unpaid seat order frees the seat in the room at once', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3 });
    const [leader, slow] = await manyShoppers(2);
    const roomId = (await openRoom(call, leader!.token, campaign.id, skuId)).body.room.id as string;
    const seat = await joinRoom(call, slow!.token, roomId, skuId);
    expect((await roomObject(roomId).state())!.heldCount).toBe(2);
    // Only the orders of this room are past their deadline in the sweep's time.
    await env.DB.prepare('UPDATE orders SET payment_deadline = 1 WHERE id = ?').bind(seat.body.order.id).run();
    await runScheduledWork(env, new ManualClock(Date.now()));
    expect((await orderRows([seat.body.order.id]))[0]!.status).toBe('cancelled');
    expect((await roomObject(roomId).state())!).toMatchObject({ heldCount: 1, seatsLeft: 2 });
    // The seat's unit went back to the room with the seat, not to skus.stock: the room's loan of 3 stays out until it closes.
    expect(await stockOf(skuId)).toBe(497);
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true });
  }, 120_000);

  it('resetting the room objects mid-group loses nothing', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 4 });
    const shoppers = await manyShoppers(8);
    const opened = await openRoom(call, shoppers[0]!.token, campaign.id, skuId);
    const roomId = opened.body.room.id as string;
    const first = await joinRoom(call, shoppers[1]!.token, roomId, skuId);
    await paySeat(call, shoppers[0]!.token, opened.body.order);
    await abortAllDurableObjects();
    expect((await roomObject(roomId).state())!).toMatchObject({ paidCount: 1, heldCount: 1, seatsLeft: 2 });
    const racing = await Promise.all(shoppers.slice(2).map((s) => joinRoom(call, s.token, roomId, skuId)));
    expect(racing.filter((r) => r.status === 201)).toHaveLength(2);
    await abortAllDurableObjects();
    await paySeat(call, shoppers[1]!.token, first.body.order);
    const state = (await roomObject(roomId).state())!;
    expect(state).toMatchObject({ paidCount: 2, heldCount: 2, seatsLeft: 0, status: 'open' });
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true, totals: { held: 2, paid: 2 } });
  }, 120_000);

  it('a retried open or join (same Idempotency-Key) is the same seat and order', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3 });
    const [leader, joiner] = await manyShoppers(2);
    const first = await openRoom(call, leader!.token, campaign.id, skuId, 'retry-open-key-1');
    const again = await openRoom(call, leader!.token, campaign.id, skuId, 'retry-open-key-1');
    expect(again.status).toBe(201);
    expect([again.body.room.id, again.body.order.id]).toEqual([first.body.room.id, first.body.order.id]);
    // Copies sent at once: one seat; each copy answers with it, or 409 while the first is still writing it.
    const joins = await Promise.all(Array.from({ length: 5 }, () => joinRoom(call, joiner!.token, first.body.room.id, skuId, 'retry-join-key-1')));
    const answered = joins.filter((j) => j.status === 201);
    expect(new Set(answered.map((j) => j.body.order.id)).size).toBe(1);
    // (the seat it holds counts against one seat per room, or the per-user limit)
    for (const refused of joins.filter((j) => j.status !== 201)) expect(['409 already_member', '422 per_user_limit']).toContain(`${refused.status} ${refused.body.error.code}`);
    const later = await joinRoom(call, joiner!.token, first.body.room.id, skuId, 'retry-join-key-1');
    expect(later.body.order.id).toBe(answered[0]!.body.order.id);
    expect((await roomObject(first.body.room.id).state())!.heldCount).toBe(2);
    expect(await reconciliation(campaign.id)).toMatchObject({ ok: true });
  }, 120_000);
});
