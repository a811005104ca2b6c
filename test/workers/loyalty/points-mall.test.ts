// The points mall: coupon items for points, SKU items as normal orders (points + cash), stock and
// per-shopper limits exact under a burst, idempotent exchanges, units back on unpaid cancellation.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../../../src/db/batch';
import { systemClock } from '../../../src/lib/clock';
import { clockedCaller } from '../../fixtures/bargain';
import { creditStatements } from '../../../src/services/loyalty/points-ledger';
import { api, BASE, createCategory, createProduct, json, manyShoppers, newIdempotencyKey, shopperWithAddress } from '../../fixtures/helpers';
import { db, expectLedgerConsistent, grantPoints, myPoints, ownerToken } from '../../fixtures/loyalty';
import { activeCoupon } from '../../fixtures/coupons';

let skuId: string;
let templateId: string;
beforeAll(async () => {
  templateId = (await activeCoupon(await ownerToken(), { total_quantity: 10_000 })).id;
  const product = await createProduct(await ownerToken(), await createCategory(await ownerToken(), '积分商城'), {
    specs: [],
    skus: [{ spec_values: [], price_fen: 9900, original_price_fen: 9900, stock: 50 }],
  });
  skuId = product.skus[0].id;
});

async function item(body: Record<string, unknown>) {
  const res = await api('POST', '/admin/api/points-mall/items', { token: await ownerToken(), body: { title: '兑换品', ...body } });
  if (res.status !== 201) throw new Error(`item: ${res.status} ${await res.text()}`);
  return json(res);
}
const exchange = (token: string, itemId: string, body: Record<string, unknown> = {}, key = newIdempotencyKey()) =>
  api('POST', `/points-mall/items/${itemId}/exchange`, { token, body, headers: { 'Idempotency-Key': key } });

describe('points mall', () => {
  it('5,000 shoppers racing for 100 coupon units: exactly 100 exchanges, stock 0, 100 × the points spent', async () => {
    const coupon = await item({ kind: 'coupon', coupon_template_id: templateId, points_price: 100, stock: 100, per_shopper_limit: 1 });
    const shoppers = await manyShoppers(5000);
    const now = Date.now();
    for (let i = 0; i < shoppers.length; i += 25) {
      await runBatch(
        db(),
        shoppers.slice(i, i + 25).flatMap((s) => creditStatements({ userId: s.id, amount: 100, source: 'review', ref: null, expiresAt: now + 86_400_000 * 30, now })),
      );
    }
    // Through the app in this isolate: SELF.fetch slows down worse than linearly with thousands in flight (README, Known issues).
    const call = clockedCaller(systemClock);
    const results = await Promise.all(
      shoppers.map((s) =>
        call('POST', `/points-mall/items/${coupon.id}/exchange`, s.token, {}, { 'Idempotency-Key': newIdempotencyKey() }).then(async (r) => ({ status: r.status, body: await r.json<any>() })),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(100);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422 && r.body.error.code === 'out_of_stock')).toBe(true);
    expect((await env.DB.prepare('SELECT stock FROM mall_items WHERE id = ?').bind(coupon.id).first<{ stock: number }>())!.stock).toBe(0);
    const spent = await env.DB.prepare(
      "SELECT count(*) AS n, SUM(delta) AS total FROM point_entries WHERE source = 'exchange' AND kind = 'debit' AND ref IN (SELECT id FROM mall_exchanges WHERE item_id = ?)",
    )
      .bind(coupon.id)
      .first<{ n: number; total: number }>();
    expect(spent).toEqual({ n: 100, total: -10_000 });
    // Each exchange issued its coupon in its own batch: 100 coupons, one per winner.
    const issued = await env.DB.prepare(
      "SELECT count(*) AS n, count(DISTINCT user_id) AS users FROM shopper_coupons WHERE source = 'points_mall' AND source_ref IN (SELECT id FROM mall_exchanges WHERE item_id = ?)",
    )
      .bind(coupon.id)
      .first();
    expect(issued).toEqual({ n: 100, users: 100 });
    expect(results.find((r) => r.status === 201)!.body).toMatchObject({ coupon_template_id: templateId, points: 100 });
  }, 900_000);

  it('the per-shopper limit holds under 50 simultaneous exchanges; the same key replays, another body is 422', async () => {
    const coupon = await item({ kind: 'coupon', coupon_template_id: templateId, points_price: 10, stock: 1000, per_shopper_limit: 2 });
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 1000);
    const results = await Promise.all(Array.from({ length: 50 }, () => exchange(shopper.token, coupon.id).then(async (r) => ({ status: r.status, body: await r.json<any>() }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status !== 201).every((r) => r.body.error.code === 'exchange_limit_reached')).toBe(true);
    expect((await myPoints(shopper.token)).balance).toBe(980);

    const other = await shopperWithAddress();
    await grantPoints(other.id, 100);
    const key = newIdempotencyKey();
    const first = await exchange(other.token, coupon.id, {}, key);
    const again = await exchange(other.token, coupon.id, {}, key);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    const [firstBody, againBody] = [await json(first), await json(again)];
    expect(againBody.id).toBe(firstBody.id);
    // The replay answers with the coupon the first exchange issued, and issues none.
    expect(againBody.coupon_id).toMatch(/^cpn_/);
    expect(againBody.coupon_id).toBe(firstBody.coupon_id);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM shopper_coupons WHERE user_id = ? AND source = 'points_mall'").bind(other.id).first<{ n: number }>())!.n).toBe(1);
    const addressId = (await json(api('GET', '/me/addresses', { token: other.token }))).items[0].id;
    expect((await exchange(other.token, coupon.id, { address_id: addressId }, key)).status).toBe(422);
    expect((await myPoints(other.token)).balance).toBe(90);
    // Not enough points: nothing is taken.
    const poor = await shopperWithAddress();
    const refused = await exchange(poor.token, coupon.id);
    expect((await json(refused)).error.code).toBe('insufficient_points');
    expect((await env.DB.prepare('SELECT count(*) AS n FROM mall_exchanges WHERE user_id = ?').bind(poor.id).first<{ n: number }>())!.n).toBe(0);
  });

  it('a SKU item is a normal order for its cash part; cancelling it unpaid gives points and the unit back', async () => {
    const goods = await item({ kind: 'sku', sku_id: skuId, points_price: 500, cash_fen: 990, stock: 5, per_shopper_limit: 1 });
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 600);
    const res = await exchange(shopper.token, goods.id);
    expect(res.status).toBe(201);
    const exchanged = await json(res);
    const order = await json(api('GET', `/orders/${exchanged.order_id}`, { token: shopper.token }));
    // ¥9.90 cash + ¥8 shipping (below the free-shipping threshold); the SKU's own stock is reserved too.
    expect(order).toMatchObject({ status: 'pending_payment', payable_fen: 990 + 800, items: [expect.objectContaining({ sku_id: skuId, unit_price_fen: 990 })] });
    expect((await myPoints(shopper.token)).balance).toBe(100);
    expect((await json(SELF.fetch(`${BASE}/points-mall/items`))).items.find((i: { id: string }) => i.id === goods.id).stock).toBeLessThanOrEqual(5);
    expect((await api('POST', `/orders/${order.id}/cancel`, { token: shopper.token, body: {} })).status).toBe(200);
    expect((await myPoints(shopper.token)).balance).toBe(600);
    expect((await env.DB.prepare('SELECT stock FROM mall_items WHERE id = ?').bind(goods.id).first<{ stock: number }>())!.stock).toBe(5);
    // The limit is given back with the unit: the shopper may exchange again.
    expect((await exchange(shopper.token, goods.id)).status).toBe(201);
    await expectLedgerConsistent(shopper.id);
  });

  it('a points-only SKU item shipped free is a 0-fen order, paid at once; a replay of the exchange stays one paid order', async () => {
    const owner = await ownerToken();
    const free = await json(
      api('POST', '/admin/api/shipping-templates', {
        token: owner,
        body: {
          name: `包邮-${Date.now()}`,
          basis: 'flat',
          default_rule: { first_units: 1, first_fee_fen: 0, additional_units: 1, additional_fee_fen: 0 },
          region_rules: [],
          free_rules: [],
          undeliverable_regions: [],
        },
      }),
    );
    const product = await createProduct(owner, await createCategory(owner, '积分兑好礼'), {
      specs: [],
      skus: [{ spec_values: [], price_fen: 5900, original_price_fen: 5900, stock: 10 }],
      shipping_template_id: free.id,
    });
    const goods = await item({ kind: 'sku', sku_id: product.skus[0].id, points_price: 800, stock: 3 });
    const shopper = await shopperWithAddress();
    await grantPoints(shopper.id, 1_000);
    const key = newIdempotencyKey();
    const exchanged = await json(exchange(shopper.token, goods.id, {}, key));
    const order = await json(api('GET', `/orders/${exchanged.order_id}`, { token: shopper.token }));
    expect(order).toMatchObject({ status: 'paid', payable_fen: 0, shipping_fee_fen: 0 });
    expect(order.events.map((e: { to: string }) => e.to)).toEqual(['pending_payment', 'paid']);
    const replay = await exchange(shopper.token, goods.id, {}, key);
    expect([replay.status, (await json(replay)).order_id]).toEqual([201, exchanged.order_id]);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM order_events WHERE order_id = ? AND to_status = 'paid'").bind(order.id).first<{ n: number }>())!.n).toBe(1);
    expect((await myPoints(shopper.token)).balance).toBe(200);
    await expectLedgerConsistent(shopper.id);
  });

  it('refuses bad items with field paths', async () => {
    const token = await ownerToken();
    for (const [body, path] of [
      [{ kind: 'coupon', title: 'x', points_price: 10, stock: 1 }, 'body.coupon_template_id'],
      [{ kind: 'coupon', title: 'x', coupon_template_id: 'tpl_a', points_price: 10, stock: 1, cash_fen: 100 }, 'body.cash_fen'],
      [{ kind: 'sku', title: 'x', points_price: 10, stock: 1 }, 'body.sku_id'],
      [{ kind: 'coupon', title: 'x', coupon_template_id: 'tpl_a', points_price: 0, stock: 1 }, 'body.points_price'],
      [{ kind: 'coupon', title: 'x', coupon_template_id: 'tpl_a', points_price: 1.5, stock: 1 }, 'body.points_price'],
      [{ kind: 'coupon', title: 'x', coupon_template_id: 'tpl_a', points_price: 10, stock: -1 }, 'body.stock'],
    ] as const) {
      const res = await api('POST', '/admin/api/points-mall/items', { token, body });
      expect(res.status, path).toBe(400);
      expect((await json(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });
});
