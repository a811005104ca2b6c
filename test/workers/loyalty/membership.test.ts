// Member levels: the ladder, growth from check-ins and from orders whose after-sales window
// closed, the level's benefits at checkout, re-rating after 12 months.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { creditDueOrderGrowth, LEVEL_TERM_MS, rerateDueLevels } from '../../../src/services/loyalty/membership';
import { markPaid } from '../../fakes/wechat-control';
import { api, BASE, createCategory, createProduct, json, placeOrder, shopperWithAddress } from '../../fixtures/helpers';
import { db, ownerToken, setLoyaltySettings } from '../../fixtures/loyalty';

const DAY = 86_400_000;
const ladder = [
  { name: '普通会员', growth_threshold: 0 },
  { name: '银卡会员', growth_threshold: 100, member_price: true, points_multiplier_bps: 15_000 },
  { name: '金卡会员', growth_threshold: 500, member_price: true, free_shipping: true, discount_bps: 1000, points_multiplier_bps: 20_000 },
];
let skuId: string;

beforeAll(async () => {
  const res = await api('POST', '/admin/api/loyalty/levels', { token: await ownerToken(), body: { levels: ladder } });
  expect(res.status).toBe(200);
  await setLoyaltySettings({ growth_per_yuan: 1, check_in_growth: 1, after_sales_days: 7, earn_points_per_yuan: 1, member_benefit_mode: 'member_price' });
  const product = await createProduct(await ownerToken(), await createCategory(await ownerToken(), '会员'), {
    specs: [],
    skus: [{ spec_values: [], price_fen: 20_000, original_price_fen: 20_000, member_price_fen: 18_000, stock: 100 }],
  });
  skuId = product.skus[0].id;
});

const membership = (token: string) => json(api('GET', '/me/membership', { token }));
const setRank = (userId: string, rank: number, reachedAt: number) =>
  env.DB.prepare('INSERT OR REPLACE INTO member_states (user_id, level_rank, reached_at, updated_at) VALUES (?, ?, ?, ?)').bind(userId, rank, reachedAt, reachedAt).run();

describe('member levels', () => {
  it('refuses a ladder whose thresholds do not rise, or a multiplier ≤ 0, with field paths; nothing written', async () => {
    const token = await ownerToken();
    const before = await json(api('GET', '/admin/api/loyalty/levels', { token }));
    for (const [levels, path] of [
      [[ladder[0], { ...ladder[2] }, { ...ladder[1] }], 'body.levels.2.growth_threshold'],
      [[ladder[0], { ...ladder[1], growth_threshold: 0 }], 'body.levels.1.growth_threshold'],
      [[{ ...ladder[1], points_multiplier_bps: 0 }], 'body.levels.0.points_multiplier_bps'],
      [[{ ...ladder[1], growth_threshold: -1 }], 'body.levels.0.growth_threshold'],
      [[{ ...ladder[1], discount_bps: 2.5 }], 'body.levels.0.discount_bps'],
    ] as const) {
      const res = await api('POST', '/admin/api/loyalty/levels', { token, body: { levels } });
      expect(res.status, path).toBe(400);
      expect((await json(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect(await json(api('GET', '/admin/api/loyalty/levels', { token }))).toEqual(before);
  });

  it('publishes the ladder publicly, cached with an ETag', async () => {
    const res = await SELF.fetch(`${BASE}/membership/levels`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toMatch(/s-maxage/);
    const body = await json(res);
    expect(body.items.map((l: { name: string }) => l.name)).toEqual(['普通会员', '银卡会员', '金卡会员']);
    expect(body.items[2]).toMatchObject({ rank: 3, growth_threshold: 500, benefits: { discount_bps: 1000, free_shipping: true, member_price: true, points_multiplier_bps: 20_000 } });
    const again = await SELF.fetch(`${BASE}/membership/levels`, { headers: { 'If-None-Match': res.headers.get('ETag')! } });
    expect(again.status).toBe(304);
  });

  it('a check-in grows the shopper into the first level', async () => {
    const shopper = await shopperWithAddress();
    expect((await membership(shopper.token)).level).toBeNull();
    expect((await api('POST', '/me/check-ins', { token: shopper.token })).status).toBe(201);
    expect(await membership(shopper.token)).toMatchObject({ level: { rank: 1, name: '普通会员' }, growth_last_12_months: 1, next_level: { name: '银卡会员', growth_to_go: 99 } });
  });

  it("an order's growth counts when its after-sales window closes, less what was refunded; the level's member price then applies", async () => {
    const shopper = await shopperWithAddress();
    const order = await json(placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity: 1 }] }));
    expect(order.payable_fen).toBe(20_000);
    await api('POST', `/orders/${order.id}/pay`, { token: shopper.token });
    const { notification } = await markPaid(order.order_no);
    await SELF.fetch(`${BASE}/payments/wechat/notify`, { method: 'POST', headers: notification.headers, body: notification.body });
    await creditDueOrderGrowth(db(), Date.now() + 6 * DAY);
    expect((await membership(shopper.token)).growth_last_12_months).toBe(0);
    await creditDueOrderGrowth(db(), Date.now() + 7 * DAY + 60_000);
    await creditDueOrderGrowth(db(), Date.now() + 8 * DAY); // once per order
    expect(await membership(shopper.token)).toMatchObject({ growth_last_12_months: 200, level: { rank: 2, name: '银卡会员' } });
    const quote = await json(api('POST', '/checkout/quote', { token: shopper.token, body: { items: [{ sku_id: skuId, quantity: 1 }] } }));
    // 银卡: the member price (¥180) and points × 1.5.
    expect(quote).toMatchObject({ items_total_fen: 18_000, payable_fen: 18_000, points: { earns: 270 } });
  });

  it('in level-discount mode the level price is a member price: the better of it and a 限时折扣, never both; it ships free', async () => {
    const shopper = await shopperWithAddress();
    await setRank(shopper.id, 3, Date.now());
    await setLoyaltySettings({ member_benefit_mode: 'level_discount' });
    try {
      const owner = await ownerToken();
      const product = await createProduct(owner, await createCategory(owner, '折扣'), {
        specs: [],
        skus: [{ spec_values: [], price_fen: 5000, original_price_fen: 5000, member_price_fen: 4000, stock: 10 }],
      });
      const quoteOf = async () => json(api('POST', '/checkout/quote', { token: shopper.token, body: { items: [{ sku_id: product.skus[0].id, quantity: 2 }] } }));
      const timedDiscount = (kind: string, value: number) =>
        api('POST', '/admin/api/promotions', {
          token: owner,
          body: {
            type: 'timed_discount',
            name: '限时',
            product_id: product.id,
            kind,
            value,
            starts_at: new Date(Date.now() - 60_000).toISOString(),
            ends_at: new Date(Date.now() + 3_600_000).toISOString(),
          },
        });
      // 金卡: 10% off each unit (not the SKU's member price, which is the other mode's).
      expect(await quoteOf()).toMatchObject({
        items_total_fen: 9000,
        discount_fen: 0,
        shipping_fee_fen: 0,
        payable_fen: 9000,
        adjustments: [],
        lines: [{ price_source: 'member_level', effective_unit_price_fen: 4500, member_price_applied: true }],
      });
      // A smaller 限时折扣 (5% off) loses to the level price; it is not added to it.
      expect((await timedDiscount('percent_off', 5)).status).toBe(201);
      expect(await quoteOf()).toMatchObject({ payable_fen: 9000, adjustments: [], lines: [{ price_source: 'member_level', effective_unit_price_fen: 4500 }] });
      // A deeper one (¥40) wins instead, with no level discount on top.
      expect((await timedDiscount('fixed_price', 4000)).status).toBe(201);
      expect(await quoteOf()).toMatchObject({
        items_total_fen: 8000,
        payable_fen: 8000,
        adjustments: [],
        lines: [{ price_source: 'timed_discount', effective_unit_price_fen: 4000, member_price_applied: false }],
      });
      // The order is priced the same way.
      expect(await json(placeOrder(shopper.token, { items: [{ sku_id: product.skus[0].id, quantity: 2 }] }))).toMatchObject({ payable_fen: 8000, discount_fen: 0 });
    } finally {
      await setLoyaltySettings({ member_benefit_mode: 'member_price' });
    }
  });

  it('re-rates a level held 12 months on the last 12 months of growth, down one level at most', async () => {
    const gold = await shopperWithAddress();
    const silver = await shopperWithAddress();
    const now = Date.now();
    await setRank(gold.id, 3, now - LEVEL_TERM_MS - DAY);
    await setRank(silver.id, 2, now - LEVEL_TERM_MS + DAY); // not yet due
    await env.DB.prepare("INSERT INTO member_growth (id, user_id, source, delta, ref, created_at) VALUES ('mgr_old', ?, 'order', 900, 'ord_old', ?)")
      .bind(gold.id, now - LEVEL_TERM_MS - 2 * DAY)
      .run();
    await rerateDueLevels(db(), now);
    expect((await membership(gold.token)).level.rank).toBe(2);
    expect((await membership(silver.token)).level.rank).toBe(2);
    // Held again for 12 months from the re-rating: a second sweep changes nothing.
    await rerateDueLevels(db(), now + DAY);
    expect((await membership(gold.token)).level.rank).toBe(2);
  });
});
