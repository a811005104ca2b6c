// Every package reaches WeChat's order shipping management through the outbox, as the fake shows:
// unified and split delivery, masked contact, increasing upload_time, 10060001 retried with
// backoff, other refusals in the admin list with a retry, the one correction, reconciliation and
// the confirm-receive reminder once.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import { ManualClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { markPackageDelivered } from '../../../src/services/shipping-uploads';
import { failNextShipping, fakeShipping } from '../../fakes/wechat-control';
import { api, createCategory, json, tokenFor } from '../../fixtures/helpers';
import { paidOrder, signedInShopper, skusFor } from '../../fixtures/fulfilment';

let merchant: string;
let skus: string[];
const clock = new ManualClock(Date.now());

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  skus = await skusFor(merchant, await createCategory(merchant, '微信发货'), [1500, 2500]);
});

const ship = (orderId: string, body: Record<string, unknown>) => api('POST', `/admin/api/orders/${orderId}/shipments`, { token: merchant, body });
const sweep = (advanceMs = 1000) => {
  // Requests are stamped by the worker's real clock: the sweep's never lags behind it.
  clock.advance(Math.max(0, Date.now() - clock.now()) + advanceMs);
  // Without the work queue the sweep delivers the outbox itself, on this test's clock.
  return runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock);
};
const outboxOf = (subjectId: string) => env.DB.prepare('SELECT * FROM outbox WHERE subject_id = ?').bind(subjectId).first<Record<string, any>>();

async function shippedOnce() {
  const shopper = await signedInShopper();
  const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
  const res = await ship(order.id, { carrier: 'SF', tracking_no: `SF${Date.now()}` });
  expect(res.status).toBe(201);
  return { shopper, order, packageId: (await json(res)).package_id as string };
}

describe('upload_shipping_info', () => {
  it('one package is unified delivery with the carrier, a masked contact and the payer', async () => {
    const { shopper, order } = await shippedOnce();
    await sweep();
    const told = await fakeShipping(order.order_no);
    expect(told).toMatchObject({ orderState: 2, deliveryMode: 1, logisticsType: 1, finished: true, reshippingUsed: false });
    expect(told.uploads).toHaveLength(1);
    const upload = told.uploads[0];
    expect(upload).toMatchObject({
      order_key: { order_number_type: 1, mchid: env.WECHAT_PAY_MCHID, out_trade_no: order.order_no },
      logistics_type: 1,
      delivery_mode: 1,
      payer: { openid: shopper.openid },
      shipping_list: [{ express_company: 'SF', tracking_no: expect.stringMatching(/^SF/), item_desc: expect.stringMatching(/\*1件$/), contact: { receiver_contact: '139****1111' } }],
    });
    expect(upload.upload_time).toMatch(/\+08:00$/);
    expect(upload).not.toHaveProperty('is_all_delivered');
  });

  it('split delivery: each upload states the packages so far; is_all_delivered on the last; upload_time increases', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [
      { sku_id: skus[0]!, quantity: 1 },
      { sku_id: skus[1]!, quantity: 2 },
    ]);
    const first = order.items.find((i) => i.sku_id === skus[1])!;
    expect((await ship(order.id, { carrier: 'ZTO', tracking_no: 'ZT100', lines: [{ order_item_id: first.id, quantity: 1 }] })).status).toBe(201);
    await sweep();
    expect((await fakeShipping(order.order_no)).orderState).toBe(1); // not all delivered yet
    // Two packages before the next sweep: one upload states both.
    expect((await ship(order.id, { carrier: 'YTO', tracking_no: 'YT200', lines: [{ order_item_id: first.id, quantity: 1 }] })).status).toBe(201);
    expect((await ship(order.id, { carrier: 'JD', tracking_no: 'JD300' })).status).toBe(201);
    await sweep();
    const told = await fakeShipping(order.order_no);
    expect(told.uploads.map((u: any) => [u.delivery_mode, u.is_all_delivered, u.shipping_list.length])).toEqual([
      [2, false, 1],
      [2, true, 3],
    ]);
    expect(Date.parse(told.uploads[1].upload_time)).toBeGreaterThan(Date.parse(told.uploads[0].upload_time));
    expect(told).toMatchObject({ orderState: 2, finished: true, reshippingUsed: false });
  });

  it('10060001 (payment not known yet) is retried with backoff, then delivered', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    await failNextShipping(order.order_no, 10060001, 2);
    const packageId = (await json(ship(order.id, { carrier: 'SF', tracking_no: 'SF10060001' }))).package_id;
    await sweep();
    expect(await outboxOf(packageId)).toMatchObject({ status: 'pending', attempts: 1 });
    await sweep(5_000); // not due yet: the backoff is 30 s
    expect(await outboxOf(packageId)).toMatchObject({ attempts: 1 });
    await sweep(30_000);
    expect(await outboxOf(packageId)).toMatchObject({ status: 'pending', attempts: 2 });
    await sweep(60_000);
    expect(await outboxOf(packageId)).toMatchObject({ status: 'done', attempts: 3 });
    expect((await fakeShipping(order.order_no)).uploads).toHaveLength(1);
  });

  it('any other refusal is listed among failed uploads at once; the retry button sends it again', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    await failNextShipping(order.order_no, 10060028);
    const packageId = (await json(ship(order.id, { carrier: 'SF', tracking_no: 'SF10060028' }))).package_id;
    await sweep();
    const row = await outboxOf(packageId);
    expect(row).toMatchObject({ status: 'dead', attempts: 1, last_error: expect.stringContaining('10060028') });
    const failed = await json(api('GET', '/admin/api/shipping-uploads/failed', { token: merchant }));
    expect(failed.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: row!.id, kind: 'upload_shipping', subject_id: packageId })]));
    expect((await api('POST', `/admin/api/shipping-uploads/${row!.id}/retry`, { token: merchant })).status).toBe(204);
    expect((await api('POST', `/admin/api/shipping-uploads/${row!.id}/retry`, { token: merchant })).status).toBe(404); // no longer failed
    await sweep();
    expect(await outboxOf(packageId)).toMatchObject({ status: 'done' });
    expect((await fakeShipping(order.order_no)).orderState).toBe(2);
  });

  it('one correction is uploaded as the re-shipping; a second is refused before WeChat is called', async () => {
    const { order, packageId } = await shippedOnce();
    await sweep();
    const correct = (tracking: string) => api('PATCH', `/admin/api/orders/${order.id}/shipments/${packageId}`, { token: merchant, body: { carrier: 'YTO', tracking_no: tracking } });
    const first = await correct('YT0001');
    expect(first.status).toBe(200);
    expect((await json(first)).packages[0]).toMatchObject({ carrier: { id: 'YTO' }, tracking_no: 'YT0001' });
    await sweep();
    const told = await fakeShipping(order.order_no);
    expect(told).toMatchObject({ reshippingUsed: true });
    expect(told.uploads).toHaveLength(2);
    expect(told.uploads[1].shipping_list[0]).toMatchObject({ express_company: 'YTO', tracking_no: 'YT0001' });
    const second = await correct('YT0002');
    expect(second.status).toBe(409);
    expect((await json(second)).error.code).toBe('reshipping_used');
    await sweep();
    expect((await fakeShipping(order.order_no)).uploads).toHaveLength(2);
    const bad = await api('PATCH', `/admin/api/orders/${order.id}/shipments/${packageId}`, { token: merchant, body: { carrier: 'YTO', tracking_no: 'X'.repeat(129) } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('body.tracking_no');
  });

  it('reconciles with get_order on the sweep, and reminds the shopper to confirm receipt once when delivered', async () => {
    const { order, packageId } = await shippedOnce();
    await sweep();
    const upload = await env.DB.prepare('SELECT * FROM shipping_uploads WHERE order_id = ?').bind(order.id).first<Record<string, any>>();
    expect(upload).toMatchObject({ uploaded_seq: 1, wechat_order_state: 2, mismatch: null, checked_at: expect.any(Number) });
    const db = createDb(env.DB);
    expect(await markPackageDelivered(db, packageId, clock.now(), clock.now())).toBe(true);
    expect(await markPackageDelivered(db, packageId, clock.now(), clock.now())).toBe(false);
    await sweep();
    expect(await outboxOf(order.id)).toMatchObject({ kind: 'notify_confirm_receive', status: 'done' });
    expect((await fakeShipping(order.order_no)).confirmReceiveNotifiedAt).toEqual(expect.any(String));
  });

  it('refreshes the carrier table from get_delivery_list', async () => {
    const res = await api('POST', '/admin/api/carriers/refresh', { token: merchant });
    expect(res.status).toBe(200);
    expect((await json(res)).items).toEqual(
      expect.arrayContaining([
        { id: 'BEST', name: '百世快递' },
        { id: 'SF', name: '顺丰速运' },
      ]),
    );
  });
});

describe('the fake refuses what WeChat refuses', () => {
  it('shipping_list as an object, 16 items, a bare phone, an unknown carrier, an unpaid order, an older upload_time, a third upload', async () => {
    const { loginClient } = await import('../../fakes/wechat-control');
    const { uploadShippingBody } = await import('../../../src/wechat/order-shipping');
    const client = loginClient();
    const { shopper, order } = await shippedOnce();
    const base = uploadShippingBody({
      mchid: env.WECHAT_PAY_MCHID!,
      outTradeNo: order.order_no,
      payerOpenid: shopper.openid,
      receiverPhone: '13900001111',
      uploadTimeMs: Date.now() + 3600_000,
      packages: [{ method: 'express', carrierId: 'SF', trackingNo: 'SF1', itemDesc: '裙*1件', completesOrder: true }],
    });
    const errcodeOf = (body: unknown) =>
      client.callServerApi('/wxa/sec/order/upload_shipping_info', body as object).then(
        () => 0,
        (error: { errcode: number }) => error.errcode,
      );
    const item = base.shipping_list[0]!;
    expect(await errcodeOf({ ...base, shipping_list: item })).toBe(47001);
    expect(await errcodeOf({ ...base, delivery_mode: 2, is_all_delivered: true, shipping_list: Array.from({ length: 16 }, () => item) })).toBe(47001);
    expect(await errcodeOf({ ...base, shipping_list: [{ ...item, contact: { receiver_contact: '13900001111' } }] })).toBe(47001);
    expect(await errcodeOf({ ...base, shipping_list: [{ ...item, contact: undefined }] })).toBe(47001); // SF needs a contact
    expect(await errcodeOf({ ...base, shipping_list: [{ ...item, express_company: '顺丰' }] })).toBe(47001);
    expect(await errcodeOf({ ...base, order_key: { ...base.order_key, out_trade_no: 'NOSUCHPAYMENT01' } })).toBe(10060001);
    expect(await errcodeOf(base)).toBe(0); // the first upload (the sweep has not run)
    expect(await errcodeOf({ ...base, upload_time: '2020-01-01T00:00:00+08:00' })).toBe(47001); // not later than the last
    expect(await errcodeOf({ ...base, upload_time: new Date(Date.now() + 7200_000).toISOString().replace('Z', '+00:00') })).toBe(0); // re-shipping
    expect(await errcodeOf({ ...base, upload_time: new Date(Date.now() + 9000_000).toISOString().replace('Z', '+00:00') })).toBe(10060028);
  });
});
