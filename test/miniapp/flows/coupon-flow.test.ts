// The mini-program's coupon pages against the real worker: the profile opens the coupon centre,
// claims go through (once each), my coupons lists them; product cards and the product page carry
// the 满减 badge; checkout preselects the best coupon, the shopper switches to none and to another
// one (re-quoted each time), and the order is paid with the coupon the shopper saw, which then
// moves to the used tab.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { meApi } from '../../../miniapp/miniprogram/lib/api';
import { couponCentrePage } from '../../../miniapp/miniprogram/marketing/coupons/centre/page';
import { myCouponsPage } from '../../../miniapp/miniprogram/marketing/coupons/mine/page';
import { checkoutPage } from '../../../miniapp/miniprogram/pages/checkout/page';
import { productListPage } from '../../../miniapp/miniprogram/pages/product-list/page';
import { productPage } from '../../../miniapp/miniprogram/pages/product/page';
import { profilePage } from '../../../miniapp/miniprogram/pages/profile/page';
import { activeCoupon, tieredActivity } from '../../fixtures/coupons';
import { createCategory, createProduct, shippingAddress, tokenFor } from '../../fixtures/helpers';
import { mount, queryOf, tap } from '../support/page-host';
import { installWx } from '../support/wx-stand-in';

let categoryId: string;
let product: { id: string; skus: { id: string }[] };
let bigTemplate: string;
let smallTemplate: string;

beforeAll(async () => {
  const merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '领券专区');
  product = await createProduct(merchant, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 12900, original_price_fen: 12900, stock: 20 }] });
  const scope = { kind: 'include', category_ids: [categoryId] };
  const activity = await tieredActivity(merchant, categoryId);
  expect(activity.status).toBe(201);
  bigTemplate = (await activeCoupon(merchant, { name: '满100减20', threshold_fen: 10000, amount_off_fen: 2000, scope })).id;
  smallTemplate = (await activeCoupon(merchant, { name: '无门槛5元', kind: 'no_threshold', threshold_fen: undefined, amount_off_fen: 500, scope })).id;
});

const couponStatus = (id: string) => env.DB.prepare('SELECT status FROM shopper_coupons WHERE id = ?').bind(id).first<{ status: string }>();

describe('mini-program: coupons', () => {
  it('claims in the coupon centre, sees the badge, chooses at checkout, pays with the coupon chosen', async () => {
    const wx = installWx({ openid: `oMiniCoupon${Date.now()}` });
    const lastUrl = () => wx.navigations.at(-1)!.url;
    const profile = mount(profilePage);
    await profile.onShow();
    await profile.onTapCouponCentre();
    expect(lastUrl()).toBe('/marketing/coupons/centre/index');

    const centre = mount(couponCentrePage);
    await centre.onLoad();
    const row = (id: string) => centre.data.coupons.find((c) => c.id === id)!;
    expect(row(bigTemplate)).toMatchObject({ value: '¥20', condition: '满100元可用', validity: '领取后7天内有效', button: '立即领取', claimable: true });
    expect(row(smallTemplate)).toMatchObject({ value: '¥5', condition: '无门槛' });
    expect(await centre.onClaim(tap({ id: bigTemplate }))).toBe(true);
    expect(wx.toasts.at(-1)).toBe('领取成功');
    expect(row(bigTemplate)).toMatchObject({ button: '已领取', claimable: false });
    expect(await centre.onClaim(tap({ id: bigTemplate }))).toBe(false); // the limit is 1: the page does not even ask
    expect(await centre.onClaim(tap({ id: smallTemplate }))).toBe(true);

    await profile.onTapCoupons();
    const mine = mount(myCouponsPage);
    mine.onLoad(queryOf(lastUrl()));
    await mine.onShow();
    expect(mine.data.coupons.map((c) => c.name).sort()).toEqual(['无门槛5元', '满100减20']);

    // The storefront's badges.
    const list = mount(productListPage);
    await list.onLoad({ category_id: categoryId });
    const card = list.data.products.find((p) => p.id === product.id)!;
    expect(card.offers).toMatchObject([{ name: '满100减10', tiers: ['满100减10'] }]);
    expect(card.coupons.map((c) => c.label).sort()).toEqual(['无门槛减5', '满100减20']);
    const detail = mount(productPage);
    await detail.onLoad({ id: product.id });
    expect(detail.data.product!.offers.map((o) => o.tiers)).toEqual([['满100减10']]);

    // Checkout: the best coupon preselected, then none, then the other one.
    await meApi.createAddress(shippingAddress);
    detail.onSpecChange({ detail: { skuId: product.skus[0]!.id, quantity: 1 } });
    await detail.onBuyNow();
    const checkout = mount(checkoutPage);
    await checkout.onLoad(queryOf(lastUrl()));
    expect(checkout.data.coupon).toMatchObject({ name: '满100减20', saving_fen: 2000 });
    expect(checkout.data.coupons.usable.map((c) => [c.name, c.saving_fen]).sort()).toEqual([
      ['无门槛5元', 500],
      ['满100减20', 2000],
    ]);
    expect(checkout.data.breakdown).toMatchObject({
      adjustments: [
        { label: '满100减10', amount: '-¥10.00' },
        { label: '满100减20', amount: '-¥20.00' },
      ],
      payable: '¥99.00',
    });
    const firstKey = checkout.data.idempotencyKey;
    await checkout.onCouponChange({ detail: { couponId: null } });
    expect(checkout.data).toMatchObject({ status: 'ready', coupon: null, breakdown: { adjustments: [{ label: '满100减10' }], payable: '¥119.00' } });
    const small = checkout.data.coupons.usable.find((c) => c.name === '无门槛5元')!;
    await checkout.onCouponChange({ detail: { couponId: small.id } });
    expect(checkout.data).toMatchObject({ coupon: { id: small.id }, breakdown: { payable: '¥114.00' } });
    expect(checkout.data.idempotencyKey).not.toBe(firstKey);

    await checkout.onSubmit();
    const orderId = queryOf(lastUrl()).id!;
    expect(await env.DB.prepare('SELECT status, payable_fen, discount_fen FROM orders WHERE id = ?').bind(orderId).first()).toEqual({ status: 'paid', payable_fen: 11400, discount_fen: 1500 });
    expect(await couponStatus(small.id)).toEqual({ status: 'used' });

    await mine.onTapTab(tap({ status: 'used' }));
    expect(mine.data.coupons.map((c) => c.name)).toEqual(['无门槛5元']);
    await mine.onTapTab(tap({ status: 'unused' }));
    expect(mine.data.coupons.map((c) => c.name)).toEqual(['满100减20']);
  });

  it('a coupon another order took meanwhile: the order is refused, the page quotes the best one left', async () => {
    const wx = installWx({ openid: `oMiniCouponRace${Date.now()}` });
    const lastUrl = () => wx.navigations.at(-1)!.url;
    const centre = mount(couponCentrePage);
    await centre.onLoad();
    expect(await centre.onClaim(tap({ id: bigTemplate }))).toBe(true);
    await meApi.createAddress(shippingAddress);
    const openCheckout = async () => {
      const checkout = mount(checkoutPage);
      await checkout.onLoad({ sku_id: product.skus[0]!.id, quantity: '1' });
      return checkout;
    };
    // Two checkouts open (two phones, or a tab left open), both showing the ¥20 coupon.
    const first = await openCheckout();
    const second = await openCheckout();
    expect([first.data.coupon?.name, second.data.coupon?.name]).toEqual(['满100减20', '满100减20']);
    wx.cashier = 'cancel'; // the first order stays unpaid, its coupon locked
    await first.onSubmit();
    const firstOrder = queryOf(lastUrl()).id!;
    const navigations = wx.navigations.length;
    await second.onSubmit();
    expect(wx.navigations).toHaveLength(navigations); // no second order page
    expect(wx.toasts).toContain('优惠券已被使用，请重新选择');
    expect(second.data).toMatchObject({ status: 'ready', coupon: null, breakdown: { payable: '¥119.00' } });
    await second.onSubmit();
    const secondOrder = queryOf(lastUrl()).id!;
    expect(secondOrder).not.toBe(firstOrder);
    const payable = (id: string) => env.DB.prepare('SELECT payable_fen FROM orders WHERE id = ?').bind(id).first<{ payable_fen: number }>();
    expect([(await payable(firstOrder))!.payable_fen, (await payable(secondOrder))!.payable_fen]).toEqual([9900, 11900]);
  });
});
