// After-sales (售后) end to end against the fake WeChat Pay: money-only before shipping, a return
// with restock, exchange, bad input with field paths, 409 for illegal moves, 404 for another
// shopper, the timers on the injected clock, ask-again-once, and concurrent double approvals.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { completeRefund } from '../../fakes/wechat-control';
import { api, createCategory, json, newIdempotencyKey, tokenFor } from '../../fixtures/helpers';
import { deliverNotification, paidOrder, signedInShopper, skusFor } from '../../fixtures/fulfilment';

let merchant: string;
let skus: string[];
const clock = new ManualClock(Date.now());
const DAY = 86_400_000;
const returnAddress = { recipient: '售后部', phone: '057188886666', province: '浙江省', city: '杭州市', district: '余杭区', detail: '仓库路 8 号' };

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  skus = await skusFor(merchant, await createCategory(merchant, '售后'), [1000, 2999], 50);
  expect((await api('PATCH', '/admin/api/fulfilment-settings', { token: merchant, body: { return_address: returnAddress } })).status).toBe(200);
});

const ask = (token: string, orderId: string, body: Record<string, unknown>, key = newIdempotencyKey()) =>
  api('POST', `/orders/${orderId}/after-sales`, { token, body, headers: { 'Idempotency-Key': key } });
const admin = (path: string, body?: unknown) => api('POST', `/admin/api/after-sales/${path}`, { token: merchant, ...(body === undefined ? {} : { body }) });
const sweep = (advanceMs = 1000) => {
  // Requests are stamped by the worker's real clock: the sweep's never lags behind it.
  clock.advance(Math.max(0, Date.now() - clock.now()) + advanceMs);
  // Without the work queue the sweep delivers the outbox itself, on this test's clock.
  return runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock);
};
const stockOf = async (skuId: string) => (await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first<{ stock: number }>())!.stock;
/** WeChat Pay completes the after-sale's refund and notifies us. */
async function completeRefundOf(afterSaleId: string) {
  // The outbox submits the refund (a dropped connection is retried after its backoff, as in production).
  const submission = () => env.DB.prepare('SELECT o.status FROM outbox o JOIN after_sales a ON a.refund_id = o.subject_id WHERE a.id = ?').bind(afterSaleId).first<{ status: string }>();
  for (let attempt = 0; attempt < 4 && (await submission())?.status !== 'done'; attempt++) await sweep(attempt === 0 ? 1000 : 60_000);
  const refund = await env.DB.prepare('SELECT r.out_refund_no FROM refunds r JOIN after_sales a ON a.refund_id = r.id WHERE a.id = ?').bind(afterSaleId).first<{ out_refund_no: string }>();
  const { notification } = await completeRefund(refund!.out_refund_no);
  expect((await deliverNotification(notification, '/payments/wechat/refund-notify')).status).toBe(204);
}
const ship = (orderId: string) => api('POST', `/admin/api/orders/${orderId}/shipments`, { token: merchant, body: { carrier: 'SF', tracking_no: `SF${Date.now()}` } });

describe('after-sales', () => {
  it('money only before shipping: the exact share is refunded, the unit goes back on sale and is not shipped', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 3 }]);
    const item = order.items[0]!;
    const stock = await stockOf(skus[0]!);
    const res = await ask(shopper.token, order.id, { type: 'refund_only', lines: [{ order_item_id: item.id, quantity: 1 }], reason: '不想要了' });
    expect(res.status).toBe(201);
    const afterSale = await json(res);
    expect(afterSale).toMatchObject({ status: 'requested', amount_fen: Math.floor(item.payable_fen / 3), lines: [{ order_item_id: item.id, quantity: 1 }] });
    const approved = await admin(`${afterSale.id}/approve`);
    expect(approved.status).toBe(200);
    expect((await json(approved)).status).toBe('refunding');
    await completeRefundOf(afterSale.id);
    expect((await json(api('GET', `/after-sales/${afterSale.id}`, { token: shopper.token }))).status).toBe('refunded');
    const after = await json(api('GET', `/orders/${order.id}`, { token: shopper.token }));
    expect(after).toMatchObject({ status: 'partially_refunded', refunded_fen: afterSale.amount_fen });
    expect(await stockOf(skus[0]!)).toBe(stock + 1);
    const shipped = await json(ship(order.id));
    expect(shipped.order.packages[0].lines[0].quantity).toBe(2);
    expect(shipped.order.status).toBe('shipped');
  });

  it('return and refund: approved with the return address, sent back, received as restockable, refunded', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[1]!, quantity: 2 }]);
    expect((await ship(order.id)).status).toBe(201);
    const item = order.items[0]!;
    const afterSale = await json(
      ask(shopper.token, order.id, { type: 'return_refund', lines: [{ order_item_id: item.id, quantity: 2 }], reason: '尺码不合适', image_urls: ['https://img.example.com/r.jpg'] }),
    );
    expect(afterSale.amount_fen).toBe(item.payable_fen);
    const approved = await json(admin(`${afterSale.id}/approve`));
    expect(approved).toMatchObject({ status: 'approved', return_address: returnAddress });
    // Changing the address later does not change this request's snapshot.
    await api('PATCH', '/admin/api/fulfilment-settings', { token: merchant, body: { return_address: { ...returnAddress, detail: '新仓库 9 号' } } });
    expect((await json(api('GET', `/after-sales/${afterSale.id}`, { token: shopper.token }))).return_address.detail).toBe('仓库路 8 号');
    await api('PATCH', '/admin/api/fulfilment-settings', { token: merchant, body: { return_address: returnAddress } });
    expect((await admin(`${afterSale.id}/receive`, { restock: true })).status).toBe(409); // not sent back yet
    const sent = await api('POST', `/after-sales/${afterSale.id}/return-shipment`, { token: shopper.token, body: { carrier: '中通', tracking_no: 'ZTRETURN1' } });
    expect(sent.status).toBe(200);
    expect((await json(sent)).return_shipment).toEqual({ carrier: 'ZTO', tracking_no: 'ZTRETURN1' });
    expect((await json(admin(`${afterSale.id}/receive`, { restock: true }))).status).toBe('received');
    const stock = await stockOf(skus[1]!);
    expect((await json(admin(`${afterSale.id}/refund`))).status).toBe('refunding');
    await completeRefundOf(afterSale.id);
    expect((await json(api('GET', `/after-sales/${afterSale.id}`, { token: shopper.token }))).status).toBe('refunded');
    expect(await stockOf(skus[1]!)).toBe(stock + 2);
    // Everything returned: nothing more can be asked back.
    const again = await ask(shopper.token, order.id, { type: 'return_refund', lines: [{ order_item_id: item.id, quantity: 1 }], reason: '再退' });
    expect(again.status).toBe(400);
    expect((await json(again)).error.details[0]).toEqual({ path: 'body.lines.0.quantity', message: 'at most 0 (shipped and not yet returned)' });
  });

  it('exchange: received, then the replacement is sent', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    await ship(order.id);
    const afterSale = await json(ask(shopper.token, order.id, { type: 'exchange', lines: [{ order_item_id: order.items[0]!.id, quantity: 1 }], reason: '换个颜色' }));
    await admin(`${afterSale.id}/approve`);
    await api('POST', `/after-sales/${afterSale.id}/return-shipment`, { token: shopper.token, body: { carrier: 'YTO', tracking_no: 'YTX1' } });
    expect((await admin(`${afterSale.id}/refund`)).status).toBe(409); // an exchange is not refunded
    await admin(`${afterSale.id}/receive`, { restock: false });
    const exchanged = await json(admin(`${afterSale.id}/exchange`, { carrier: 'SF', tracking_no: 'SFEX1' }));
    expect(exchanged).toMatchObject({ status: 'exchanged', exchange_shipment: { carrier: 'SF', tracking_no: 'SFEX1' } });
  });

  it('refuses bad requests with field paths, writing nothing; 409 for illegal moves; another shopper gets 404', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 2 }]);
    const item = order.items[0]!.id;
    const cases: [Record<string, unknown>, string][] = [
      [{ type: 'refund_only', lines: [{ order_item_id: item, quantity: 3 }], reason: '多退' }, 'body.lines.0.quantity'],
      [{ type: 'return_refund', lines: [{ order_item_id: item, quantity: 1 }], reason: '未发货就退货' }, 'body.lines.0.quantity'],
      [{ type: 'refund_only', lines: [{ order_item_id: 'oit_nosuchitem', quantity: 1 }], reason: '未知' }, 'body.lines.0.order_item_id'],
      [{ type: 'refund_only', lines: [{ order_item_id: item, quantity: 1 }], reason: '长'.repeat(81) }, 'body.reason'],
      [{ type: 'refund_only', lines: [{ order_item_id: item, quantity: 1 }], reason: '' }, 'body.reason'],
      [{ type: 'refund_only', lines: [], reason: '空' }, 'body.lines'],
      [{ type: 'swap', lines: [{ order_item_id: item, quantity: 1 }], reason: '类型' }, 'body.type'],
      [{ type: 'refund_only', lines: [{ order_item_id: item, quantity: 0 }], reason: '零' }, 'body.lines.0.quantity'],
      [{ type: 'refund_only', lines: [{ order_item_id: item, quantity: 1 }], reason: '图', image_urls: Array(10).fill('https://img.example.com/a.jpg') }, 'body.image_urls'],
    ];
    for (const [body, path] of cases) {
      const res = await ask(shopper.token, order.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        (await json(res)).error.details.map((d: { path: string }) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    expect((await env.DB.prepare('SELECT count(*) AS n FROM after_sales WHERE order_id = ?').bind(order.id).first<{ n: number }>())!.n).toBe(0);
    expect((await api('POST', `/orders/${order.id}/after-sales`, { token: shopper.token, body: cases[0]![0] })).status).toBe(400); // no Idempotency-Key

    const created = await json(ask(shopper.token, order.id, { type: 'refund_only', lines: [{ order_item_id: item, quantity: 1 }], reason: '正常' }));
    expect((await api('POST', `/after-sales/${created.id}/return-shipment`, { token: shopper.token, body: { carrier: 'SF', tracking_no: 'SF1' } })).status).toBe(409);
    const longTracking = await api('POST', `/after-sales/${created.id}/return-shipment`, { token: shopper.token, body: { carrier: 'SF', tracking_no: 'A'.repeat(129) } });
    expect(longTracking.status).toBe(400);
    expect((await json(longTracking)).error.details[0].path).toBe('body.tracking_no');
    const other = await signedInShopper();
    expect((await api('GET', `/after-sales/${created.id}`, { token: other.token })).status).toBe(404);
    expect((await api('POST', `/after-sales/${created.id}/cancel`, { token: other.token })).status).toBe(404);
    expect((await json(api('GET', '/after-sales', { token: other.token }))).items).toEqual([]);
    expect((await ask(other.token, order.id, { type: 'refund_only', lines: [{ order_item_id: item, quantity: 1 }], reason: '别人的' })).status).toBe(404);
    expect((await json(api('POST', `/after-sales/${created.id}/cancel`, { token: shopper.token }))).status).toBe('cancelled');
    expect((await admin(`${created.id}/approve`)).status).toBe(409);
  });

  it('is idempotent by Idempotency-Key; rejected requests may be asked again once', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    const body = { type: 'refund_only', lines: [{ order_item_id: order.items[0]!.id, quantity: 1 }], reason: '拍错了' };
    const key = newIdempotencyKey();
    const first = await json(ask(shopper.token, order.id, body, key));
    const replay = await ask(shopper.token, order.id, body, key);
    expect(replay.status).toBe(201);
    expect((await json(replay)).id).toBe(first.id);
    expect((await ask(shopper.token, order.id, { ...body, reason: '另一个理由' }, key)).status).toBe(422);
    expect((await json(admin(`${first.id}/reject`, { reason: '已经在打包' }))).status).toBe('rejected');
    const second = await json(ask(shopper.token, order.id, body));
    expect((await json(admin(`${second.id}/reject`, { reason: '还是不行' }))).decision_note).toBe('还是不行');
    const third = await ask(shopper.token, order.id, body);
    expect(third.status).toBe(422);
    expect((await json(third)).error.code).toBe('ask_again_used');
  });

  it('timers: auto-approve, auto-close when not sent back, auto-refund of a return no carrier reports (the backstop)', async () => {
    const shopper = await signedInShopper();
    const unanswered = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    await ship(unanswered.id);
    const a = await json(ask(shopper.token, unanswered.id, { type: 'return_refund', lines: [{ order_item_id: unanswered.items[0]!.id, quantity: 1 }], reason: '质量问题' }));
    const neverSent = await paidOrder(shopper, [{ sku_id: skus[0]!, quantity: 1 }]);
    await ship(neverSent.id);
    const b = await json(ask(shopper.token, neverSent.id, { type: 'return_refund', lines: [{ order_item_id: neverSent.items[0]!.id, quantity: 1 }], reason: '质量问题' }));
    await sweep(1 * DAY);
    expect((await json(api('GET', `/after-sales/${a.id}`, { token: shopper.token }))).status).toBe('requested');
    const view = () => api('GET', `/after-sales/${a.id}`, { token: shopper.token }).then(json);
    // Auto-approve is 2 days after the request by default; the sweep runs on the injected clock.
    clock.advance(-(1 * DAY) - 1000);
    const requestedAt = Date.parse((await view()).created_at);
    clock.advance(requestedAt + 2 * DAY - clock.now() + 1000);
    await sweep(0);
    expect((await view()).status).toBe('approved');
    expect((await json(api('GET', `/after-sales/${b.id}`, { token: shopper.token }))).status).toBe('approved');
    await api('POST', `/after-sales/${a.id}/return-shipment`, { token: shopper.token, body: { carrier: 'SF', tracking_no: 'SFAUTO1' } });
    // The auto-refund counts from the parcel's delivery (after-sales-outcomes.test.ts); no carrier
    // reports this one, so it waits for the backstop: 15 days without tracking + the 3 days.
    await sweep(3 * DAY + 1000);
    expect((await view()).status).toBe('returned');
    await sweep(4 * DAY); // 7 days after approval, b was never sent
    expect((await json(api('GET', `/after-sales/${b.id}`, { token: shopper.token }))).status).toBe('closed');
    await sweep(11 * DAY);
    expect((await view()).status).toBe('refunding');
  });

  it('200 concurrent approvals of one request make exactly one refund', async () => {
    const shopper = await signedInShopper();
    const order = await paidOrder(shopper, [{ sku_id: skus[1]!, quantity: 1 }]);
    const afterSale = await json(ask(shopper.token, order.id, { type: 'refund_only', lines: [{ order_item_id: order.items[0]!.id, quantity: 1 }], reason: '重复点击' }));
    const results = await Promise.all(Array.from({ length: 200 }, () => admin(`${afterSale.id}/approve`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 200).every((s) => s === 409)).toBe(true);
    const counts = await env.DB.prepare(
      `SELECT (SELECT count(*) FROM refunds WHERE order_id = ?1) AS refunds,
              (SELECT count(*) FROM outbox WHERE kind = 'submit_refund' AND subject_id IN (SELECT id FROM refunds WHERE order_id = ?1)) AS submissions`,
    )
      .bind(order.id)
      .first();
    expect(counts).toEqual({ refunds: 1, submissions: 1 });
    await completeRefundOf(afterSale.id);
    await completeRefundOf(afterSale.id).catch(() => undefined); // a replayed completion changes nothing
    expect((await json(api('GET', `/orders/${order.id}`, { token: shopper.token }))).refunded_fen).toBe(afterSale.amount_fen);
  });
});
