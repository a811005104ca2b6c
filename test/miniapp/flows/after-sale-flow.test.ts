// The mini-program's subscription prompts and after-sales request against the real worker and the
// fake WeChat: paying asks for the order messages (accepted at WeChat, reported to the API, and
// the "paid" message arrives); a shipped unit is asked back from the order page through the
// after-sales request page, whose tap asks for the decision and refund messages, and the request's
// own page shows it waiting for the merchant.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { afterSalesPage } from '../../../miniapp/miniprogram/after-sales/list/page';
import { afterSaleRequestPage } from '../../../miniapp/miniprogram/after-sales/request/page';
import { meApi } from '../../../miniapp/miniprogram/lib/api';
import { afterSalePage } from '../../../miniapp/miniprogram/pages/after-sale/page';
import { checkoutPage } from '../../../miniapp/miniprogram/pages/checkout/page';
import { orderDetailPage } from '../../../miniapp/miniprogram/pages/order-detail/page';
import { runScheduledWork } from '../../../src/services/scheduled';
import { fakeMessages } from '../../fakes/wechat-control';
import { api, createCategory, createProduct, shippingAddress, tokenFor } from '../../fixtures/helpers';
import { mount, queryOf, tap } from '../support/page-host';
import { installWx } from '../support/wx-stand-in';

const templates = {
  order_paid: 'TPL_ORDER_PAID',
  order_shipped: 'TPL_ORDER_SHIPPED',
  order_delivered: 'TPL_ORDER_DELIVERED',
  after_sale_decision: 'TPL_AFTER_SALE',
  refund_result: 'TPL_REFUND_RESULT',
};
let merchant: string;
let skuId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  const product = await createProduct(merchant, await createCategory(merchant, '售后'), {
    title: '羊毛围巾',
    specs: [],
    skus: [{ spec_values: [], price_fen: 9900, original_price_fen: 9900, stock: 50 }],
  });
  skuId = product.skus[0].id;
  expect((await api('PATCH', '/admin/api/fulfilment-settings', { token: merchant, body: { subscribe_templates: templates } })).status).toBe(200);
});

const allowances = async (openid: string) =>
  Object.fromEntries(
    (
      await env.DB.prepare('SELECT a.template_key AS k, a.remaining AS n FROM subscription_allowances a JOIN users u ON u.id = a.user_id WHERE u.openid = ?')
        .bind(openid)
        .all<{ k: string; n: number }>()
    ).results.map((r) => [r.k, r.n]),
  );

describe('mini-program: subscription prompts and after-sales', () => {
  it('pay → the order messages are asked for and "paid" arrives; a shipped unit asked back through the request page', async () => {
    const wx = installWx({ openid: `oAfterSaleFlow${Date.now()}` });
    await meApi.createAddress({ ...shippingAddress, is_default: true });
    const checkout = mount(checkoutPage);
    await checkout.onLoad({ sku_id: skuId, quantity: '2' });
    await checkout.onSubmit();
    // The submit tap asked first, before it placed the order: WeChat refuses a prompt that follows a request's answer.
    expect(wx.requestsBeforePrompt[0]!.filter((r) => r.method === 'POST' && r.path.startsWith('/orders'))).toEqual([]);
    const orderUrl = wx.navigations.at(-1)!;
    expect(orderUrl.kind).toBe('redirectTo');
    const orderId = queryOf(orderUrl.url).id!;

    // The pay tap asked for the three order messages; WeChat and the API both know them now.
    expect(wx.prompts).toEqual([['TPL_ORDER_PAID', 'TPL_ORDER_SHIPPED', 'TPL_ORDER_DELIVERED']]);
    expect(await allowances(wx.openid)).toEqual({ order_paid: 1, order_shipped: 1, order_delivered: 1 });
    await runScheduledWork({ ...env, WORK_QUEUE: undefined }, { now: () => Date.now() + 1000 });
    expect((await fakeMessages(wx.openid)).map((m) => m.template_id)).toEqual(['TPL_ORDER_PAID']);

    // One of the two scarves ships; the shopper asks for it to be taken back.
    const order = mount(orderDetailPage);
    await order.onLoad({ id: orderId });
    const itemId = order.data.view!.order.items[0]!.id;
    const shipped = await api('POST', `/admin/api/orders/${orderId}/shipments`, { token: merchant, body: { carrier: 'SF', tracking_no: 'SFAFTER1', lines: [{ order_item_id: itemId, quantity: 1 }] } });
    expect(shipped.status).toBe(201);
    await order.onAfterSale();
    expect(wx.navigations.at(-1)!.url).toBe(`/after-sales/request/index?id=${orderId}`);

    const request = mount(afterSaleRequestPage);
    await request.onLoad(queryOf(wx.navigations.at(-1)!.url));
    expect(request.data.status).toBe('ready');
    expect(request.data.types.map((t) => t.value)).toEqual(['refund_only', 'return_refund', 'exchange']);
    request.onType(tap({ type: 'return_refund' }));
    request.onQuantity(tap({ id: itemId, step: 1 }));
    request.onQuantity(tap({ id: itemId, step: 1 }));
    expect(request.data.lines[0]!.quantity).toBe(1); // one shipped, one back at most
    request.onReason({ detail: { value: 2 } } as never);
    request.onDescription({ detail: { value: '颜色与图片不一致' } } as never);
    expect(await request.onSubmit()).toBe(true);
    expect(wx.prompts.at(-1)).toEqual(['TPL_AFTER_SALE', 'TPL_REFUND_RESULT']);
    const afterSaleUrl = wx.navigations.at(-1)!;
    expect(afterSaleUrl.kind).toBe('redirectTo');

    const status = mount(afterSalePage);
    await status.onLoad(queryOf(afterSaleUrl.url));
    expect(status.data.view).toMatchObject({
      statusText: '等待商家处理',
      afterSale: { type: 'return_refund', reason: '商品与描述不符', description: '颜色与图片不一致', lines: [{ order_item_id: itemId, quantity: 1 }] },
    });
    expect(await allowances(wx.openid)).toMatchObject({ after_sale_decision: 1, refund_result: 1 });

    // 我的售后 lists it; a tap opens it.
    const list = mount(afterSalesPage);
    await list.onShow();
    expect(list.data.afterSales.map((a) => [a.typeText, a.statusText, a.summary])).toEqual([['退货退款', '等待商家处理', '羊毛围巾×1']]);
    await list.onTapAfterSale(tap({ id: list.data.afterSales[0]!.id }));
    expect(wx.navigations.at(-1)!.url).toBe(afterSaleUrl.url);
  });
});
