// The mini-program's own pages and request layer against the real worker and the fake WeChat:
// browse → product → spec picker → cart → checkout (address chosen on the way) → WeChat Pay →
// the order page shows the order paid; then the order actions.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { specPicker, type SpecPickerChange } from '../../../miniapp/miniprogram/components/spec-picker/component';
import { addressEditPage } from '../../../miniapp/miniprogram/pages/address-edit/page';
import { addressesPage } from '../../../miniapp/miniprogram/pages/addresses/page';
import { cartPage } from '../../../miniapp/miniprogram/pages/cart/page';
import { checkoutPage } from '../../../miniapp/miniprogram/pages/checkout/page';
import { homePage } from '../../../miniapp/miniprogram/pages/home/page';
import { orderDetailPage } from '../../../miniapp/miniprogram/pages/order-detail/page';
import { ordersPage } from '../../../miniapp/miniprogram/pages/orders/page';
import { productListPage } from '../../../miniapp/miniprogram/pages/product-list/page';
import { productPage } from '../../../miniapp/miniprogram/pages/product/page';
import { categoryPage } from '../../../miniapp/miniprogram/pages/category/page';
import { searchPage } from '../../../miniapp/miniprogram/pages/search/page';
import { api, createCategory, createProduct, json, tokenFor } from '../../fixtures/helpers';
import { mount, queryOf, tap } from '../support/page-host';
import { installWx, type WxStandIn } from '../support/wx-stand-in';

let merchant: string;
let product: { id: string; skus: { id: string; spec_values: string[] }[] };

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  const categoryId = await createCategory(merchant, '女装');
  product = await createProduct(merchant, categoryId, { tags: ['轮播', '新品'] });
});

let shopperCounter = 0;
const newShopper = () => installWx({ openid: `oMiniFlow${Date.now()}${++shopperCounter}` });
const lastUrl = (wx: WxStandIn) => wx.navigations.at(-1)!.url;
const skuOf = (values: string[]) => product.skus.find((s) => s.spec_values.join() === values.join())!.id;
const orderRow = (id: string) => env.DB.prepare('SELECT status, payable_fen FROM orders WHERE id = ?').bind(id).first<{ status: string; payable_fen: number }>();

/** Fills the address form as the shopper types, field by field. */
function typeInto(page: ReturnType<typeof mount<typeof addressEditPage.data, typeof addressEditPage.methods>>, fields: Record<string, string>) {
  for (const [field, value] of Object.entries(fields)) page.onInput({ detail: { value }, currentTarget: { dataset: { field } } } as never);
}

/** Adds an address through the address book opened from the checkout, and picks it. */
async function addAndChooseAddress(wx: WxStandIn, checkout: ReturnType<typeof mount<typeof checkoutPage.data, typeof checkoutPage.methods>>) {
  await checkout.onChooseAddress();
  const book = mount(addressesPage);
  book.onLoad(queryOf(lastUrl(wx)));
  await book.onShow();
  expect(book.data.status).toBe('empty');
  await book.onAdd();
  const form = mount(addressEditPage);
  await form.onLoad(queryOf(lastUrl(wx)));
  typeInto(form, { recipient: '王五', phone: '1390000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号' });
  // The API refuses the phone number and names the field; the form shows it there.
  expect(await form.onSave()).toBe(false);
  expect(form.data.fieldErrors.phone).toMatch(/11-digit/);
  typeInto(form, { phone: '13900001111' });
  expect(await form.onSave()).toBe(true);
  expect(wx.navigations.at(-1)!.kind).toBe('navigateBack');
  await book.onShow();
  expect(book.data.addresses).toHaveLength(1);
  book.onTapAddress(tap({ id: book.data.addresses[0]!.id }));
  checkout.onShow();
  expect(checkout.data.address?.recipient).toBe('王五');
}

describe('mini-program: browse, cart, checkout, pay', () => {
  it('browses by category and searches with suggestions', async () => {
    const wx = newShopper();
    const categories = mount(categoryPage);
    await categories.onLoad();
    const women = categories.data.categories.find((c) => c.name === '女装')!;
    categories.onTapTopLevel(tap({ id: women.id }));
    expect(categories.data.activeId).toBe(women.id);
    await categories.onTapCategory(tap({ id: women.id, name: women.name }));
    const list = mount(productListPage);
    await list.onLoad(queryOf(lastUrl(wx)));
    expect(list.data.products.map((p) => p.id)).toEqual([product.id]);
    await list.onTapSort(tap({ value: 'price_desc' }));
    expect(list.data).toMatchObject({ status: 'ready', sort: 'price_desc' });

    const search = mount(searchPage);
    search.onLoad({});
    await search.suggest('碎花');
    expect(search.data.suggestions).toEqual(['法式复古碎花连衣裙']);
    await search.onTapSuggestion(tap({ text: '法式复古碎花连衣裙' }));
    expect(search.data.products.map((p) => p.id)).toEqual([product.id]);
    expect(search.data.history[0]).toBe('法式复古碎花连衣裙');
    await search.search('没有这种商品');
    expect(search.data.status).toBe('empty');
  });

  it('browse → add to cart → check out → pay against the fake WeChat Pay → order paid', async () => {
    const wx = newShopper();
    const home = mount(homePage);
    await home.onLoad();
    expect(home.data.status).toBe('ready');
    expect(home.data.banners.map((p) => p.id)).toContain(product.id);
    expect(home.data.products.map((p) => p.id)).toContain(product.id);
    await home.onTapProduct(tap({ id: product.id }));
    expect(lastUrl(wx)).toBe(`/pages/product/index?id=${product.id}`);

    const detail = mount(productPage);
    await detail.onLoad(queryOf(lastUrl(wx)));
    expect(detail.data.status).toBe('ready');
    // Adding before a spec is chosen asks for one and sends nothing.
    expect(await detail.onAddToCart()).toBe(false);
    expect(wx.toasts.at(-1)).toBe('请选择规格');

    // The spec picker (its real logic) with the product's specs: 红色 / M, two of them.
    const picker = mount(specPicker, { specs: detail.data.product!.specs, skus: detail.data.product!.skus });
    picker.onTapValue(tap({ index: 0, value: '红色' }) as never);
    picker.onTapValue(tap({ index: 1, value: 'M' }) as never);
    picker.onPlus();
    detail.onSpecChange({ detail: picker.events.at(-1)!.detail as SpecPickerChange });
    expect(detail.data.skuId).toBe(skuOf(['红色', 'M']));
    expect(await detail.onAddToCart()).toBe(true);
    expect(wx.toasts.at(-1)).toBe('已加入购物车');

    const cart = mount(cartPage);
    await cart.onShow();
    expect(cart.data.lines.map((l) => [l.sku_id, l.quantity])).toEqual([[skuOf(['红色', 'M']), 2]]);
    expect(cart.data.totals).toMatchObject({ selectedCount: 2, itemsTotalText: '¥258.00', shippingText: '免运费', payableText: '¥258.00' });
    // One fewer: totals come back from the API with the change (PATCH sent as POST + override).
    await cart.onChangeQuantity(tap({ id: cart.data.lines[0]!.id, delta: -1 }));
    expect(cart.data.totals).toMatchObject({ selectedCount: 1, payableText: '¥129.00' });
    await cart.onCheckout();
    expect(lastUrl(wx)).toBe('/pages/checkout/index');

    const checkout = mount(checkoutPage);
    await checkout.onLoad(queryOf(lastUrl(wx)));
    expect(checkout.data.status).toBe('ready');
    expect(checkout.data.breakdown).toEqual({ itemsTotal: '¥129.00', adjustments: [], shipping: '免运费', payable: '¥129.00' });
    expect(checkout.data.address).toBeNull();
    await checkout.onSubmit();
    expect(wx.toasts.at(-1)).toBe('请选择收货地址');
    expect((await env.DB.prepare('SELECT count(*) AS n FROM orders').first<{ n: number }>())!.n).toBe(0);
    await addAndChooseAddress(wx, checkout);

    await checkout.onSubmit();
    const orderUrl = wx.navigations.at(-1)!;
    expect(orderUrl.kind).toBe('redirectTo');
    const orderId = queryOf(orderUrl.url).id!;
    expect(await orderRow(orderId)).toEqual({ status: 'paid', payable_fen: 12900 });

    const order = mount(orderDetailPage);
    await order.onLoad(queryOf(orderUrl.url));
    expect(order.data.view).toMatchObject({ statusText: '待发货', order: { status: 'paid', address: { recipient: '王五' } }, actions: { canPay: false, canRefund: true } });
    // The ordered cart line is gone; the order is in the list.
    await cart.onShow();
    expect(cart.data.status).toBe('empty');
    const orders = mount(ordersPage);
    orders.onLoad({});
    await orders.onShow();
    expect(orders.data.orders.map((o) => [o.id, o.statusText, o.payableText])).toEqual([[orderId, '待发货', '¥129.00']]);
  });

  it('buy now; the cashier closed, then paid from the order page; paid before the notification arrived', async () => {
    const wx = newShopper();
    const detail = mount(productPage);
    await detail.onLoad({ id: product.id });
    detail.onSpecChange({ detail: { skuId: skuOf(['黑色', 'M']), quantity: 1 } });
    await detail.onBuyNow();
    const checkout = mount(checkoutPage);
    await checkout.onLoad(queryOf(lastUrl(wx)));
    expect(checkout.data.breakdown).toMatchObject({ itemsTotal: '¥139.00', payable: '¥139.00' });
    await addAndChooseAddress(wx, checkout);

    wx.cashier = 'cancel';
    await checkout.onSubmit();
    expect(wx.toasts.at(-1)).toBe('已取消支付，可在订单中继续支付');
    const order = mount(orderDetailPage);
    await order.onLoad(queryOf(lastUrl(wx)));
    expect(order.data.view).toMatchObject({ statusText: '待付款', actions: { canPay: true, canCancel: true } });

    // Paid in the cashier, but WeChat Pay's notification has not come: the page asks the API to query.
    wx.cashier = 'pay_without_notification';
    expect(await order.onPay()).toBe(true);
    expect(order.data.view).toMatchObject({ statusText: '待发货', order: { status: 'paid' } });
    expect(wx.requests.some((r) => r.path === `/orders/${order.data.id}/pay/sync` && r.status === 200)).toBe(true);
  });

  it('order actions: cancel an unpaid order, confirm receipt, ask for a refund with a reason', async () => {
    const wx = newShopper();
    const place = async () => {
      const detail = mount(productPage);
      await detail.onLoad({ id: product.id });
      detail.onSpecChange({ detail: { skuId: skuOf(['红色', 'S']), quantity: 1 } });
      await detail.onBuyNow();
      const checkout = mount(checkoutPage);
      await checkout.onLoad(queryOf(lastUrl(wx)));
      if (!checkout.data.address) await addAndChooseAddress(wx, checkout);
      await checkout.onSubmit();
      const order = mount(orderDetailPage);
      await order.onLoad(queryOf(lastUrl(wx)));
      return order;
    };

    wx.cashier = 'cancel';
    const unpaid = await place();
    wx.dialog = { confirm: false, content: '' };
    expect(await unpaid.onCancel()).toBe(false);
    wx.dialog = { confirm: true, content: '' };
    expect(await unpaid.onCancel()).toBe(true);
    expect(unpaid.data.view).toMatchObject({ statusText: '已取消', actions: { canPay: false, canCancel: false } });

    wx.cashier = 'pay';
    const paid = await place();
    const ship = await api('POST', `/admin/api/orders/${paid.data.id}/ship`, { token: merchant, body: { carrier: '顺丰', tracking_no: 'SF1234567890' } });
    expect(ship.status).toBe(200);
    await paid.onLoad({ id: paid.data.id });
    expect(paid.data.view).toMatchObject({ statusText: '待收货', actions: { canConfirm: true } });
    expect(await paid.onConfirm()).toBe(true);
    expect(paid.data.view).toMatchObject({ statusText: '已完成' });

    // An empty reason is refused on the phone; a reason goes to the API.
    wx.dialog = { confirm: true, content: '  ' };
    expect(await paid.onRefund()).toBe(false);
    expect(wx.toasts.at(-1)).toBe('请填写退款原因');
    wx.dialog = { confirm: true, content: '尺码不合适' };
    expect(await paid.onRefund()).toBe(true);
    expect(paid.data.view).toMatchObject({ statusText: '退款申请中' });
    const refunds = (await json(api('GET', `/admin/api/orders/${paid.data.id}`, { token: merchant }))).refunds;
    expect(refunds).toMatchObject([{ reason: '尺码不合适', amount_fen: 12900 }]);
  });
});
