// Points at checkout and through the order's life: spent in the order's batch, earned frozen on
// payment, thawed by the sweep, given back and taken back exactly on cancellation and refunds.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { sweepPointLots } from '../../../src/services/loyalty/points';
import { markPaid } from '../../fakes/wechat-control';
import { deliverRefunds } from '../../fixtures/group-buy';
import type { BuiltNotification } from '../../fakes/wechat-server';
import { api, BASE, createCategory, createProduct, json, placeOrder, shopperWithAddress } from '../../fixtures/helpers';
import { db, expectLedgerConsistent, grantPoints, myPoints, ownerToken, setLoyaltySettings } from '../../fixtures/loyalty';

const DAY = 86_400_000;
let categoryId: string;

beforeAll(async () => {
  categoryId = await createCategory(await ownerToken(), '积分商品');
  await setLoyaltySettings({
    earn_points_per_yuan: 1,
    redeem_points_per_yuan: 100,
    redeem_max_goods_percent: 50,
    redeem_max_points_per_order: null,
    redeem_shipping: false,
    after_sales_days: 7,
    earn_first_order_bonus: 0,
    earn_per_order_cap: null,
  });
});

async function sku(priceFen: number, stock = 100, category = categoryId) {
  const product = await createProduct(await ownerToken(), category, { specs: [], skus: [{ spec_values: [], price_fen: priceFen, original_price_fen: priceFen, stock }] });
  return product.skus[0].id as string;
}

const deliver = (n: BuiltNotification, path = '/payments/wechat/notify') => SELF.fetch(`${BASE}${path}`, { method: 'POST', headers: n.headers, body: n.body });
const quote = (token: string, body: Record<string, unknown>) => api('POST', '/checkout/quote', { token, body });

async function pay(token: string, order: { id: string; order_no: string }) {
  expect((await api('POST', `/orders/${order.id}/pay`, { token })).status).toBe(200);
  const { notification } = await markPaid(order.order_no);
  expect((await deliver(notification)).status).toBe(204);
}

async function refund(token: string, orderId: string, amountFen: number) {
  expect((await api('POST', `/orders/${orderId}/refund`, { token, body: { amount_fen: amountFen, reason: '部分退款' } })).status).toBe(201);
  expect((await api('POST', `/admin/api/orders/${orderId}/refund/approve`, { token: await ownerToken(), body: { note: '同意' } })).status).toBe(200);
  // The outbox submits it to the fake WeChat Pay, whose notification then completes it.
  await deliverRefunds([orderId]);
}

const pointsOf = async (orderId: string, source: string, kind: string) =>
  (await env.DB.prepare('SELECT COALESCE(SUM(delta + frozen_delta), 0) AS held, COALESCE(SUM(debt_delta), 0) AS debt FROM point_entries WHERE ref = ? AND source = ? AND kind = ?')
    .bind(orderId, source, kind)
    .first<{ held: number; debt: number }>())!;

describe('points at checkout', () => {
  it('the quote applies points last, capped at the balance and X % of the goods, and shows what the order earns', async () => {
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 3000);
    const skuId = await sku(12_900);
    const none = await json(quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }] }));
    expect(none).toMatchObject({ payable_fen: 12_900, points: { requested: 0, applied: 0, max_usable: 3000, balance: 3000, earns: 129 } });
    const some = await json(quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 500 }));
    expect(some).toMatchObject({ payable_fen: 12_400, discount_fen: 500, points: { applied: 500, saving_fen: 500, earns: 124 } });
    expect(some.adjustments).toEqual([{ source: 'points', label: '500 积分抵扣', amount_fen: 500 }]);
    // More than the balance is capped, not refused; 50 % of ¥129 is ¥64.50 = 6450 points, the balance is lower.
    expect((await json(quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 99_999_900 }))).points.applied).toBe(3000);
    await grantPoints(shopper.id, 10_000);
    expect((await json(quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 99_999_900 }))).points).toMatchObject({ applied: 6450, saving_fen: 6450 });
  });

  it('refuses negative, fractional and non-whole-fen points with body.points, writing nothing', async () => {
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 1000);
    const skuId = await sku(5000);
    for (const points of [-1, 1.5, '100', null]) {
      const res = await quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points });
      expect(res.status, String(points)).toBe(400);
      expect((await json(res)).error.details[0].path).toBe('body.points');
    }
    await setLoyaltySettings({ redeem_points_per_yuan: 300 });
    try {
      // 300 points = ¥1: 100 points would be 33⅓ fen.
      for (const res of [
        await quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 100 }),
        await placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 100 }),
      ]) {
        expect(res.status).toBe(400);
        expect((await json(res)).error.details[0].path).toBe('body.points');
      }
      expect((await json(quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 300 }))).points.saving_fen).toBe(100);
    } finally {
      await setLoyaltySettings({ redeem_points_per_yuan: 100 });
    }
    expect((await env.DB.prepare('SELECT count(*) AS n FROM orders WHERE user_id = ?').bind(shopper.id).first<{ n: number }>())!.n).toBe(0);
    expect((await myPoints(shopper.token)).balance).toBe(1000);
  });

  it('deducts in the order batch: 30 orders racing for one balance of 1,000 at 100 each → exactly 10 orders', async () => {
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 1000);
    const skuId = await sku(5000, 100);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 100 }).then(async (r) => ({ status: r.status, body: await r.json<any>() }))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422 && r.body.error.code === 'insufficient_points')).toBe(true);
    expect(results.find((r) => r.status === 201)!.body.payable_fen).toBe(5000 + 800 - 100);
    expect((await myPoints(shopper.token)).balance).toBe(0);
    // Stock was taken only by the orders that were created: the failed batches rolled back whole.
    expect((await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first<{ stock: number }>())!.stock).toBe(90);
    await expectLedgerConsistent(shopper.id);
  });

  it('shipping is payable with points only when the shop allows it; the order always leaves 1 fen', async () => {
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 100_000);
    const skuId = await sku(1000); // below the free-shipping threshold: ¥8 shipping
    await setLoyaltySettings({ redeem_max_goods_percent: 100 });
    try {
      expect((await json(quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 100_000 }))).points.applied).toBe(1000);
      await setLoyaltySettings({ redeem_shipping: true });
      const all = await json(quote(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }], points: 100_000 }));
      expect(all).toMatchObject({ payable_fen: 1, shipping_fee_fen: 800, points: { applied: 1799 } });
    } finally {
      await setLoyaltySettings({ redeem_max_goods_percent: 50, redeem_shipping: false });
    }
  });
});

describe('points through the order', () => {
  it('an unpaid cancellation gives the spent points back', async () => {
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 800);
    const order = await json(placeOrder(shopper.token, { items: [{ sku_id: await sku(5000), quantity: 1 }], points: 600 }));
    expect((await myPoints(shopper.token)).balance).toBe(200);
    expect((await api('POST', `/orders/${order.id}/cancel`, { token: shopper.token, body: {} })).status).toBe(200);
    expect((await myPoints(shopper.token)).balance).toBe(800);
    await expectLedgerConsistent(shopper.id);
  });

  it('earns on payment per yuan paid × category multiplier, frozen for the after-sales window, thawed by the sweep; first-order bonus once', async () => {
    const doubled = await createCategory(await ownerToken(), '双倍积分');
    expect((await api('POST', '/admin/api/loyalty/category-multipliers', { token: await ownerToken(), body: { category_id: doubled, multiplier_bps: 20_000 } })).status).toBe(200);
    const zero = await api('POST', '/admin/api/loyalty/category-multipliers', { token: await ownerToken(), body: { category_id: doubled, multiplier_bps: 0 } });
    expect(zero.status).toBe(400);
    expect((await json(zero)).error.details[0].path).toBe('body.multiplier_bps');
    await setLoyaltySettings({ earn_first_order_bonus: 50 });
    try {
      const shopper = await shopperWithAddress();
      const normal = await sku(10_050);
      const double = await sku(2_000, 100, doubled);
      const first = await json(
        placeOrder(shopper.token, {
          items: [
            { sku_id: normal, quantity: 1 },
            { sku_id: double, quantity: 1 },
          ],
        }),
      );
      // ¥100.50 × 1 + ¥20 × 2 = 140.5 → 140 points.
      await pay(shopper.token, first);
      const second = await json(placeOrder(shopper.token, { items: [{ sku_id: double, quantity: 1 }] }));
      await pay(shopper.token, second);
      // ¥20 + ¥8 shipping paid, but only goods earn: 40 points; the bonus went to the first order only.
      expect(await myPoints(shopper.token)).toMatchObject({ balance: 0, frozen: 140 + 50 + 40 });
      await sweepPointLots(db(), Date.now() + 6 * DAY, 'Asia/Shanghai');
      expect((await myPoints(shopper.token)).frozen).toBe(230);
      await sweepPointLots(db(), Date.now() + 7 * DAY + 60_000, 'Asia/Shanghai');
      expect(await myPoints(shopper.token)).toMatchObject({ balance: 230, frozen: 0 });
      await expectLedgerConsistent(shopper.id);
    } finally {
      await setLoyaltySettings({ earn_first_order_bonus: 0 });
    }
  });

  it('partial refunds give back spent points and take back earned ones in proportion, exactly and cumulatively', async () => {
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 777);
    const order = await json(placeOrder(shopper.token, { items: [{ sku_id: await sku(10_000), quantity: 1 }], points: 777 }));
    // Paid 9223 fen (¥100 − ¥7.77); earns 92 points.
    expect(order.payable_fen).toBe(9223);
    await pay(shopper.token, order);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 0, frozen: 92 });
    await refund(shopper.token, order.id, 3000);
    // floor(777 × 3000 / 9223) = 252 back; floor(92 × 3000 / 9223) = 29 taken from the still-frozen lot.
    expect(await pointsOf(order.id, 'reversal', 'credit')).toEqual({ held: 252, debt: 0 });
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 252, frozen: 63 });
    await refund(shopper.token, order.id, 3001);
    // Cumulative: floor(777 × 6001 / 9223) = 505 in all, floor(92 × 6001 / 9223) = 59 in all.
    expect((await pointsOf(order.id, 'reversal', 'credit')).held).toBe(505);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 505, frozen: 33 });
    await refund(shopper.token, order.id, 9223 - 6001);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 777, frozen: 0, debt: 0 });
    await expectLedgerConsistent(shopper.id);
  });

  it('a refund after the earned points were spent records the shortfall as debt, never floored to zero', async () => {
    const shopper = await shopperWithAddress();
    const order = await json(placeOrder(shopper.token, { items: [{ sku_id: await sku(20_000), quantity: 1 }] }));
    await pay(shopper.token, order);
    await sweepPointLots(db(), Date.now() + 8 * DAY, 'Asia/Shanghai');
    expect((await myPoints(shopper.token)).balance).toBe(200);
    // The shopper spends 150 of the 200 earned points on another order.
    const other = await json(placeOrder(shopper.token, { items: [{ sku_id: await sku(5000), quantity: 1 }], points: 150 }));
    expect(other.payable_fen).toBe(5000 + 800 - 150);
    await refund(shopper.token, order.id, 20_000);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 0, debt: 150, can_spend: false });
    expect(await pointsOf(order.id, 'reversal', 'debit')).toEqual({ held: -50, debt: 150 });
    const blocked = await placeOrder(shopper.token, { items: [{ sku_id: await sku(5000), quantity: 1 }], points: 100 });
    expect(blocked.status).toBe(422);
    expect((await json(blocked)).error.code).toBe('points_debt_outstanding');
    // The other order's cancellation gives its 150 back, which repays the debt.
    await api('POST', `/orders/${other.id}/cancel`, { token: shopper.token, body: {} });
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 0, debt: 0, can_spend: true });
    await expectLedgerConsistent(shopper.id);
  });
});
