// How many D1 round trips one POST /orders costs (issue 12, point 5): two — everything it reads
// (the Idempotency-Key, the cart, the address, the SKUs, their shipping templates, the member
// level, promotions, the wallet, the points balance and rules, the birthday) in one batch, then
// the order's batch; the view is built from the rows written, not read back. It was 19 in about
// six sequential waves before. Counted on the plain order, the expensive one (member price, a
// 满减 activity, a chosen coupon and points, the shopper's birthday), the cart's, and 100 lines
// (every statement stays under D1's 100 bound parameters). POST /checkout/quote costs one.
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { activeCoupon, claim, tieredActivity } from '../../fixtures/coupons';
import { api, BASE, createCategory, createProduct, json, newIdempotencyKey, shopperWithAddress, tokenFor } from '../../fixtures/helpers';
import { grantPoints, setLoyaltySettings } from '../../fixtures/loyalty';
import { roundTripCounted } from '../../fixtures/counted-bindings';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '往返');
});

/** A POST through an app whose D1 counts round trips; the count of this request alone. */
async function countedPost(path: string, token: string, body: Record<string, unknown>) {
  const d1 = roundTripCounted(env.DB);
  const res = await createApp().request(
    `${BASE}${path}`,
    { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: JSON.stringify(body) },
    { ...env, DB: d1.binding },
    createExecutionContext(),
  );
  return { res, roundTrips: d1.roundTrips() };
}

describe('POST /orders', () => {
  it('costs two D1 round trips: the reads in one batch, the writes in one', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    const { res, roundTrips } = await countedPost('/orders', shopper.token, { items: [{ sku_id: product.skus[0].id, quantity: 1 }] });
    expect(res.status).toBe(201);
    expect(roundTrips).toBe(2);
  });

  it('costs two with a member price, a 满减 activity, a chosen coupon, points and a birthday', async () => {
    const levels = [
      { name: '普通会员', growth_threshold: 0 },
      { name: '银卡会员', growth_threshold: 100, member_price: true, points_multiplier_bps: 15_000 },
    ];
    expect((await api('POST', '/admin/api/loyalty/levels', { token: merchant, body: { levels } })).status).toBe(200);
    await setLoyaltySettings({ member_benefit_mode: 'member_price', redeem_points_per_yuan: 100, redeem_max_goods_percent: 50, earn_points_per_yuan: 1, earn_birthday_multiplier_bps: 20_000 });
    const product = await createProduct(merchant, categoryId, {
      specs: [],
      skus: [{ spec_values: [], price_fen: 20_000, original_price_fen: 20_000, member_price_fen: 18_000, stock: 10 }],
    });
    expect((await tieredActivity(merchant, categoryId)).status).toBe(201);
    const template = await activeCoupon(merchant);
    const shopper = await shopperWithAddress();
    await env.DB.prepare('INSERT INTO member_states (user_id, level_rank, reached_at, updated_at) VALUES (?, 2, ?, ?)').bind(shopper.id, Date.now(), Date.now()).run();
    // Today's date, whatever year: the shopper's birthday in the shop's time zone.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    await env.DB.prepare('INSERT INTO member_birthdays (user_id, birthday, month_day, set_at, created_at) VALUES (?, ?, ?, 0, 0)')
      .bind(shopper.id, `1990${today.slice(4)}`, today.slice(5))
      .run();
    await grantPoints(shopper.id, 1_000);
    const coupon = (await json(claim(shopper.token, template.id))).coupon ?? (await json(api('GET', '/me/coupons', { token: shopper.token }))).items[0];
    const body = { items: [{ sku_id: product.skus[0].id, quantity: 1 }], coupon_id: coupon.id, points: 500 };

    const quoted = await countedPost('/checkout/quote', shopper.token, body);
    // The quote is one round trip: the same reads, without the key, plus where it would ship.
    expect(quoted.roundTrips).toBe(1);
    const quote = await json(quoted.res);
    // Every reader of the quote took part: the member price, the activity, the coupon, the points and the birthday multiplier.
    expect(quote.lines[0]).toMatchObject({ member_price_applied: true, effective_unit_price_fen: 18_000 });
    expect(quote.adjustments.map((a: { source: string }) => a.source)).toEqual(['promotion', 'coupon', 'points']);
    // 145 yuan paid × 1.5 (the level) × 2 (the birthday), floored: 434 points.
    expect(quote.points).toMatchObject({ applied: 500, saving_fen: 500, earns: 434 });
    const { res, roundTrips } = await countedPost('/orders', shopper.token, body);
    expect(res.status).toBe(201);
    const order = await json(res);
    expect(order.payable_fen).toBe(quote.payable_fen);
    expect(roundTrips).toBe(2);
  });

  it('costs two from the cart (its selected lines read in the same batch), and takes them out of it', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    expect((await api('POST', '/cart/items', { token: shopper.token, body: { sku_id: product.skus[0].id, quantity: 2 } })).status).toBe(201);
    const { res, roundTrips } = await countedPost('/orders', shopper.token, {});
    expect(res.status).toBe(201);
    expect((await json(res)).items).toMatchObject([{ sku_id: product.skus[0].id, quantity: 2 }]);
    expect(roundTrips).toBe(2);
    expect((await json(api('GET', '/cart', { token: shopper.token }))).items).toEqual([]);
  });

  it("costs two for 100 different SKUs, the most one order or cart takes (each statement under D1's 100 bound parameters)", async () => {
    const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
    const product = await createProduct(merchant, categoryId, {
      specs: [
        { name: '颜色', values },
        { name: '尺码', values },
      ],
      skus: values.flatMap((a) => values.map((b) => ({ spec_values: [a, b], price_fen: 100, original_price_fen: 100, stock: 5 }))),
    });
    const items = product.skus.map((sku: { id: string }) => ({ sku_id: sku.id, quantity: 1 }));
    expect(items).toHaveLength(100);
    const buyer = await shopperWithAddress();
    const bought = await countedPost('/orders', buyer.token, { items });
    expect(bought.res.status).toBe(201);
    expect((await json(bought.res)).items).toHaveLength(100);
    expect(bought.roundTrips).toBe(2);
    // The same from a full cart (100 lines, the most it holds), which the order then empties.
    const carter = await shopperWithAddress();
    for (const item of items) expect((await api('POST', '/cart/items', { token: carter.token, body: item })).status).toBe(201);
    const fromCart = await countedPost('/orders', carter.token, {});
    expect(fromCart.res.status).toBe(201);
    expect((await json(fromCart.res)).items).toHaveLength(100);
    expect(fromCart.roundTrips).toBe(2);
    expect((await json(api('GET', '/cart', { token: carter.token }))).items).toEqual([]);
  });
});
