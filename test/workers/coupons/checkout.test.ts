// Coupons and promotions at checkout: the quote's wallet, the lock in the order's own batch,
// the ledger (used at payment, given back on cancel, expiry and full refund), 0-fen orders.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { completeRefund, markPaid } from '../../fakes/wechat-control';
import type { BuiltNotification } from '../../fakes/wechat-server';
import { activeCoupon, claim } from '../../fixtures/coupons';
import { api, BASE, createCategory, createProduct, json, placeOrder, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

let operator: string;
let owner: string;
let categoryId: string;
let otherCategoryId: string;
beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  owner = (await tokenFor('owner')).token;
  categoryId = await createCategory(owner, '券');
  otherCategoryId = await createCategory(owner, '不参加');
});

async function newSku(price = 12900, category = categoryId, stock = 200) {
  const product = await createProduct(owner, category, { specs: [], skus: [{ spec_values: [], price_fen: price, original_price_fen: price, stock }] });
  return { skuId: product.skus[0].id as string, productId: product.id as string };
}
const couponRow = (id: string) => env.DB.prepare('SELECT status, order_id, saving_fen FROM shopper_coupons WHERE id = ?').bind(id).first<Record<string, unknown>>();
const deliver = (n: BuiltNotification, path = '/payments/wechat/notify') => SELF.fetch(`${BASE}${path}`, { method: 'POST', headers: n.headers, body: n.body });

async function heldCoupon(shopper: { token: string }, overrides: Record<string, unknown> = {}) {
  const template = await activeCoupon(operator, overrides);
  const res = await claim(shopper.token, template.id);
  expect(res.status).toBe(201);
  return (await json(res)).id as string;
}

async function pay(shopper: { token: string }, order: { id: string; order_no: string }) {
  expect((await api('POST', `/orders/${order.id}/pay`, { token: shopper.token })).status).toBe(200);
  const { notification } = await markPaid(order.order_no);
  expect((await deliver(notification)).status).toBe(204);
}

async function refund(shopper: { token: string }, orderId: string, amountFen?: number) {
  expect((await api('POST', `/orders/${orderId}/refund`, { token: shopper.token, body: { reason: '不想要了', ...(amountFen && { amount_fen: amountFen }) } })).status).toBe(201);
  expect((await api('POST', `/admin/api/orders/${orderId}/refund/approve`, { token: owner, body: {} })).status).toBe(200);
  // Without the work queue the sweep submits the refund itself, before this helper reads it.
  await runScheduledWork({ ...env, WORK_QUEUE: undefined }, new ManualClock(Date.now()));
  const row = await env.DB.prepare("SELECT out_refund_no FROM refunds WHERE order_id = ? AND status = 'processing'").bind(orderId).first<{ out_refund_no: string }>();
  const { notification } = await completeRefund(row!.out_refund_no);
  expect((await deliver(notification, '/payments/wechat/refund-notify')).status).toBe(204);
}

describe('POST /checkout/quote with coupons', () => {
  it('lists the wallet as usable with savings and unusable with reasons, and picks the best', async () => {
    const shopper = await shopperWithAddress();
    const { skuId } = await newSku(12900);
    const best = await heldCoupon(shopper, { name: '满100减20', threshold_fen: 10000, amount_off_fen: 2000 });
    const percent = await heldCoupon(shopper, { name: '9折', kind: 'percent', threshold_fen: 0, amount_off_fen: undefined, percent_off: 10, cap_fen: 1000 });
    const tooHigh = await heldCoupon(shopper, { name: '满200减50', threshold_fen: 20000, amount_off_fen: 5000 });
    const elsewhere = await heldCoupon(shopper, { name: '别的分类', scope: { kind: 'include', category_ids: [otherCategoryId] } });
    const later = new Date(Date.now() + 86_400_000);
    const notYet = await heldCoupon(shopper, { name: '明天起', validity: { kind: 'fixed', valid_from: later.toISOString(), valid_until: new Date(later.getTime() + 86_400_000).toISOString() } });

    const quote = await json(api('POST', '/checkout/quote', { token: shopper.token, body: { items: [{ sku_id: skuId, quantity: 1 }] } }));
    expect(quote.coupon).toMatchObject({ id: best, saving_fen: 2000 });
    expect(quote).toMatchObject({ items_total_fen: 12900, discount_fen: 2000 });
    expect(quote.coupons.usable.map((c: { id: string; saving_fen: number }) => [c.id, c.saving_fen]).sort()).toEqual(
      [
        [best, 2000],
        [percent, 1000],
      ].sort(),
    );
    const reasons = Object.fromEntries(quote.coupons.unusable.map((c: { id: string; reason: string }) => [c.id, c.reason]));
    expect(reasons).toEqual({ [tooHigh]: 'below_threshold', [elsewhere]: 'out_of_scope', [notYet]: 'not_yet_valid' });

    const none = await json(api('POST', '/checkout/quote', { token: shopper.token, body: { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: null } }));
    expect([none.coupon, none.discount_fen]).toEqual([null, 0]);
    const chosen = await json(api('POST', '/checkout/quote', { token: shopper.token, body: { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: percent } }));
    expect([chosen.coupon.id, chosen.discount_fen]).toEqual([percent, 1000]);
    const refused = await api('POST', '/checkout/quote', { token: shopper.token, body: { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: tooHigh } });
    expect(refused.status).toBe(422);
    expect((await json(refused)).error).toMatchObject({ code: 'coupon_not_applicable', details: [{ path: 'body.coupon_id', message: 'below_threshold' }] });
  });

  it('another shopper’s coupon id is a 404 and never discounts anything', async () => {
    const owner1 = await shopperWithAddress();
    const thief = await shopperWithAddress();
    const { skuId } = await newSku(12900);
    const theirs = await heldCoupon(owner1, { threshold_fen: 10000, amount_off_fen: 2000 });
    const body = { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: theirs };
    const quote = await api('POST', '/checkout/quote', { token: thief.token, body });
    expect([quote.status, (await json(quote)).error.code]).toEqual([404, 'not_found']);
    const order = await placeOrder(thief.token, body);
    expect(order.status).toBe(404);
    expect(await couponRow(theirs)).toMatchObject({ status: 'unused', order_id: null });
    expect((await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE user_id = ?').bind(thief.id).first<{ n: number }>())!.n).toBe(0);
  });
});

describe('POST /orders with a coupon', () => {
  it('locks the coupon in the order’s batch: 100 concurrent orders with one coupon make exactly one order', async () => {
    const shopper = await shopperWithAddress();
    const { skuId } = await newSku(12900);
    const couponId = await heldCoupon(shopper, { threshold_fen: 10000, amount_off_fen: 2000 });
    const results = await Promise.all(Array.from({ length: 100 }, () => placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: couponId })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(new Set(statuses.filter((s) => s !== 201))).toEqual(new Set([409]));
    // Every refusal says why: the coupon was taken (never an order at full price instead).
    expect(new Set(await Promise.all(results.filter((r) => r.status !== 201).map(async (r) => (await json(r)).error.code)))).toEqual(new Set(['coupon_unavailable']));
    const order = await json(results[statuses.indexOf(201)]!);
    expect(order).toMatchObject({ discount_fen: 2000, payable_fen: 12900 - 2000 + order.shipping_fee_fen });
    expect(await couponRow(couponId)).toEqual({ status: 'locked', order_id: order.id, saving_fen: 2000 });
    expect((await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE user_id = ?').bind(shopper.id).first<{ n: number }>())!.n).toBe(1);
    // The 99 losers took no stock.
    expect((await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first<{ stock: number }>())!.stock).toBe(199);
  });

  it('gives the coupon back on cancel, uses it at payment, gives it back on a full refund, keeps it used on a partial one', async () => {
    const shopper = await shopperWithAddress();
    const { skuId } = await newSku(12900);
    const couponId = await heldCoupon(shopper, { threshold_fen: 10000, amount_off_fen: 2000 });
    const items = [{ sku_id: skuId, quantity: 1 }];
    const first = await json(placeOrder(shopper.token, { items, coupon_id: couponId }));
    expect((await api('POST', `/orders/${first.id}/cancel`, { token: shopper.token, body: {} })).status).toBe(200);
    expect(await couponRow(couponId)).toEqual({ status: 'unused', order_id: null, saving_fen: null });

    const second = await json(placeOrder(shopper.token, { items, coupon_id: couponId }));
    await pay(shopper, second);
    expect(await couponRow(couponId)).toMatchObject({ status: 'used', order_id: second.id });
    await refund(shopper, second.id);
    expect(await couponRow(couponId)).toEqual({ status: 'unused', order_id: null, saving_fen: null });

    const third = await json(placeOrder(shopper.token, { items, coupon_id: couponId }));
    await pay(shopper, third);
    await refund(shopper, third.id, 1000);
    expect(await couponRow(couponId)).toMatchObject({ status: 'used', order_id: third.id });
  });

  it('an order that expires unpaid gives back a coupon still valid, and marks one past its validity expired', async () => {
    const shopper = await shopperWithAddress();
    const { skuId } = await newSku(12900);
    const valid = await heldCoupon(shopper, { threshold_fen: 10000, amount_off_fen: 2000 });
    const order = await json(placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: valid }));
    const clock = new ManualClock(Date.parse(order.payment_deadline) + 1000);
    await runScheduledWork(env, clock);
    expect((await json(api('GET', `/orders/${order.id}`, { token: shopper.token }))).status).toBe('cancelled');
    expect(await couponRow(valid)).toMatchObject({ status: 'unused', order_id: null });

    const short = await heldCoupon(shopper, { threshold_fen: 10000, amount_off_fen: 3000 });
    const second = await json(placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: short }));
    // Its validity ends before the order expires.
    await env.DB.prepare('UPDATE shopper_coupons SET valid_until = ? WHERE id = ?').bind(Date.parse(second.payment_deadline), short).run();
    await runScheduledWork(env, new ManualClock(Date.parse(second.payment_deadline) + 1000));
    expect(await couponRow(short)).toMatchObject({ status: 'expired', order_id: null });
  });

  it('a 0-fen order skips WeChat Pay and is paid at once, with its own event', async () => {
    const shopper = await shopperWithAddress();
    const { skuId } = await newSku(1500);
    await api('PATCH', '/admin/api/settings', { token: owner, body: { free_shipping_threshold_fen: 0 } });
    const couponId = await heldCoupon(shopper, { kind: 'no_threshold', threshold_fen: undefined, amount_off_fen: 5000 });
    const res = await placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], coupon_id: couponId });
    expect(res.status).toBe(201);
    const order = await json(res);
    expect(order).toMatchObject({ status: 'paid', discount_fen: 1500, payable_fen: 0 });
    expect(await couponRow(couponId)).toMatchObject({ status: 'used', saving_fen: 1500 });
    expect(order.events.at(-1)).toMatchObject({ from: 'pending_payment', to: 'paid', actor: 'system' });
    expect((await env.DB.prepare('SELECT count(*) AS n FROM payments WHERE order_id = ?').bind(order.id).first<{ n: number }>())!.n).toBe(0);
    expect((await api('POST', `/orders/${order.id}/pay`, { token: shopper.token })).status).toBe(409);
  });
});
