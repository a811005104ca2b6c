// The cart's summary is checkout's own quote of the selected lines: the best 满减/满折 reached and
// the best coupon held, the same figures POST /checkout/quote gives (and then lets the shopper change).
import { describe, expect, it } from 'vitest';
import { activeCoupon, claim, tieredActivity } from '../../fixtures/coupons';
import { api, createCategory, createProduct, json, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

describe('GET /cart summary with promotions and coupons', () => {
  it('takes the best activity tier and the best coupon off the selected lines, exactly as the checkout quote does', async () => {
    const owner = (await tokenFor('owner')).token;
    const categoryId = await createCategory(owner, '购物车满减');
    const product = await createProduct(owner, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 6000, original_price_fen: 6000, stock: 50 }] });
    const activity = await tieredActivity(owner, categoryId);
    expect(activity.status).toBe(201);
    const shopper = await shopperWithAddress();
    const small = await activeCoupon(owner, { name: '满50减5', threshold_fen: 5000, amount_off_fen: 500, scope: { kind: 'include', category_ids: [categoryId] } });
    const big = await activeCoupon(owner, { name: '满100减15', threshold_fen: 10000, amount_off_fen: 1500, scope: { kind: 'include', category_ids: [categoryId] } });
    const smallId = (await json(claim(shopper.token, small.id))).id;
    const bigId = (await json(claim(shopper.token, big.id))).id;
    expect((await api('POST', '/cart/items', { token: shopper.token, body: { sku_id: product.skus[0].id, quantity: 1 } })).status).toBe(201);

    // One unit (¥60): no tier reached; the ¥5 coupon is the only one usable.
    const one = (await json(api('GET', '/cart', { token: shopper.token }))).summary;
    expect(one).toMatchObject({ items_total_fen: 6000, discount_fen: 500, promotion: null, coupon: { id: smallId, saving_fen: 500 } });
    expect(one.adjustments).toEqual([{ source: 'coupon', label: '满50减5', amount_fen: 500 }]);

    // Two units (¥120): 满100减10 first, then the ¥15 coupon on the ¥110 left.
    const line = (await json(api('GET', '/cart', { token: shopper.token }))).items[0];
    const two = (await json(api('PATCH', `/cart/items/${line.id}`, { token: shopper.token, body: { quantity: 2 } }))).summary;
    expect(two).toMatchObject({ items_total_fen: 12000, discount_fen: 2500, promotion: { name: '满100减10', saving_fen: 1000 }, coupon: { id: bigId, saving_fen: 1500 } });
    const quote = await json(api('POST', '/checkout/quote', { token: shopper.token, body: {} }));
    for (const key of ['items_total_fen', 'discount_fen', 'shipping_fee_fen', 'payable_fen', 'adjustments', 'promotion', 'coupon'] as const) expect(two[key]).toEqual(quote[key]);

    // Nothing selected: nothing off.
    const none = (await json(api('POST', '/cart/select', { token: shopper.token, body: { selected: false } }))).summary;
    expect(none).toMatchObject({ items_total_fen: 0, discount_fen: 0, payable_fen: 0, adjustments: [], promotion: null, coupon: null });
  });

  it('each line carries the unit price checkout charges, selected or not', async () => {
    const owner = (await tokenFor('owner')).token;
    const categoryId = await createCategory(owner, '购物车限时');
    const productAt = (priceFen: number) => createProduct(owner, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: priceFen, original_price_fen: priceFen, stock: 50 }] });
    const discounted = await productAt(10000);
    const plain = await productAt(3000);
    const timed = await api('POST', '/admin/api/promotions', {
      token: owner,
      body: {
        type: 'timed_discount',
        name: '限时',
        product_id: discounted.id,
        kind: 'fixed_price',
        value: 7000,
        starts_at: new Date(Date.now() - 60_000).toISOString(),
        ends_at: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(timed.status).toBe(201);
    const shopper = await shopperWithAddress();
    for (const p of [discounted, plain]) expect((await api('POST', '/cart/items', { token: shopper.token, body: { sku_id: p.skus[0].id, quantity: 1 } })).status).toBe(201);
    const prices = (cart: { items: { sku_id: string; price_fen: number; effective_unit_price_fen: number; price_source: string }[] }) =>
      cart.items.map((i) => [i.price_fen, i.effective_unit_price_fen, i.price_source]);
    const cart = await json(api('GET', '/cart', { token: shopper.token }));
    expect(prices(cart)).toEqual([
      [10000, 7000, 'timed_discount'],
      [3000, 3000, 'list'],
    ]);
    expect(cart.summary.items_total_fen).toBe(10000);
    const unselected = await json(api('PATCH', `/cart/items/${cart.items[0].id}`, { token: shopper.token, body: { selected: false } }));
    expect(prices(unselected)).toEqual(prices(cart));
    expect(unselected.summary.items_total_fen).toBe(3000);
  });
});
