// The mini-program's flash-sale pages against the real worker: the home strip and the list count
// down on the server's clock, the detail shows live remaining units, "抢购" holds a unit, creates
// the order at the flash price and pays it through the fake WeChat Pay; a sold-out sale says so.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { flashSaleDetailPage } from '../../../miniapp/miniprogram/marketing/flash-sale/detail/page';
import { flashSaleListPage } from '../../../miniapp/miniprogram/marketing/flash-sale/list/page';
import { homePage } from '../../../miniapp/miniprogram/pages/home/page';
import { api, createCategory, createProduct, shippingAddress, tokenFor } from '../../fixtures/helpers';
import { mount, queryOf, tap } from '../support/page-host';
import { installWx } from '../support/wx-stand-in';
import { meApi } from '../../../miniapp/miniprogram/lib/api';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '秒杀专区');
});

async function liveFlashSale(stock: number) {
  const product = await createProduct(merchant, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 19900, original_price_fen: 29900, stock: stock + 10 }] });
  const res = await api('POST', '/admin/api/flash-sales', {
    token: merchant,
    body: {
      title: '整点秒杀',
      starts_at: new Date(Date.now() - 60_000).toISOString(),
      ends_at: new Date(Date.now() + 3_600_000).toISOString(),
      per_user_limit: 1,
      per_order_limit: 1,
      shard_count: 1,
      items: [{ sku_id: product.skus[0].id, flash_price_fen: 990, flash_stock: stock }],
    },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; items: { id: string }[] };
}

let counter = 0;
async function shopperWithAddress() {
  const wx = installWx({ openid: `oMiniFlash${Date.now()}${++counter}` });
  await meApi.createAddress(shippingAddress);
  return wx;
}

describe('mini-program: flash sale', () => {
  it('home strip → list → detail → 抢购 → paid at the flash price; the next buyer finds it sold out', async () => {
    const campaign = await liveFlashSale(1);
    const wx = await shopperWithAddress();
    const home = mount(homePage);
    await home.onLoad();
    expect(home.data.flash).toMatchObject({ campaign: { id: campaign.id, countdownLabel: '距结束 ', countdownTarget: expect.any(String) }, serverTime: expect.any(String) });
    await home.onTapFlashSale();
    expect(wx.navigations.at(-1)!.url).toBe(`/marketing/flash-sale/detail/index?id=${campaign.id}`);

    const list = mount(flashSaleListPage);
    await list.onLoad();
    expect(list.data.campaigns.map((c) => [c.id, c.state])).toContainEqual([campaign.id, 'live']);

    const detail = mount(flashSaleDetailPage);
    await detail.onLoad(queryOf(wx.navigations.at(-1)!.url));
    expect(detail.data.items).toMatchObject([{ remaining: 1, priceText: '¥9.90', originalText: '¥199.00', soldOut: false }]);
    expect(await detail.onBuy(tap({ id: detail.data.items[0]!.item_id }))).toBe(true);
    const orderId = queryOf(wx.navigations.at(-1)!.url).id!;
    const order = await env.DB.prepare('SELECT status, items_total_fen, payable_fen, source FROM orders WHERE id = ?').bind(orderId).first();
    // The flash price plus the shop's flat shipping fee (¥8 below ¥99).
    expect(order).toEqual({ status: 'paid', items_total_fen: 990, payable_fen: 1790, source: 'flash_sale' });

    const other = await shopperWithAddress();
    const late = mount(flashSaleDetailPage);
    await late.onLoad({ id: campaign.id });
    // The detail is edge-cached for a second, so it may still show the unit: the stock object
    // refuses, and the refusal reads as a sentence.
    expect(await late.onBuy(tap({ id: late.data.items[0]!.item_id }))).toBe(false);
    expect(other.toasts.at(-1)).toBe('已抢光');
    expect(other.navigations).toEqual([]);
  });
});
