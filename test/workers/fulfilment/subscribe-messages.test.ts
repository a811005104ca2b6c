// Subscribe messages: allowances from acceptances, one message per event through the outbox,
// values WeChat accepts (no 47003), no send without an allowance, 43101 zeroes the allowance.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { createDb } from '../../../src/db/client';
import { outboxDeliveries } from '../../../src/services/outbox';
import { runScheduledWork } from '../../../src/services/scheduled';
import { payClientOf } from '../../../src/services/wechat';
import { acceptAtWeChat, fakeMessages } from '../../fakes/wechat-control';
import { api, createCategory, json, tokenFor } from '../../fixtures/helpers';
import { paidOrder, signedInShopper, skusFor } from '../../fixtures/fulfilment';

let merchant: string;
let skus: string[];
const clock = new ManualClock(Date.now());
const templates = { order_shipped: 'TPL_ORDER_SHIPPED', order_delivered: 'TPL_ORDER_DELIVERED', refund_result: 'TPL_REFUND_RESULT', after_sale_decision: 'TPL_AFTER_SALE' };

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  skus = await skusFor(merchant, await createCategory(merchant, '订阅消息'), [990]);
  expect((await api('PATCH', '/admin/api/fulfilment-settings', { token: merchant, body: { subscribe_templates: templates } })).status).toBe(200);
});

const sweep = () => {
  clock.advance(Math.max(0, Date.now() - clock.now()) + 1000);
  // Without the work queue the sweep delivers the outbox itself, on this test's clock.
  return runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock);
};
const allowance = async (userId: string, key: string) =>
  (await env.DB.prepare('SELECT remaining FROM subscription_allowances WHERE user_id = ? AND template_key = ?').bind(userId, key).first<{ remaining: number }>())?.remaining ?? 0;
const shipOne = (orderId: string, itemId: string, tracking: string) =>
  api('POST', `/admin/api/orders/${orderId}/shipments`, { token: merchant, body: { carrier: 'SF', tracking_no: tracking, lines: [{ order_item_id: itemId, quantity: 1 }] } });

describe('subscribe messages', () => {
  it('an accepted template allows one "shipped" message; the next package sends none', async () => {
    const shopper = await signedInShopper();
    await acceptAtWeChat(shopper.openid, templates.order_shipped);
    const accepted = await api('POST', '/me/subscriptions', { token: shopper.token, body: { accepted: ['order_shipped'] } });
    expect(await json(accepted)).toEqual({ allowances: { order_shipped: 1 } });
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 2 }]);
    expect((await shipOne(order.id, order.items[0]!.id, 'SFMSG1')).status).toBe(201);
    await sweep();
    const messages = await fakeMessages(shopper.openid);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      template_id: 'TPL_ORDER_SHIPPED',
      page: `pages/order-detail/index?id=${order.id}`,
      data: { character_string1: { value: order.order_no }, thing3: { value: '顺丰速运' }, character_string4: { value: 'SFMSG1' } },
    });
    expect(await allowance(shopper.id, 'order_shipped')).toBe(0);
    expect((await shipOne(order.id, order.items[0]!.id, 'SFMSG2')).status).toBe(201);
    await sweep();
    expect(await fakeMessages(shopper.openid)).toHaveLength(1);
    expect(
      (await env.DB.prepare("SELECT count(*) AS n FROM subscribe_messages WHERE user_id = ? AND template_key = 'order_shipped' AND status = 'skipped'").bind(shopper.id).first<{ n: number }>())!.n,
    ).toBe(1);
  });

  it('twenty deliveries of one message at once take one allowance and send once', async () => {
    const shopper = await signedInShopper();
    await acceptAtWeChat(shopper.openid, templates.order_shipped);
    await acceptAtWeChat(shopper.openid, templates.order_shipped);
    await api('POST', '/me/subscriptions', { token: shopper.token, body: { accepted: ['order_shipped', 'order_shipped'] } });
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    expect((await shipOne(order.id, order.items[0]!.id, 'SFMSG5')).status).toBe(201);
    const message = (await env.DB.prepare("SELECT id FROM subscribe_messages WHERE user_id = ? AND template_key = 'order_shipped'").bind(shopper.id).first<{ id: string }>())!;
    const deps = { db: createDb(env.DB), pay: payClientOf(env, clock), env, clock };
    await Promise.all(Array.from({ length: 20 }, () => outboxDeliveries.send_subscribe_message(deps, message.id, clock.now())));
    expect(await fakeMessages(shopper.openid)).toHaveLength(1);
    expect(await allowance(shopper.id, 'order_shipped')).toBe(1);
  });

  it('43101 from WeChat zeroes the allowance', async () => {
    const shopper = await signedInShopper();
    // Accepted here twice, but WeChat knows of no acceptance: it answers 43101.
    await api('POST', '/me/subscriptions', { token: shopper.token, body: { accepted: ['order_shipped', 'order_shipped'] } });
    expect(await allowance(shopper.id, 'order_shipped')).toBe(2);
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    await shipOne(order.id, order.items[0]!.id, 'SFMSG3');
    await sweep();
    expect(await allowance(shopper.id, 'order_shipped')).toBe(0);
    expect((await env.DB.prepare("SELECT status FROM subscribe_messages WHERE user_id = ? AND template_key = 'order_shipped'").bind(shopper.id).first<{ status: string }>())!.status).toBe('refused');
  });

  it("long titles are cut to WeChat's limits, so the send never meets 47003", async () => {
    const shopper = await signedInShopper();
    const [longSku] = await skusFor(merchant, await createCategory(merchant, '长标题'), [1990]);
    await env.DB.prepare("UPDATE products SET title = '超长的商品标题超长的商品标题超长的商品标题超长的商品标题' WHERE id = (SELECT product_id FROM skus WHERE id = ?)").bind(longSku).run();
    await acceptAtWeChat(shopper.openid, templates.order_shipped);
    await api('POST', '/me/subscriptions', { token: shopper.token, body: { accepted: ['order_shipped'] } });
    const order = await paidOrder(shopper, [{ sku_id: longSku!, quantity: 1 }]);
    await shipOne(order.id, order.items[0]!.id, 'SFMSG4');
    await sweep();
    const [message] = await fakeMessages(shopper.openid);
    expect([...message!.data.thing2.value].length).toBeLessThanOrEqual(20);
  });

  it('refuses unknown template keys with a field path', async () => {
    const shopper = await signedInShopper();
    const res = await api('POST', '/me/subscriptions', { token: shopper.token, body: { accepted: ['order_shipped', 'no_such_key'] } });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details).toEqual([{ path: 'body.accepted.1', message: 'not a configured subscribe template key' }]);
    expect(await allowance(shopper.id, 'order_shipped')).toBe(0);
    expect((await api('POST', '/me/subscriptions', { body: { accepted: [] } })).status).toBe(401);
  });
});
