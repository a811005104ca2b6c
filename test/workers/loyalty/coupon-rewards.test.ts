// Coupons as loyalty rewards, issued by the coupon module in the batch that earned them: a
// check-in tier's coupon once per tier and cycle (a paused or sold-out template gives nothing and
// the check-in stands), a points-mall coupon item's coupon or no exchange at all, and templates a
// reward names must exist.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeCoupon } from '../../fixtures/coupons';
import { api, json, newIdempotencyKey, shopperToken } from '../../fixtures/helpers';
import { clockedShopper, grantPoints, myPoints, ownerToken, setLoyaltySettings, shanghai } from '../../fixtures/loyalty';

const DAY = 86_400_000;
const one = <T>(sql: string, ...binds: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...binds)
    .first<T>();
const issuedCount = async (templateId: string) => (await one<{ issued_count: number }>('SELECT issued_count FROM coupon_templates WHERE id = ?', templateId))!.issued_count;
const heldFrom = async (userId: string, source: string) => (await one<{ n: number }>('SELECT count(*) AS n FROM shopper_coupons WHERE user_id = ? AND source = ?', userId, source))!.n;

let owner: string;
let tierTemplate: { id: string };
beforeAll(async () => {
  owner = await ownerToken();
  await setLoyaltySettings({ check_in_cycle: 'monthly', check_in_base_points: 5, check_in_make_ups_per_month: 3, check_in_make_up_cost_points: 0 });
  tierTemplate = await activeCoupon(owner, { name: '连签 2 天券', total_quantity: 30 });
  const res = await api('POST', '/admin/api/loyalty/check-in-rewards', { token: owner, body: { kind: 'streak', days: 2, points: 10, coupon_template_id: tierTemplate.id } });
  expect(res.status).toBe(201);
});

describe('check-in tier coupons', () => {
  it('the tier gives its coupon once per cycle: a make-up that recomputes the streak gives none again', async () => {
    const s = await clockedShopper('2026-09-01T09:00:00');
    await s.checkIn();
    s.clock.advance(DAY);
    const second = await json(s.checkIn());
    expect(second.tier_rewards).toEqual([{ reward_id: expect.any(String), points: 10, coupon_template_id: tierTemplate.id, coupon_id: expect.stringMatching(/^cpn_/) }]);
    const wallet = await json(s.as('GET', '/me/coupons'));
    expect(wallet.items.map((c: { id: string }) => c.id)).toContain(second.tier_rewards[0].coupon_id);
    // 09-03 missed, 09-04 checked in, then 09-03 made up: the streak reaches 4, the tier is already given.
    s.clock.advance(2 * DAY);
    await s.checkIn();
    const madeUp = await json(s.makeUp('2026-09-03'));
    expect(madeUp.tier_rewards).toEqual([]);
    expect(await heldFrom(s.id, 'check_in')).toBe(1);
    // The next cycle (October) gives the tier again.
    s.clock.advance(shanghai('2026-10-01T09:00:00') - s.clock.now());
    await s.checkIn();
    s.clock.advance(DAY);
    expect((await json(s.checkIn())).tier_rewards[0].coupon_id).toMatch(/^cpn_/);
    expect(await heldFrom(s.id, 'check_in')).toBe(2);
  });

  it('40 shoppers reach the tier at once with fewer coupons left: exactly the coupons left are given, all 40 check-ins and their points stand', async () => {
    const left = 30 - (await issuedCount(tierTemplate.id));
    const shoppers = await Promise.all(Array.from({ length: 40 }, () => clockedShopper('2026-11-01T09:00:00')));
    await Promise.all(shoppers.map((s) => s.checkIn()));
    for (const s of shoppers) s.clock.advance(DAY);
    const answers = await Promise.all(shoppers.map((s) => s.checkIn().then(async (r) => ({ status: r.status, body: await r.json<any>() }))));
    expect(answers.every((a) => a.status === 201 && a.body.tier_rewards[0].points === 10)).toBe(true);
    expect(answers.filter((a) => a.body.tier_rewards[0].coupon_id !== null)).toHaveLength(left);
    expect(await issuedCount(tierTemplate.id)).toBe(30);
    const rows = await one<{ n: number }>("SELECT count(*) AS n FROM shopper_coupons WHERE template_id = ? AND source = 'check_in'", tierTemplate.id);
    expect(rows!.n).toBe(30);
  });

  it('a paused template gives no coupon; the check-in and the tier points stand', async () => {
    const paused = await activeCoupon(owner, { name: '暂停的券', total_quantity: null });
    expect((await api('POST', `/admin/api/coupons/${paused.id}/pause`, { token: owner })).status).toBe(200);
    const tier = await json(api('POST', '/admin/api/loyalty/check-in-rewards', { token: owner, body: { kind: 'cumulative', days: 1, points: 0, coupon_template_id: paused.id } }));
    try {
      const s = await clockedShopper('2026-12-10T09:00:00');
      const res = await s.checkIn();
      expect(res.status).toBe(201);
      expect((await json(res)).tier_rewards).toEqual([{ reward_id: tier.id, points: 0, coupon_template_id: paused.id, coupon_id: null }]);
      expect(await issuedCount(paused.id)).toBe(0);
      expect((await json(s.as('GET', '/me/points'))).balance).toBe(5);
    } finally {
      await api('DELETE', `/admin/api/loyalty/check-in-rewards/${tier.id}`, { token: owner });
    }
  });
});

describe('points-mall coupon items', () => {
  const exchange = (token: string, itemId: string, key = newIdempotencyKey()) => api('POST', `/points-mall/items/${itemId}/exchange`, { token, body: {}, headers: { 'Idempotency-Key': key } });
  const item = async (templateId: string, stock = 10) =>
    json(api('POST', '/admin/api/points-mall/items', { token: owner, body: { kind: 'coupon', title: '兑换券', coupon_template_id: templateId, points_price: 100, stock, per_shopper_limit: 5 } }));

  it('the exchange puts the coupon in the wallet; a sold-out template refuses the exchange and takes nothing', async () => {
    const template = await activeCoupon(owner, { name: '积分兑 5 元', total_quantity: 1 });
    const mall = await item(template.id);
    const { id, token } = await shopperToken();
    await grantPoints(id, 300);
    const first = await json(exchange(token, mall.id));
    expect(first.coupon_id).toMatch(/^cpn_/);
    expect((await json(api('GET', '/me/coupons', { token }))).items.map((c: { id: string }) => c.id)).toContain(first.coupon_id);
    const refused = await exchange(token, mall.id);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe('coupon_sold_out');
    expect((await myPoints(token)).balance).toBe(200);
    expect((await one<{ stock: number }>('SELECT stock FROM mall_items WHERE id = ?', mall.id))!.stock).toBe(9);
    expect(await one('SELECT count(*) AS n FROM mall_exchanges WHERE item_id = ?', mall.id)).toEqual({ n: 1 });
    // In 我的兑换 with its coupon.
    expect((await json(api('GET', '/me/points-mall/exchanges', { token }))).items).toEqual([expect.objectContaining({ id: first.id, title: '兑换券', kind: 'coupon', coupon_id: first.coupon_id })]);
  });

  it('a paused template refuses the exchange (409 coupon_not_active), nothing taken', async () => {
    const template = await activeCoupon(owner, { name: '暂停兑换', total_quantity: null });
    const mall = await item(template.id);
    await api('POST', `/admin/api/coupons/${template.id}/pause`, { token: owner });
    const { id, token } = await shopperToken();
    await grantPoints(id, 100);
    const res = await exchange(token, mall.id);
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe('coupon_not_active');
    expect((await myPoints(token)).balance).toBe(100);
  });
});

describe('templates a reward names', () => {
  it('must exist: a tier, a points-mall item and a level birthday coupon naming an unknown one are 422 with the field', async () => {
    for (const [path, body, field] of [
      ['/admin/api/loyalty/check-in-rewards', { kind: 'streak', days: 9, points: 0, coupon_template_id: 'cpt_nope' }, 'body.coupon_template_id'],
      ['/admin/api/points-mall/items', { kind: 'coupon', title: 'x', coupon_template_id: 'cpt_nope', points_price: 10, stock: 1 }, 'body.coupon_template_id'],
      [
        '/admin/api/loyalty/levels',
        {
          levels: [
            { name: '银卡', growth_threshold: 1 },
            { name: '金卡', growth_threshold: 9, birthday_coupon_template_id: 'cpt_nope' },
          ],
        },
        'body.levels.1.birthday_coupon_template_id',
      ],
    ] as const) {
      const res = await api('POST', path, { token: owner, body });
      expect(res.status).toBe(422);
      expect((await json(res)).error).toMatchObject({ code: 'coupon_template_not_found', details: [{ path: field }] });
    }
  });
});
