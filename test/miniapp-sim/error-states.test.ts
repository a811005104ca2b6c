// Every page shows loading, then its content, an empty state, or the error with a retry button;
// errors read as sentences, not codes.
import { describe, expect, it } from 'vitest';
import { flashSaleListPage } from '../../miniapp/miniprogram/marketing/flash-sale/list/page';
import { categoryPage } from '../../miniapp/miniprogram/pages/category/page';
import { homePage } from '../../miniapp/miniprogram/pages/home/page';
import { orderDetailPage } from '../../miniapp/miniprogram/pages/order-detail/page';
import { ordersPage } from '../../miniapp/miniprogram/pages/orders/page';
import { productPage } from '../../miniapp/miniprogram/pages/product/page';
import { product } from './fixtures';
import { find, render, shows, textOf } from './simulate';
import { answerRequests, apiError, ok, settled, type Answer } from './wx-request';

type Lifecycle = { onLoad?(query: Record<string, string>): unknown; onShow?(): unknown };

async function open(dir: string, definition: object, answer: (path: string) => Answer, query: Record<string, string> = {}) {
  const calls = answerRequests((_method, path) => answer(path));
  const page = render(dir, definition);
  const instance = page.instance as unknown as Lifecycle;
  expect(textOf(page, '.state-loading')).toBe('加载中…');
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
