// How after-sales end, against the fake WeChat (Pay, shipping management) and the fake tracking
// provider: an exchange ships the replacement as a new package (uploaded as the payment's one
// re-shipping, or not at all once that is spent); a refund WeChat Pay refuses leaves its request in
// refund_failed for the merchant to send again (once, however many click); a return's auto-refund
// counts from the parcel's delivery to the merchant, on the injected clock.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { advanceTracking, completeRefund, fakeShipping } from '../../fakes/wechat-control';
import { adminPage, adminSession, api, createCategory, json, newIdempotencyKey, tokenFor } from '../../fixtures/helpers';
import { deliverNotification, paidOrder, signedInShopper, skusFor } from '../../fixtures/fulfilment';

let merchant: string;
let skuId: string;
const clock = new ManualClock(Date.now());
const DAY = 86_400_000;
const returnAddress = { recipient: '售后部', phone: '057188886666', province: '浙江省', city: '杭州市', district: '余杭区', detail: '仓库路 8 号' };

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  skuId = (await skusFor(merchant, await createCategory(merchant, '售后结果'), [4990], 50))[0]!;
  const settings = { return_address: returnAddress, subscribe_templates: { order_shipped: 'TPL_ORDER_SHIPPED' } };
  expect((await api('PATCH', '/admin/api/fulfilment-settings', { token: merchant, body: settings })).status).toBe(200);
});

const ask = (token: string, orderId: string, body: Record<string, unknown>) => api('POST', `/orders/${orderId}/after-sales`, { token, body, headers: { 'Idempotency-Key': newIdempotencyKey() } });
const admin = (path: string, body?: unknown) => api('POST', `/admin/api/after-sales/${path}`, { token: merchant, ...(body === undefined ? {} : { body }) });
/** The sweep on the test's clock (never behind the worker's real one), delivering the outbox itself. */
const sweep = (advanceMs = 1000) => {
  clock.advance(Math.max(0, Date.now() - clock.now()) + advanceMs);
  return runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock);
};
const deliverPush = (push: { callbackUrl: string; form: Record<string, string> }) =>
  SELF.fetch(`https://shop.test${new URL(push.callbackUrl).pathname}`, { method: 'POST', body: new URLSearchParams(push.form) });
const afterSaleRow = (id: string) =>
  env.DB.prepare('SELECT status, due_at, return_delivered_at, refund_id FROM after_sales WHERE id = ?')
    .bind(id)
    .first<{ status: string; due_at: number | null; return_delivered_at: number | null; refund_id: string }>();

/** A one-unit order, shipped in one package and uploaded to WeChat. */
async function shippedOrder(trackingNo: string) {
  const shopper = await signedInShopper();
  const order = await paidOrder(shopper, [{ sku_id: skuId, quantity: 1 }]);
  expect((await api('POST', `/admin/api/orders/${order.id}/shipments`, { token: merchant, body: { carrier: 'SF', tracking_no: trackingNo } })).status).toBe(201);
  await sweep();
  expect((await fakeShipping(order.order_no)).uploads).toHaveLength(1);
  return { shopper, order };
}

/** Asked for, approved, sent back by the shopper, received by the merchant. */
async function returned(shopper: { token: string }, order: { id: string; items: { id: string }[] }, type: 'exchange' | 'return_refund', trackingNo: string) {
  const afterSale = await json(ask(shopper.token, order.id, { type, lines: [{ order_item_id: order.items[0]!.id, quantity: 1 }], reason: '换个颜色' }));
  expect((await admin(`${afterSale.id}/approve`)).status).toBe(200);
  expect((await api('POST', `/after-sales/${afterSale.id}/return-shipment`, { token: shopper.token, body: { carrier: 'YTO', tracking_no: trackingNo } })).status).toBe(200);
  return afterSale as { id: string };
}

describe('exchange', () => {
  it('ships the replacement as a new package, uploaded to WeChat as the one re-shipping, with its own "shipped" message', async () => {
    const { shopper, order } = await shippedOrder('SFEXO1');
    const afterSale = await returned(shopper, order, 'exchange', 'YTEXO1');
    expect((await admin(`${afterSale.id}/receive`, { restock: false })).status).toBe(200);
    const exchanged = await json(admin(`${afterSale.id}/exchange`, { carrier: 'SF', tracking_no: 'SFEXN1' }));
    expect(exchanged).toMatchObject({ status: 'exchanged', exchange_shipment: { carrier: 'SF', tracking_no: 'SFEXN1', package_id: expect.stringMatching(/^pkg_/), uploaded_to_wechat: true } });

    const view = await json(api('GET', `/orders/${order.id}`, { token: shopper.token }));
    expect(view.packages.map((p: any) => [p.seq, p.tracking_no, p.lines])).toEqual([
      [1, 'SFEXO1', [{ order_item_id: order.items[0]!.id, title: expect.any(String), quantity: 1 }]],
      [2, 'SFEXN1', [{ order_item_id: order.items[0]!.id, title: expect.any(String), quantity: 1 }]],
    ]);
    await sweep();
    const told = await fakeShipping(order.order_no);
    expect(told.uploads).toHaveLength(2);
    expect(told.uploads[1]).toMatchObject({ delivery_mode: 2, is_all_delivered: true });
    expect(told.uploads[1].shipping_list.map((p: any) => p.tracking_no)).toEqual(['SFEXO1', 'SFEXN1']);
    expect(told.reshippingUsed).toBe(true);
    // The re-shipping is spent: a correction of a package is refused before WeChat is called.
    const correction = await api('PATCH', `/admin/api/orders/${order.id}/shipments/${exchanged.exchange_shipment.package_id}`, { token: merchant, body: { carrier: 'YTO', tracking_no: 'YT0001' } });
    expect([correction.status, (await json(correction)).error.code]).toEqual([409, 'reshipping_used']);
    expect(
      (await env.DB.prepare("SELECT count(*) AS n FROM subscribe_messages WHERE template_key = 'order_shipped' AND subject_id = ?")
        .bind(exchanged.exchange_shipment.package_id)
        .first<{ n: number }>())!.n,
    ).toBe(1);
  });

  it('with the re-shipping already spent on a correction, the replacement ships without an upload WeChat would refuse', async () => {
    const { shopper, order } = await shippedOrder('SFEXO2');
    const [pkg] = (await json(api('GET', `/orders/${order.id}`, { token: shopper.token }))).packages;
    expect((await api('PATCH', `/admin/api/orders/${order.id}/shipments/${pkg.id}`, { token: merchant, body: { carrier: 'SF', tracking_no: 'SFEXO2B' } })).status).toBe(200);
    await sweep();
    const afterSale = await returned(shopper, order, 'exchange', 'YTEXO2');
    await admin(`${afterSale.id}/receive`, { restock: false });
    const exchanged = await json(admin(`${afterSale.id}/exchange`, { carrier: 'SF', tracking_no: 'SFEXN2' }));
    expect(exchanged.exchange_shipment).toMatchObject({ uploaded_to_wechat: false });
    await sweep();
    const told = await fakeShipping(order.order_no);
    expect(told.uploads).toHaveLength(2); // the package and its correction, nothing refused
    expect(await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE kind IN ('upload_shipping', 'correct_shipping') AND status = 'dead'").first<{ n: number }>()).toEqual({ n: 0 });
  });
});

describe('a refund WeChat Pay refuses', () => {
  it('leaves the request refund_failed, visible to the merchant; 20 concurrent retries send it once, and it completes', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skuId, quantity: 2 }]);
    const afterSale = await json(ask(shopper.token, order.id, { type: 'refund_only', lines: [{ order_item_id: order.items[0]!.id, quantity: 1 }], reason: '不想要了' }));
    expect((await admin(`${afterSale.id}/approve`)).status).toBe(200);
    await sweep(); // the outbox submits the refund
    const first = (await afterSaleRow(afterSale.id))!;
    const failedNo = (await env.DB.prepare('SELECT out_refund_no FROM refunds WHERE id = ?').bind(first.refund_id).first<{ out_refund_no: string }>())!.out_refund_no;
    const { notification } = await completeRefund(failedNo, { status: 'ABNORMAL' });
    expect((await deliverNotification(notification, '/payments/wechat/refund-notify')).status).toBe(204);

    expect((await json(api('GET', `/after-sales/${afterSale.id}`, { token: shopper.token }))).status).toBe('refund_failed');
    const listed = await json(api('GET', '/admin/api/after-sales?status=refund_failed', { token: merchant }));
    expect(listed.items.map((a: { id: string }) => a.id)).toContain(afterSale.id);
    // Refused again to anything but a retry, which the admin page offers.
    expect((await admin(`${afterSale.id}/refund`)).status).toBe(409);
    const { cookie } = await adminSession('operator');
    const page = async () => (await adminPage(`/admin/after-sales/${afterSale.id}`, { cookie })).text();
    expect(await page()).toContain('退款失败，待重试');
    expect(await page()).toContain('重新退款');

    const retries = await Promise.all(Array.from({ length: 20 }, () => admin(`${afterSale.id}/retry-refund`)));
    expect(retries.filter((r) => r.status === 200)).toHaveLength(1);
    expect(retries.filter((r) => r.status === 409)).toHaveLength(19);
    const retried = (await afterSaleRow(afterSale.id))!;
    expect(retried.status).toBe('refunding');
    expect(retried.refund_id).not.toBe(first.refund_id);
    expect(await page()).not.toContain('重新退款');
    await sweep();
    const retryNo = (await env.DB.prepare('SELECT out_refund_no, status FROM refunds WHERE id = ?').bind(retried.refund_id).first<{ out_refund_no: string; status: string }>())!;
    expect(retryNo.status).toBe('processing');
    const done = await completeRefund(retryNo.out_refund_no);
    expect((await deliverNotification(done.notification, '/payments/wechat/refund-notify')).status).toBe(204);
    expect((await afterSaleRow(afterSale.id))!.status).toBe('refunded');
    const after = await json(api('GET', `/orders/${order.id}`, { token: shopper.token }));
    expect(after.refunded_fen).toBe(afterSale.amount_fen);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM refunds WHERE order_id = ? AND status = 'succeeded'").bind(order.id).first<{ n: number }>()).toEqual({ n: 1 });
  });
});

describe('auto-refund after a return', () => {
  it('counts from the parcel reaching the merchant, not from its dispatch', async () => {
    const { shopper, order } = await shippedOrder('SFRT1');
    const afterSale = await returned(shopper, order, 'return_refund', 'YTRT1');
    await sweep(); // subscribes the return parcel at the provider
    expect((await env.DB.prepare('SELECT return_tracking_subscribed_at AS at FROM after_sales WHERE id = ?').bind(afterSale.id).first<{ at: number | null }>())!.at).not.toBeNull();
    // Four days after dispatch the parcel is still on its way: nothing is refunded.
    await sweep(4 * DAY);
    expect((await afterSaleRow(afterSale.id))!.status).toBe('returned');

    for (let i = 0; i < 3; i++) expect((await deliverPush(await advanceTracking('YTRT1'))).status).toBe(200);
    expect((await afterSaleRow(afterSale.id))!.return_delivered_at).toBeNull();
    const delivered = await advanceTracking('YTRT1');
    expect((await deliverPush(delivered)).status).toBe(200);
    expect((await deliverPush(delivered)).status).toBe(200); // a replay changes nothing
    const row = (await afterSaleRow(afterSale.id))!;
    expect(row.return_delivered_at).not.toBeNull();
    expect(row.due_at).toBe(row.return_delivered_at! + 3 * DAY);
    // A push signed for another after-sale is refused.
    const forged = await SELF.fetch(`https://shop.test/tracking/kuaidi100/return-notify/afs_${'x'.repeat(16)}`, { method: 'POST', body: new URLSearchParams(delivered.form) });
    expect(forged.status).toBe(400);

    clock.advance(row.due_at! - 60_000 - clock.now());
    await runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock);
    expect((await afterSaleRow(afterSale.id))!.status).toBe('returned');
    clock.advance(row.due_at! + 60_000 - clock.now());
    await runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock);
    expect((await afterSaleRow(afterSale.id))!.status).toBe('refunding');
  });
});
