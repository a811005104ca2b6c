// Every page shows loading, then its content, an empty state, or the error with a retry button;
// errors read as sentences, not codes.
import { describe, expect, it } from 'vitest';
import { bargainCampaignPage } from '../../../miniapp/miniprogram/marketing/bargain/campaign/page';
import { bargainListPage } from '../../../miniapp/miniprogram/marketing/bargain/list/page';
import { bargainSessionPage } from '../../../miniapp/miniprogram/marketing/bargain/session/page';
import { flashSaleDetailPage } from '../../../miniapp/miniprogram/marketing/flash-sale/detail/page';
import { flashSaleListPage } from '../../../miniapp/miniprogram/marketing/flash-sale/list/page';
import { groupBuyCampaignPage } from '../../../miniapp/miniprogram/marketing/group-buy/campaign/page';
import { groupBuyListPage } from '../../../miniapp/miniprogram/marketing/group-buy/list/page';
import { groupBuyRoomPage } from '../../../miniapp/miniprogram/marketing/group-buy/room/page';
import { addressEditPage } from '../../../miniapp/miniprogram/pages/address-edit/page';
import { addressesPage } from '../../../miniapp/miniprogram/pages/addresses/page';
import { cartPage } from '../../../miniapp/miniprogram/pages/cart/page';
import { checkoutPage } from '../../../miniapp/miniprogram/pages/checkout/page';
import { productListPage } from '../../../miniapp/miniprogram/pages/product-list/page';
import { profilePage } from '../../../miniapp/miniprogram/pages/profile/page';
import { searchPage } from '../../../miniapp/miniprogram/pages/search/page';
import { categoryPage } from '../../../miniapp/miniprogram/pages/category/page';
import { homePage } from '../../../miniapp/miniprogram/pages/home/page';
import { orderDetailPage } from '../../../miniapp/miniprogram/pages/order-detail/page';
import { ordersPage } from '../../../miniapp/miniprogram/pages/orders/page';
import { productPage } from '../../../miniapp/miniprogram/pages/product/page';
import { product } from './fixtures';
import { find, render, shows, textOf } from './simulate';
import { answerRequests, apiError, ok, settled, type Answer } from './wx-request';

type Lifecycle = { onLoad?(query: Record<string, string>): unknown; onShow?(): unknown };

async function open(dir: string, definition: object, answer: (path: string) => Answer, query: Record<string, string> = {}) {
  const calls = answerRequests((_method, path) => answer(path));
  const page = render(dir, definition);
  const instance = page.instance as unknown as Lifecycle;
  // Search shows the history until a search runs; every other page starts loading.
  expect(shows(page, '.state-loading')).toBe(dir !== 'pages/search');
  await instance.onLoad?.(query);
  await instance.onShow?.();
  await settled();
  return { page, calls };
}

const pages: [string, object, Record<string, string>][] = [
  ['pages/home', homePage, {}],
  ['pages/category', categoryPage, {}],
  ['pages/product', productPage, { id: 'prd_1' }],
  ['pages/orders', ordersPage, {}],
  ['pages/order-detail', orderDetailPage, { id: 'ord_1' }],
  ['marketing/flash-sale/list', flashSaleListPage, {}],
  ['pages/product-list', productListPage, { category_id: 'cat_1' }],
  ['pages/search', searchPage, { q: '连衣裙' }],
  ['pages/cart', cartPage, {}],
  ['pages/checkout', checkoutPage, {}],
  ['pages/profile', profilePage, {}],
  ['pages/addresses', addressesPage, {}],
  ['pages/address-edit', addressEditPage, { id: 'adr_1' }],
  ['marketing/flash-sale/detail', flashSaleDetailPage, { id: 'fls_1' }],
  ['marketing/group-buy/list', groupBuyListPage, {}],
  ['marketing/group-buy/campaign', groupBuyCampaignPage, { id: 'gbc_1' }],
  ['marketing/group-buy/room', groupBuyRoomPage, { id: 'grm_1' }],
  ['marketing/bargain/list', bargainListPage, {}],
  ['marketing/bargain/campaign', bargainCampaignPage, { id: 'bgn_1' }],
  ['marketing/bargain/session', bargainSessionPage, { id: 'bgs_1' }],
];

describe('page states', () => {
  it.each(pages)('%s: a failed load shows a readable error and a retry button', async (dir, definition, query) => {
    const { page } = await open(dir, definition, () => apiError(503, 'unavailable'), query);
    expect(textOf(page, '.error-message')).toBe('服务暂时不可用，请稍后重试');
    expect(shows(page, '.retry')).toBe(true);
    const offline = await open(dir, definition, () => 'offline', query);
    expect(textOf(offline.page, '.error-message')).toBe('网络不可用，请检查网络后重试');
  });

  it('product: an unknown id says the product is gone; retry loads it once it answers', async () => {
    let found = false;
    const { page, calls } = await open('pages/product', productPage, () => (found ? ok(product) : apiError(404, 'not_found')), { id: 'prd_1' });
    expect(textOf(page, '.error-message')).toBe('内容不存在或已下架');
    found = true;
    find(page, '.state-view >>> .retry').dispatchEvent('tap');
    await settled();
    expect(calls.filter((c) => c.path === '/products/prd_1')).toHaveLength(2);
    expect(textOf(page, '.product-title')).toBe(product.title);
    expect(shows(page, '.error-message')).toBe(false);
  });

  it('orders and flash sales: nothing to show is the empty state, not an error', async () => {
    const orders = await open('pages/orders', ordersPage, () => ok({ items: [], next_cursor: null }));
    expect(textOf(orders.page, '.state-empty')).toBe('还没有相关订单');
    const flash = await open('marketing/flash-sale/list', flashSaleListPage, () => ok({ items: [], server_time: new Date().toISOString() }));
    expect(textOf(flash.page, '.state-empty')).toBe('暂时没有秒杀活动');
  });
});
