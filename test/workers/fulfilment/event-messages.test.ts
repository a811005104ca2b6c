// Subscribe messages queued by the events of other modules, each in the batch of the change that
// causes it: an order paid (payments.ts), a group buy's result (group-buy/settlement.ts), a
// bargain cut to its floor (bargain/help-records.ts, with the cut's D1 row) and a flash-sale order's payment reminder
// (flash-sale/order-writer.ts). The fake WeChat receives exactly one message per event for a
// shopper who accepted the template, none for one who did not.
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { paymentReminderAt } from '../../../src/domain/subscribe-message';
import { ManualClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { acceptAtWeChat, fakeMessages, markPaid, notificationVariant } from '../../fakes/wechat-control';
import { bargainCampaign, bargainShoppers, help, launched, sessionObject, untilHelpRows } from '../../fixtures/bargain';
import { campaignBody, created, iso, newSku, setUpFlashSaleAdmin } from '../../fixtures/flash-sale-admin';
import { untilFlashOrders } from '../../fixtures/flash-orders';
import { deliverNotification, paidOrder, signedInShopper, skusFor } from '../../fixtures/fulfilment';
import { caller, createCampaign, joinRoom, openRoom, paySeat, roomObject } from '../../fixtures/group-buy';
import { api, createCategory, json, newIdempotencyKey, placeOrder, tokenFor } from '../../fixtures/helpers';

const templates = {
  order_paid: 'TPL_ORDER_PAID',
  group_result: 'TPL_GROUP_RESULT',
  bargain_floor: 'TPL_BARGAIN_FLOOR',
  payment_due: 'TPL_PAYMENT_DUE',
};
let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '事件消息');
  await setUpFlashSaleAdmin();
  expect((await api('PATCH', '/admin/api/fulfilment-settings', { token: merchant, body: { subscribe_templates: templates } })).status).toBe(200);
});

/** The outbox delivered now (no work queue: the sweep sends itself), on a clock at `at`. */
const sweepAt = (at = Date.now() + 1000) => runScheduledWork({ ...env, WORK_QUEUE: undefined }, new ManualClock(at));

/** The shopper accepts the template in the mini-program: at WeChat, and reported to us. */
async function accept(shopper: { token: string; openid: string }, key: keyof typeof templates) {
  await acceptAtWeChat(shopper.openid, templates[key]);
  expect((await api('POST', '/me/subscriptions', { token: shopper.token, body: { accepted: [key] } })).status).toBe(200);
}

const messagesOf = async (openid: string, key: keyof typeof templates) => (await fakeMessages(openid)).filter((m) => m.template_id === templates[key]);
const allowance = async (userId: string, key: string) =>
  (await env.DB.prepare('SELECT remaining FROM subscription_allowances WHERE user_id = ? AND template_key = ?').bind(userId, key).first<{ remaining: number }>())?.remaining ?? 0;
const messageStatus = async (userId: string, key: string) =>
  (await env.DB.prepare('SELECT status FROM subscribe_messages WHERE user_id = ? AND template_key = ?').bind(userId, key).all<{ status: string }>()).results.map((r) => r.status);

describe('order paid', () => {
  it('one message per payment, even when WeChat Pay notifies twice; none without an allowance', async () => {
    const [skuId] = await skusFor(merchant, categoryId, [2590]);
    const subscribed = await signedInShopper();
    const silent = await signedInShopper();
    await accept(subscribed, 'order_paid');
    const order = await json(placeOrder(subscribed.token, { items: [{ sku_id: skuId!, quantity: 2 }] }));
    expect((await api('POST', `/orders/${order.id}/pay`, { token: subscribed.token })).status).toBe(200);
    const { notification } = await markPaid(order.order_no);
    expect((await deliverNotification(notification)).status).toBe(204);
    // WeChat Pay tells of the same payment again, in a notification of its own.
    expect((await deliverNotification(await notificationVariant(notification.id, 'duplicate'))).status).toBe(204);
    await paidOrder(silent, [{ sku_id: skuId!, quantity: 1 }]);
    await sweepAt();
    await sweepAt();

    const sent = await messagesOf(subscribed.openid, 'order_paid');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      page: `pages/order-detail/index?id=${order.id}`,
      data: { character_string1: { value: order.order_no }, amount3: { value: `¥${(order.payable_fen / 100).toFixed(2)}` } },
    });
    expect(sent[0]!.data.thing2.value).toContain('发货测试商品');
    expect(await allowance(subscribed.id, 'order_paid')).toBe(0);
    expect(await fakeMessages(silent.openid)).toEqual([]);
    expect(await messageStatus(silent.id, 'order_paid')).toEqual(['skipped']);
  });
});

describe('group-buy result', () => {
  it('a group that fills: each subscribed member hears "拼团成功" once; the member who did not accept hears nothing', async () => {
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 2 });
    const leader = await signedInShopper();
    const member = await signedInShopper();
    await accept(leader, 'group_result');
    const call = caller();
    const opened = await openRoom(call, leader.token, campaign.id, skuId);
    const joined = await joinRoom(call, member.token, opened.body.room.id, skuId);
    await paySeat(call, leader.token, opened.body.order);
    await paySeat(call, member.token, joined.body.order);
    expect((await roomObject(opened.body.room.id).state())!).toMatchObject({ status: 'succeeded', recordedInD1: true });
    // The closure queues its messages at once (the work queue delivers them); sweeps change nothing.
    await expect.poll(() => messageStatus(member.id, 'group_result'), { timeout: 10_000, interval: 50 }).toEqual(['skipped']);
    await sweepAt();
    await sweepAt();

    const sent = await messagesOf(leader.openid, 'group_result');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ page: `pages/order-detail/index?id=${opened.body.order.id}`, data: { thing1: { value: '三人成团' }, phrase2: { value: '拼团成功' } } });
    expect(await messagesOf(member.openid, 'group_result')).toEqual([]);
    expect(await messageStatus(member.id, 'group_result')).toEqual(['skipped']);
  }, 60_000);

  it('a group that fails: the paying member hears "拼团失败" once, whatever replays the closure', async () => {
    const clock = new ManualClock(Date.now() - 2 * 3_600_000);
    const past = caller(clock);
    const { campaign, skuId } = await createCampaign(merchant, categoryId, { groupSize: 3, durationMinutes: 60, now: clock.now() }, past);
    clock.advance(1_000);
    const leader = await signedInShopper();
    await accept(leader, 'group_result');
    const opened = await openRoom(past, leader.token, campaign.id, skuId);
    await paySeat(past, leader.token, opened.body.order, clock.now());
    const roomId = opened.body.room.id as string;
    // The room ran out an hour ago in real time: its alarm closes it as failed (and again: a replay).
    expect(await runDurableObjectAlarm(roomObject(roomId))).toBe(true);
    await runDurableObjectAlarm(roomObject(roomId));
    expect((await roomObject(roomId).state())!).toMatchObject({ status: 'failed', recordedInD1: true });
    // The closure queues its messages at once (the work queue delivers them); sweeps change nothing.
    await expect.poll(() => messagesOf(leader.openid, 'group_result'), { timeout: 10_000, interval: 50 }).toHaveLength(1);
    await sweepAt();
    await sweepAt();

    const sent = await messagesOf(leader.openid, 'group_result');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ phrase2: { value: '拼团失败' }, thing3: { value: '款项将原路退回' } });
  }, 60_000);
});

describe('bargain floor', () => {
  it('the owner hears once when the last friend cuts the price to the floor; a shopper without an allowance hears nothing', async () => {
    const { campaign } = await bargainCampaign({ helpers: 2, floor: 100, launches: 1 });
    const owner = await signedInShopper();
    const silentOwner = await signedInShopper();
    await accept(owner, 'bargain_floor');
    const session = await launched(owner, campaign.id);
    const silentSession = await launched(silentOwner, campaign.id);
    const helpers = await bargainShoppers(3);
    expect((await help(helpers[0]!, session.id)).status).toBe(201);
    await sweepAt();
    expect(await messagesOf(owner.openid, 'bargain_floor')).toEqual([]); // not at the floor yet
    expect((await help(helpers[1]!, session.id)).status).toBe(201);
    await untilHelpRows(session.id, 2); // the last cut's row and the message, written by the work queue
    expect(await messageStatus(owner.id, 'bargain_floor')).toEqual(['pending']);
    // Had that write been lost, the session object's alarm (a minute after the cut) writes it again.
    await env.DB.batch([
      env.DB.prepare("DELETE FROM outbox WHERE kind = 'send_subscribe_message' AND subject_id IN (SELECT id FROM subscribe_messages WHERE subject_id = ?)").bind(session.id),
      env.DB.prepare('DELETE FROM subscribe_messages WHERE subject_id = ?').bind(session.id),
    ]);
    await runDurableObjectAlarm(sessionObject(session.id));
    expect(await messageStatus(owner.id, 'bargain_floor')).toEqual(['pending']);
    expect((await help(helpers[2]!, session.id)).status).toBe(422); // floor reached
    await runDurableObjectAlarm(sessionObject(session.id)); // and again: still one
    expect(await messageStatus(owner.id, 'bargain_floor')).toEqual(['pending']);
    for (const h of helpers.slice(0, 2)) expect((await help(h, silentSession.id)).status).toBe(201);
    await untilHelpRows(silentSession.id, 2);
    await sweepAt();
    await sweepAt();

    const sent = await messagesOf(owner.openid, 'bargain_floor');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ page: `marketing/bargain/session/index?id=${session.id}`, data: { thing1: { value: '好友砍价' }, amount2: { value: '¥1.00' } } });
    expect(await fakeMessages(silentOwner.openid)).toEqual([]);
    expect(await messageStatus(silentOwner.id, 'bargain_floor')).toEqual(['skipped']);
  }, 60_000);
});

describe('flash-sale payment due', () => {
  it('an unpaid flash order is reminded once, shortly before its hold runs out; a paid one is not, and keeps its allowance', async () => {
    const { skuId } = await newSku({ stock: 20 });
    const now = Date.now();
    const sale = await created(
      campaignBody(skuId, { starts_at: iso(now - 60_000), ends_at: iso(now + 3_600_000), per_user_limit: 1, items: [{ sku_id: skuId, flash_price_fen: 990, flash_stock: 5 }] }),
    );
    const unpaid = await signedInShopper();
    const payer = await signedInShopper();
    for (const s of [unpaid, payer]) await accept(s, 'payment_due');
    const reserve = async (s: { token: string }) => {
      const res = await api('POST', `/flash-sales/${sale.id}/reserve`, { token: s.token, body: { sku_id: skuId }, headers: { 'Idempotency-Key': newIdempotencyKey() } });
      expect(res.status).toBe(201);
      return json(res);
    };
    const unpaidOrder = await reserve(unpaid);
    const paidReservation = await reserve(payer);
    await untilFlashOrders(sale.items[0].id, 2);
    const order = await json(api('GET', `/orders/${unpaidOrder.id}`, { token: unpaid.token }));
    expect((await api('POST', `/orders/${paidReservation.id}/pay`, { token: payer.token })).status).toBe(200);
    const paidNo = (await json(api('GET', `/orders/${paidReservation.id}`, { token: payer.token }))).order_no;
    expect((await deliverNotification((await markPaid(paidNo)).notification)).status).toBe(204);

    const row = (await env.DB.prepare('SELECT created_at, payment_deadline FROM orders WHERE id = ?').bind(order.id).first<{ created_at: number; payment_deadline: number }>())!;
    const remindAt = paymentReminderAt(row.created_at, row.payment_deadline);
    expect(remindAt).toBeLessThan(row.payment_deadline);
    await sweepAt(remindAt - 1_000);
    expect(await messagesOf(unpaid.openid, 'payment_due')).toEqual([]); // not yet
    await sweepAt(remindAt + 1_000);
    await sweepAt(remindAt + 2_000);

    const sent = await messagesOf(unpaid.openid, 'payment_due');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ page: `pages/order-detail/index?id=${order.id}`, data: { character_string1: { value: order.order_no }, thing2: { value: '秒杀专用商品' } } });
    expect(await messagesOf(payer.openid, 'payment_due')).toEqual([]);
    expect(await messageStatus(payer.id, 'payment_due')).toEqual(['skipped']);
    expect(await allowance(payer.id, 'payment_due')).toBe(1);
  }, 60_000);
});
