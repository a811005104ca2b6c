// The whole purchase against the fake WeChat servers (real keys, real signatures): sign in, order,
// pay, notifications (and every forged or replayed variant), ship, refunds, cancellation, expiry.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { completeRefund, fakeTransaction, markPaid, notificationVariant, setNextResponse } from '../../fakes/wechat-control';
import type { BuiltNotification } from '../../fakes/wechat-server';
import { api, BASE, createCategory, createProduct, json, placeOrder, shippingAddress, tokenFor } from '../../fixtures/helpers';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '支付');
});

let loginCounter = 0;
async function signIn(openid = `oTest${Date.now()}${++loginCounter}`) {
  const res = await api('POST', '/auth/wechat', { body: { code: `ok:${openid}` } });
  expect(res.status).toBe(200);
  const session = await json(res);
  await api('POST', '/me/addresses', { token: session.access_token, body: shippingAddress });
  return { ...session, token: session.access_token as string, openid };
}

const deliver = (n: BuiltNotification, path = '/payments/wechat/notify') => SELF.fetch(`${BASE}${path}`, { method: 'POST', headers: n.headers, body: n.body });
const stockOf = async (skuId: string) => (await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first<{ stock: number }>())!.stock;
const orderRow = (id: string) => env.DB.prepare('SELECT * FROM orders WHERE id = ?').bind(id).first<Record<string, any>>();
/**
 * The sweep hands due outbox rows to the work queue; its consumer submits them a moment later.
 * Resolves once the order's refund submissions have all been made (or retried `attempts` times).
 */
const outboxOf = (orderId: string) =>
  env.DB.prepare("SELECT status, attempts FROM outbox WHERE kind = 'submit_refund' AND subject_id IN (SELECT id FROM refunds WHERE order_id = ?)")
    .bind(orderId)
    .first<{ status: string; attempts: number }>();
const untilSubmitted = (orderId: string, expected: { status: string; attempts: number } = { status: 'done', attempts: 1 }) =>
  expect.poll(() => outboxOf(orderId), { timeout: 20_000, interval: 50 }).toEqual(expected);
const eventCount = async (id: string) => (await env.DB.prepare('SELECT count(*) AS n FROM order_events WHERE order_id = ?').bind(id).first<{ n: number }>())!.n;

async function newSku(stock = 20, price = 12900) {
  const product = await createProduct(merchant, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: price, original_price_fen: price, stock }] });
  return product.skus[0].id as string;
}

async function orderAndPrepay(shopper: { token: string }, skuId: string, quantity = 1) {
  const order = await json(placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity }] }));
  const pay = await api('POST', `/orders/${order.id}/pay`, { token: shopper.token });
  expect(pay.status).toBe(200);
  return { order, payment: (await json(pay)).request_payment };
}

async function paidOrder(shopper: { token: string }, skuId: string, quantity = 1) {
  const { order } = await orderAndPrepay(shopper, skuId, quantity);
  const { notification } = await markPaid(order.order_no);
  expect((await deliver(notification)).status).toBe(204);
  return { order, notification };
}

describe('shopper sign-in', () => {
  it('exchanges a wx.login code for tokens; the same openid is the same shopper; session_key never leaves', async () => {
    const first = await api('POST', '/auth/wechat', { body: { code: 'ok:oSameUser1' } });
    const body = await json(first);
    expect(body).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), user: { id: expect.stringMatching(/^usr_/) } });
    expect(JSON.stringify(body)).not.toMatch(/session_key|sessionKey/);
    const again = await json(api('POST', '/auth/wechat', { body: { code: 'ok:oSameUser1:unionSame1' } }));
    expect(again.user.id).toBe(body.user.id);
    expect((await api('GET', '/me', { token: again.access_token })).status).toBe(200);
  });

  it('maps WeChat error codes to clear API errors', async () => {
    const cases: [string, number, string][] = [
      ['bad', 401, 'unauthorized'],
      ['busy', 503, 'wechat_busy'],
      ['limit', 429, 'rate_limited'],
      ['risky', 403, 'wechat_user_blocked'],
    ];
    for (const [code, status, errorCode] of cases) {
      const res = await api('POST', '/auth/wechat', { body: { code } });
      expect(res.status, code).toBe(status);
      expect((await json(res)).error.code, code).toBe(errorCode);
    }
    await api('POST', '/auth/wechat', { body: { code: 'ok:oOnce' } });
    const reused = await api('POST', '/auth/wechat', { body: { code: 'ok:oOnce' } });
    expect(reused.status).toBe(401);
    expect((await json(reused)).error.message).toMatch(/already used/);
    expect((await api('POST', '/auth/wechat', { body: { code: '' } })).status).toBe(400);
  });

  it('rotates refresh tokens and revokes the family when a used one comes back', async () => {
    const session = await signIn();
    const rotated = await json(api('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token } }));
    expect(rotated.refresh_token).not.toBe(session.refresh_token);
    expect((await api('GET', '/me', { token: rotated.access_token })).status).toBe(200);
    // The old token again: a thief or a replay. Both it and the new one stop working.
    expect((await api('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token } })).status).toBe(401);
    expect((await api('POST', '/auth/refresh', { body: { refresh_token: rotated.refresh_token } })).status).toBe(401);
  });

  it('signs out: the refresh token cannot be used again', async () => {
    const session = await signIn();
    expect((await api('POST', '/auth/logout', { body: { refresh_token: session.refresh_token } })).status).toBe(204);
    expect((await api('POST', '/auth/refresh', { body: { refresh_token: session.refresh_token } })).status).toBe(401);
  });

  it('binds a phone number through the getPhoneNumber code; masked except on the owner’s profile', async () => {
    const session = await signIn();
    const bound = await api('POST', '/auth/phone', { token: session.token, body: { code: `phone:13812345678:${session.openid}` } });
    expect(bound.status).toBe(200);
    expect(await json(bound)).toEqual({ phone: '138****5678' });
    expect((await json(api('GET', '/me', { token: session.token }))).phone).toBe('+8613812345678');
    const signedInAgain = await json(api('POST', '/auth/wechat', { body: { code: `ok:${session.openid}:again` } }));
    expect(signedInAgain.user.phone).toBe('138****5678');
    expect((await api('POST', '/auth/phone', { token: session.token, body: { code: `phone:13812345678:${session.openid}` } })).status).toBe(422);
  });
});

describe('paying', () => {
  it('returns wx.requestPayment parameters for a prepay whose time_expire is the payment deadline', async () => {
    const shopper = await signIn();
    const { order, payment } = await orderAndPrepay(shopper, await newSku());
    expect(payment).toMatchObject({ package: expect.stringMatching(/^prepay_id=wx/), signType: 'RSA', timeStamp: expect.stringMatching(/^\d+$/), paySign: expect.any(String) });
    const sent = await fakeTransaction(order.order_no);
    expect(Date.parse(sent.timeExpire ?? sent.time_expire)).toBe(Math.floor(Date.parse(order.payment_deadline) / 1000) * 1000);
  });

  it('marks the order paid on a verified notification, once; replays and duplicates change nothing', async () => {
    const shopper = await signIn();
    const skuId = await newSku();
    const { order, notification } = await paidOrder(shopper, skuId, 2);
    const paid = await json(api('GET', `/orders/${order.id}`, { token: shopper.token }));
    expect(paid.status).toBe('paid');
    expect(paid.events.map((e: { to: string }) => e.to)).toEqual(['pending_payment', 'paid']);
    const events = await eventCount(order.id);
    for (const variant of ['duplicate', 'replay'] as const) {
      const again = await notificationVariant(notification.id, variant);
      expect((await deliver(again)).status, variant).toBe(204);
    }
    expect(await Promise.all(Array.from({ length: 10 }, () => deliver(notification).then((r) => r.status)))).toEqual(Array(10).fill(204));
    expect(await eventCount(order.id)).toBe(events);
    const sales = await env.DB.prepare('SELECT sales FROM skus WHERE id = ?').bind(skuId).first<{ sales: number }>();
    expect(sales!.sales).toBe(2);
  });

  it('refuses forged, stale, probe, tampered and mismatched notifications, leaving the order unpaid', async () => {
    const shopper = await signIn();
    const { order } = await orderAndPrepay(shopper, await newSku());
    const { notification } = await markPaid(order.order_no);
    const expected: Record<string, number> = { forged: 401, wrong_serial: 401, stale: 401, signtest: 401, tampered_ciphertext: 400, wrong_mchid: 400, wrong_appid: 400, wrong_amount: 400 };
    for (const [variant, status] of Object.entries(expected)) {
      const bad = await notificationVariant(notification.id, variant as never);
      const res = await deliver(bad);
      expect(res.status, variant).toBe(status);
      expect(await json(res), variant).toMatchObject({ code: 'FAIL' });
      expect((await orderRow(order.id))!.status, variant).toBe('pending_payment');
    }
    expect((await deliver(notification)).status).toBe(204);
    expect((await orderRow(order.id))!.status).toBe('paid');
  });

  it("answers an oversized body and an unknown method on the callback paths in WeChat Pay's shape too (issue 16.4)", async () => {
    const big = JSON.stringify({ id: 'x', resource: { ciphertext: 'A'.repeat(300 * 1024) } });
    for (const path of ['/payments/wechat/notify', '/payments/wechat/refund-notify']) {
      const res = await api('POST', path, { rawBody: big, headers: { 'Content-Type': 'application/json' } });
      expect(res.status, path).toBe(413);
      expect(await json(res), path).toEqual({ code: 'FAIL', message: expect.any(String) });
      const wrongMethod = await api('GET', path);
      expect(wrongMethod.status, path).toBe(404);
      expect(await json(wrongMethod), path).toEqual({ code: 'FAIL', message: expect.any(String) });
    }
    // Everywhere else the API's own shape.
    const elsewhere = await api('POST', '/admin/api/login', { rawBody: big, headers: { 'Content-Type': 'application/json' } });
    expect(elsewhere.status).toBe(413);
    expect((await json(elsewhere)).error.code).toBe('payload_too_large');
  });

  it('never moves a shipped order back to paid when a notification comes again (litemall #271)', async () => {
    const shopper = await signIn();
    const { order, notification } = await paidOrder(shopper, await newSku());
    expect((await api('POST', `/admin/api/orders/${order.id}/ship`, { token: merchant, body: { carrier: '顺丰', tracking_no: 'SF1234567890' } })).status).toBe(200);
    const duplicate = await notificationVariant(notification.id, 'duplicate');
    expect((await deliver(duplicate)).status).toBe(204);
    expect((await orderRow(order.id))!.status).toBe('shipped');
    expect((await api('POST', `/orders/${order.id}/confirm`, { token: shopper.token })).status).toBe(200);
    expect((await orderRow(order.id))!.status).toBe('completed');
  });

  it('falls back to querying WeChat Pay when no notification arrives', async () => {
    const shopper = await signIn();
    const { order } = await orderAndPrepay(shopper, await newSku());
    await markPaid(order.order_no); // paid at WeChat Pay; the notification is never delivered
    const synced = await json(api('POST', `/orders/${order.id}/pay/sync`, { token: shopper.token }));
    expect(synced.status).toBe('paid');
  });

  it('keeps payment actions to the order’s owner', async () => {
    const owner = await signIn();
    const other = await signIn();
    const order = await json(placeOrder(owner.token, { items: [{ sku_id: await newSku(), quantity: 1 }] }));
    for (const path of ['pay', 'pay/sync', 'cancel']) expect((await api('POST', `/orders/${order.id}/${path}`, { token: other.token, body: {} })).status, path).toBe(404);
  });
});

describe('cancelling and expiry', () => {
  it('a shopper’s cancel closes the transaction first, then releases the stock once', async () => {
    const shopper = await signIn();
    const skuId = await newSku(5);
    const { order } = await orderAndPrepay(shopper, skuId, 2);
    expect(await stockOf(skuId)).toBe(3);
    const res = await api('POST', `/orders/${order.id}/cancel`, { token: shopper.token, body: { reason: '不想要了' } });
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('cancelled');
    expect((await fakeTransaction(order.order_no)).tradeState).toBe('CLOSED');
    expect(await stockOf(skuId)).toBe(5);
    expect((await api('POST', `/orders/${order.id}/cancel`, { token: shopper.token, body: {} })).status).toBe(409);
    expect(await stockOf(skuId)).toBe(5);
  });

  it('if WeChat Pay cannot close the transaction, nothing is cancelled or released (503), and a retry works', async () => {
    const shopper = await signIn();
    const skuId = await newSku(5);
    const { order } = await orderAndPrepay(shopper, skuId);
    await setNextResponse({ outTradeNo: order.order_no, fail: { status: 500, code: 'SYSTEM_ERROR' } });
    const failed = await api('POST', `/orders/${order.id}/cancel`, { token: shopper.token, body: {} });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('Retry-After')).toBeTruthy();
    expect((await orderRow(order.id))!.status).toBe('pending_payment');
    expect(await stockOf(skuId)).toBe(4);
    expect((await api('POST', `/orders/${order.id}/cancel`, { token: shopper.token, body: {} })).status).toBe(200);
    expect(await stockOf(skuId)).toBe(5);
  });

  it('unpaid orders expire after the window: closed at WeChat Pay, stock back exactly once, sellable again', async () => {
    const shopper = await signIn();
    const skuId = await newSku(1);
    const { order } = await orderAndPrepay(shopper, skuId, 1);
    expect(await stockOf(skuId)).toBe(0);
    const clock = new ManualClock(Date.now() + 14 * 60_000);
    await runScheduledWork(env, clock);
    expect((await orderRow(order.id))!.status).toBe('pending_payment');
    clock.advance(2 * 60_000);
    await Promise.all([runScheduledWork(env, clock), runScheduledWork(env, clock)]);
    await runScheduledWork(env, clock);
    const row = await orderRow(order.id);
    expect(row).toMatchObject({ status: 'cancelled', stock_released: 1 });
    expect((await fakeTransaction(order.order_no)).tradeState).toBe('CLOSED');
    expect(await stockOf(skuId)).toBe(1);
    const again = await placeOrder((await signIn()).token, { items: [{ sku_id: skuId, quantity: 1 }] });
    expect(again.status).toBe(201);
  });

  it('an order paid just before the sweep is kept as paid, not cancelled', async () => {
    const shopper = await signIn();
    const skuId = await newSku(3);
    const { order } = await orderAndPrepay(shopper, skuId);
    await markPaid(order.order_no); // paid, notification lost
    await runScheduledWork(env, new ManualClock(Date.now() + 16 * 60_000));
    expect((await orderRow(order.id))!.status).toBe('paid');
    expect(await stockOf(skuId)).toBe(2);
  });

  it('a payment that arrives after the stock was released is refunded automatically', async () => {
    const shopper = await signIn();
    const skuId = await newSku(3);
    const { order } = await orderAndPrepay(shopper, skuId);
    const { notification } = await markPaid(order.order_no); // the shopper paid…
    // …but our cancel raced it: simulate the order cancelled and released before the notification.
    await env.DB.batch([
      env.DB.prepare("UPDATE orders SET status = 'cancelled', cancelled_at = ? WHERE id = ?").bind(Date.now(), order.id),
      env.DB.prepare("UPDATE payments SET status = 'closed' WHERE order_id = ?").bind(order.id),
    ]);
    expect((await deliver(notification)).status).toBe(204);
    const refund = await env.DB.prepare('SELECT * FROM refunds WHERE order_id = ?').bind(order.id).first<Record<string, any>>();
    expect(refund).toMatchObject({ initiator: 'system', status: 'processing', amount_fen: order.payable_fen });
    await runScheduledWork(env, new ManualClock(Date.now()));
    await untilSubmitted(order.id);
    const { notification: refunded } = await completeRefund(refund!.out_refund_no);
    expect((await deliver(refunded, '/payments/wechat/refund-notify')).status).toBe(204);
    expect((await deliver(refunded, '/payments/wechat/refund-notify')).status).toBe(204);
    expect(await orderRow(order.id)).toMatchObject({ status: 'cancelled', refunded_fen: order.payable_fen });
    expect((await env.DB.prepare('SELECT count(*) AS n FROM refunds WHERE order_id = ?').bind(order.id).first<{ n: number }>())!.n).toBe(1);
  });
});

describe('refunds', () => {
  it('full refund: request, approve, submitted through the outbox, confirmed by notification, once', async () => {
    const shopper = await signIn();
    const skuId = await newSku(4);
    const { order } = await paidOrder(shopper, skuId, 2);
    const requested = await api('POST', `/orders/${order.id}/refund`, { token: shopper.token, body: { reason: '尺码不合适' } });
    expect(requested.status).toBe(201);
    expect((await json(requested)).status).toBe('refund_requested');
    const approved = await api('POST', `/admin/api/orders/${order.id}/refund/approve`, { token: merchant, body: { note: '同意' } });
    expect((await json(approved)).status).toBe('refunding');
    await runScheduledWork(env, new ManualClock(Date.now()));
    await untilSubmitted(order.id);
    const refund = await env.DB.prepare('SELECT * FROM refunds WHERE order_id = ?').bind(order.id).first<Record<string, any>>();
    expect(refund!.status).toBe('processing');
    const { notification } = await completeRefund(refund!.out_refund_no);
    expect((await deliver(notification, '/payments/wechat/refund-notify')).status).toBe(204);
    const duplicate = await notificationVariant(notification.id, 'duplicate');
    expect((await deliver(duplicate, '/payments/wechat/refund-notify')).status).toBe(204);
    expect(await orderRow(order.id)).toMatchObject({ status: 'refunded', refunded_fen: order.payable_fen });
    // Never shipped and refunded in full: the units are back on sale.
    expect(await stockOf(skuId)).toBe(4);
  });

  it('a refund whose submission fails is retried from the outbox with the same out_refund_no, and applied once', async () => {
    const shopper = await signIn();
    const { order } = await paidOrder(shopper, await newSku());
    await api('POST', `/orders/${order.id}/refund`, { token: shopper.token, body: { reason: '质量问题' } });
    // The answer is lost after WeChat Pay accepted the refund: the worst case for a retry.
    await setNextResponse({ outTradeNo: order.order_no, fail: { status: 500, code: 'SYSTEM_ERROR', applied: true } });
    await api('POST', `/admin/api/orders/${order.id}/refund/approve`, { token: merchant, body: {} });
    const clock = new ManualClock(Date.now());
    await runScheduledWork(env, clock);
    await untilSubmitted(order.id, { status: 'pending', attempts: 1 });
    // The queue offers the message again 5 s later (no sweep needed), and the row is leased past
    // that: a sweep meanwhile does not queue it a second time.
    clock.advance(61_000);
    const leased = await env.DB.prepare("SELECT next_attempt_at AS at FROM outbox WHERE kind = 'submit_refund' AND subject_id IN (SELECT id FROM refunds WHERE order_id = ?)")
      .bind(order.id)
      .first<{ at: number }>();
    expect(leased!.at).toBeGreaterThan(clock.now());
    await untilSubmitted(order.id, { status: 'done', attempts: 2 });
    const refund = await env.DB.prepare('SELECT * FROM refunds WHERE order_id = ?').bind(order.id).first<Record<string, any>>();
    const { notification } = await completeRefund(refund!.out_refund_no);
    expect((await deliver(notification, '/payments/wechat/refund-notify')).status).toBe(204);
    expect(await orderRow(order.id)).toMatchObject({ status: 'refunded', refunded_fen: order.payable_fen });
    const atWeChat = await fakeTransaction(order.order_no);
    expect(JSON.stringify(atWeChat).split(refund!.out_refund_no).length - 1).toBeGreaterThan(0);
  });

  it('partial refund leaves the order going: partially refunded, then shipped and received', async () => {
    const shopper = await signIn();
    const { order } = await paidOrder(shopper, await newSku(), 2);
    await api('POST', `/orders/${order.id}/refund`, { token: shopper.token, body: { amount_fen: 5000, reason: '少发一件配件' } });
    await api('POST', `/admin/api/orders/${order.id}/refund/approve`, { token: merchant, body: {} });
    await runScheduledWork(env, new ManualClock(Date.now()));
    await untilSubmitted(order.id);
    const refund = await env.DB.prepare('SELECT * FROM refunds WHERE order_id = ?').bind(order.id).first<Record<string, any>>();
    const { notification } = await completeRefund(refund!.out_refund_no);
    await deliver(notification, '/payments/wechat/refund-notify');
    expect(await orderRow(order.id)).toMatchObject({ status: 'partially_refunded', refunded_fen: 5000 });
    expect((await api('POST', `/admin/api/orders/${order.id}/ship`, { token: merchant, body: { carrier: '中通', tracking_no: 'ZT998877' } })).status).toBe(200);
    expect((await json(api('POST', `/orders/${order.id}/confirm`, { token: shopper.token }))).status).toBe('completed');
    const tooMuch = await api('POST', `/orders/${order.id}/refund`, { token: shopper.token, body: { amount_fen: order.payable_fen, reason: '全部退' } });
    expect(tooMuch.status).toBe(422);
  });

  it('a rejected refund lets the order carry on', async () => {
    const shopper = await signIn();
    const { order } = await paidOrder(shopper, await newSku());
    await api('POST', `/orders/${order.id}/refund`, { token: shopper.token, body: { reason: '不想要了' } });
    const rejected = await api('POST', `/admin/api/orders/${order.id}/refund/reject`, { token: merchant, body: { note: '已发货前联系过' } });
    expect((await json(rejected)).status).toBe('refund_rejected');
    expect((await api('POST', `/admin/api/orders/${order.id}/refund/reject`, { token: merchant, body: { note: '再次' } })).status).toBe(409);
    expect((await json(api('POST', `/admin/api/orders/${order.id}/ship`, { token: merchant, body: { carrier: '顺丰', tracking_no: 'SF1' } }))).status).toBe('shipped');
  });
});
