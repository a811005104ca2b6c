// The mini-program's loyalty pages against the real worker and the fake WeChat Pay: from the
// profile to check-in (and a double tap), the points page and its journal, checkout with the
// points switch (spent in the order's batch), a paid plan bought in the cashier, and the points
// mall (a coupon item, a SKU item paid in cash, 我的兑换).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { loyaltyApi, meApi } from '../../../miniapp/miniprogram/lib/api';
import { checkInPage } from '../../../miniapp/miniprogram/loyalty/check-in/page';
import { mallPage } from '../../../miniapp/miniprogram/loyalty/mall/page';
import { membershipPage } from '../../../miniapp/miniprogram/loyalty/membership/page';
import { pointsPage } from '../../../miniapp/miniprogram/loyalty/points/page';
import { checkoutPage } from '../../../miniapp/miniprogram/pages/checkout/page';
import { profilePage } from '../../../miniapp/miniprogram/pages/profile/page';
import { activeCoupon } from '../../fixtures/coupons';
import { api, createCategory, createProduct, json, shippingAddress } from '../../fixtures/helpers';
import { grantPoints, ownerToken } from '../../fixtures/loyalty';
import { mount, queryOf, tap } from '../support/page-host';
import { installWx } from '../support/wx-stand-in';

let skuId: string;
let planId: string;
let couponItemId: string;
let skuItemId: string;

beforeAll(async () => {
  const owner = await ownerToken();
  const product = await createProduct(owner, await createCategory(owner, '会员'), { specs: [], skus: [{ spec_values: [], price_fen: 20_000, original_price_fen: 20_000, stock: 50 }] });
  skuId = product.skus[0].id;
  expect(
    (
      await api('POST', '/admin/api/loyalty/levels', {
        token: owner,
        body: {
          levels: [
            { name: '银卡', growth_threshold: 1 },
            { name: '金卡', growth_threshold: 100_000, free_shipping: true },
          ],
        },
      })
    ).status,
  ).toBe(200);
  planId = (await json(api('POST', '/admin/api/loyalty/plans', { token: owner, body: { name: '金卡月卡', period: 'month', price_fen: 1990, level_rank: 2 } }))).id;
  const template = await activeCoupon(owner);
  const item = (body: Record<string, unknown>) => json(api('POST', '/admin/api/points-mall/items', { token: owner, body: { stock: 10, per_shopper_limit: 2, ...body } }));
  couponItemId = (await item({ kind: 'coupon', title: '5 元券', coupon_template_id: template.id, points_price: 100 })).id;
  skuItemId = (await item({ kind: 'sku', title: '会员礼盒', sku_id: skuId, points_price: 200, cash_fen: 990 })).id;
});

let counter = 0;
const shopper = async () => {
  const wx = installWx({ openid: `oMiniLoyalty${Date.now()}${++counter}` });
  await meApi.createAddress(shippingAddress);
  return { wx, id: (await meApi.profile()).id };
};

describe('mini-program: loyalty', () => {
  it('profile → check-in once (a double tap grants nothing) → the points page shows the grant in the journal', async () => {
    const { wx, id } = await shopper();
    const profile = mount(profilePage);
    await profile.onShow();
    const link = profile.data.loyaltyLinks.find((l) => l.label === '每日签到')!;
    await profile.onTapLink(tap({ url: link.url }));
    const calendar = mount(checkInPage);
    await calendar.onLoad(queryOf(wx.navigations.at(-1)!.url));
    expect(calendar.data.status).toBe('ready');
    expect(calendar.data.calendar!.checked_in_today).toBe(false);
    expect(await calendar.onCheckIn()).toBe(true);
    expect(wx.toasts.at(-1)).toBe('签到成功 +5 积分');
    expect(calendar.data.calendar!.checked_in_today).toBe(true);
    expect(calendar.data.cells.find((c) => c.today)!.checkedIn).toBe(true);
    // The page refuses a second tap itself; the API refuses one that gets through.
    expect(await calendar.onCheckIn()).toBe(false);
    await expect(loyaltyApi.checkIn()).rejects.toMatchObject({ status: 409, code: 'already_checked_in' });
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM point_entries WHERE user_id = ? AND source = 'check_in'").bind(id).first<{ n: number }>();
    expect(rows!.n).toBe(1);
    // A missed day of this cycle can be made up from the calendar (none on the cycle's first day).
    const missed = calendar.data.cells.find((c) => c.canMakeUp);
    if (calendar.data.calendar!.today === calendar.data.calendar!.cycle.starts_on) expect(missed).toBeUndefined();
    else {
      expect(await calendar.onTapDay(tap({ date: missed!.date }))).toBe(true);
      expect(wx.toasts.at(-1)).toBe('补签成功 +5 积分');
    }

    const points = mount(pointsPage);
    await points.onShow();
    expect(points.data.summary!.balance).toBe(missed ? 10 : 5);
    expect(points.data.entries[0]).toMatchObject({ pointsText: '+5' });
    expect(points.data.entries.map((e) => e.title)).toContain(`签到 ${calendar.data.calendar!.today}`);
  });

  it('checkout: the points switch quotes the saving, the order spends the points and is paid', async () => {
    const { wx, id } = await shopper();
    await grantPoints(id, 5000);
    const checkout = mount(checkoutPage);
    await checkout.onLoad({ sku_id: skuId, quantity: '1' });
    expect(checkout.data.points).toMatchObject({ applied: 0, balance: 5000, max_usable: 5000 });
    await checkout.onPointsChange({ detail: { use: true } });
    expect(checkout.data.points).toMatchObject({ applied: 5000, saving_fen: 5000 });
    expect(checkout.data.breakdown!.payable).toBe('¥150.00');
    await checkout.onSubmit();
    const orderId = queryOf(wx.navigations.at(-1)!.url).id!;
    const order = await env.DB.prepare('SELECT o.status, o.payable_fen, p.spent FROM orders o JOIN order_points p ON p.order_id = o.id WHERE o.id = ?').bind(orderId).first();
    expect(order).toEqual({ status: 'paid', payable_fen: 15_000, spent: 5000 });
    expect((await loyaltyApi.points()).balance).toBe(0);
  });

  it('member card: buys the paid plan in the cashier, then shows the plan and its end', async () => {
    await shopper();
    const card = mount(membershipPage);
    await card.onLoad();
    expect(card.data.view!.paid_plan).toBeNull();
    expect(card.data.plans.map((p) => [p.id, p.priceText, p.periodText])).toContainEqual([planId, '¥19.90', '月卡']);
    expect(await card.onBuyPlan(tap({ id: planId }))).toBe(true);
    expect(card.data.view!.paid_plan).toMatchObject({ plan_id: planId, name: '金卡月卡', level_rank: 2 });
    expect(card.data.paidEnds).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it('member card: the birthday picker sets the birthday once; a change within the year reads as a sentence', async () => {
    const { wx } = await shopper();
    const card = mount(membershipPage);
    await card.onLoad();
    expect(card.data.birthday).toEqual({ birthday: null, changeable_from: null });
    expect(await card.onBirthdayChange({ detail: { value: '1990-03-15' } })).toBe(true);
    expect(wx.toasts.at(-1)).toBe('生日已保存');
    expect(card.data.birthday!.birthday).toBe('1990-03-15');
    expect(await card.onBirthdayChange({ detail: { value: '1990-03-16' } })).toBe(false);
    expect(wx.toasts.at(-1)).toBe('生日每 12 个月只能修改一次');
    expect((await meApi.profile()).birthday.birthday).toBe('1990-03-15');
  });

  it('points mall: a coupon item for points, a SKU item whose cash part is paid, both in 我的兑换', async () => {
    const { wx, id } = await shopper();
    await grantPoints(id, 250);
    const mall = mount(mallPage);
    await mall.onLoad({});
    expect(mall.data.balance).toBe(250);
    expect(mall.data.items.find((i) => i.id === couponItemId)).toMatchObject({ priceText: '100 积分', affordable: true });
    expect(await mall.onExchange(tap({ id: couponItemId }))).toBe(true);
    expect(wx.toasts.at(-1)).toBe('兑换成功');
    expect(mall.data.balance).toBe(150);
    // 150 points left: the 200-point SKU item is not affordable; the API would refuse it too.
    expect(mall.data.items.find((i) => i.id === skuItemId)).toMatchObject({ priceText: '200 积分 + ¥9.90', affordable: false });
    await grantPoints(id, 50);
    await mall.onLoad({});
    expect(await mall.onExchange(tap({ id: skuItemId }))).toBe(true);
    const orderId = queryOf(wx.navigations.at(-1)!.url).id!;
    expect(await env.DB.prepare('SELECT status FROM orders WHERE id = ?').bind(orderId).first()).toEqual({ status: 'paid' });
    const mine = mount(mallPage);
    await mine.onLoad({ tab: 'mine' });
    expect(mine.data.tab).toBe('mine');
    expect(mine.data.exchanges.map((e) => [e.title, e.priceText, e.order_id])).toEqual([
      ['会员礼盒', '200 积分 + ¥9.90', orderId],
      ['5 元券', '100 积分', null],
    ]);
  });
});
