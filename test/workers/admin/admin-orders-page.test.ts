// The admin page's orders: list and status filter, detail, shipping and refund decisions through
// forms that either apply completely or write nothing, roles, same-origin POSTs and escaping.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MerchantRole } from '../../../src/db/merchants';
import {
  adminFormPost as post,
  adminPage as page,
  adminSession,
  api,
  BASE,
  createCategory,
  createProduct,
  json,
  placeOrder,
  shippingAddress,
  shopperWithAddress,
  tokenFor,
} from '../../fixtures/helpers';

type Order = { id: string; order_no: string; status: string; payable_fen: number };

let operatorToken: string;
let shopper: { id: string; token: string };
let skuId: string;
const sessions = {} as Record<MerchantRole, string>;

beforeAll(async () => {
  operatorToken = (await tokenFor('operator')).token;
  const categoryId = await createCategory(operatorToken, '订单页');
  const product = await createProduct(operatorToken, categoryId, {
    title: '<script>alert(1)</script> 连衣裙',
    specs: [],
    skus: [{ spec_values: [], price_fen: 12900, original_price_fen: 19900, stock: 1000 }],
  });
  skuId = product.skus[0].id;
  shopper = await shopperWithAddress();
  await env.DB.prepare('UPDATE users SET phone = ? WHERE id = ?').bind('13812345678', shopper.id).run();
  for (const role of ['owner', 'operator', 'viewer'] as const) sessions[role] = (await adminSession(role)).cookie;
});

async function newOrder(quantity = 1): Promise<Order> {
  const res = await placeOrder(shopper.token, { items: [{ sku_id: skuId, quantity }], note: '<b>请尽快</b>' });
  if (res.status !== 201) throw new Error(`order: ${res.status} ${await res.text()}`);
  return json(res);
}

/** Paying goes through WeChat Pay; for these fixtures the order is simply marked paid in D1. */
async function paidOrder(quantity = 1): Promise<Order> {
  const order = await newOrder(quantity);
  await env.DB.prepare("UPDATE orders SET status = 'paid', paid_at = ? WHERE id = ?").bind(Date.now(), order.id).run();
  return { ...order, status: 'paid' };
}

/** A paid order whose shopper asked for the money back through the JSON API. */
async function refundRequestedOrder(): Promise<Order> {
  const order = await paidOrder();
  const res = await api('POST', `/orders/${order.id}/refund`, { token: shopper.token, body: { reason: '不想要了' } });
  expect(res.status).toBe(201);
  return { ...order, status: 'refund_requested' };
}

/** Everything an order action could write: "nothing written" compares two of these. */
async function orderState(orderId: string) {
  const all = async (sql: string) => (await env.DB.prepare(sql).bind(orderId).all()).results;
  return {
    order: await all('SELECT status, carrier, tracking_no, shipped_at, refunded_fen, updated_at FROM orders WHERE id = ?'),
    events: await all('SELECT id FROM order_events WHERE order_id = ? ORDER BY id'),
    refunds: await all('SELECT id, status, decided_by, decision_note, updated_at FROM refunds WHERE order_id = ? ORDER BY id'),
    outbox: await all('SELECT kind, subject_id FROM outbox WHERE subject_id IN (SELECT id FROM refunds WHERE order_id = ?) ORDER BY id'),
  };
}

const statusOf = async (orderId: string) => (await env.DB.prepare('SELECT status FROM orders WHERE id = ?').bind(orderId).first<{ status: string }>())!.status;

describe('order list', () => {
  it('shows orders with Chinese status, yuan amounts, item count and first item, behind the nav link', async () => {
    const order = await newOrder(2);
    const res = await page('/admin/orders', { cookie: sessions.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<a href="/admin/orders">订单</a>');
    expect(html).toContain('<a href="/admin/products">商品</a>');
    const row = html.slice(html.indexOf(`href="/admin/orders/${order.id}"`));
    expect(row).toMatch(new RegExp(`^href="/admin/orders/${order.id}">${order.order_no}</a></td><td>待付款</td><td class="num">¥258.00</td><td class="num">2</td>`));
    expect(row).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 连衣裙');
    expect(html).not.toContain('<script>');
    // Every status is offered in the filter.
    for (const label of ['待付款', '待发货', '已发货', '已完成', '已取消', '退款申请中', '退款中', '已退款', '部分退款', '退款已拒绝']) {
      expect(html).toContain(`>${label}</option>`);
    }
    expect(html).toContain('<option value="" selected="">全部状态</option>');
  });

  it('filters by status', async () => {
    const pending = await newOrder();
    const paid = await paidOrder();
    const paidList = await (await page('/admin/orders?status=paid', { cookie: sessions.viewer })).text();
    expect(paidList).toContain(`href="/admin/orders/${paid.id}"`);
    expect(paidList).not.toContain(`href="/admin/orders/${pending.id}"`);
    expect(paidList).toContain('<option value="paid" selected="">待发货</option>');
    const pendingList = await (await page('/admin/orders?status=pending_payment', { cookie: sessions.viewer })).text();
    expect(pendingList).toContain(`href="/admin/orders/${pending.id}"`);
    expect(pendingList).not.toContain(`href="/admin/orders/${paid.id}"`);
    expect(await (await page('/admin/orders?status=refunded', { cookie: sessions.viewer })).text()).toContain('没有找到订单');

    const bad = await page('/admin/orders?status=lost', { cookie: sessions.viewer });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('Content-Type')).toContain('text/html');
    expect((await page('/admin/orders?cursor=garbage', { cookie: sessions.viewer })).status).toBe(400);
  });

  it('pages through every order with a next-page link that keeps the filter', async () => {
    for (let i = 0; i < 21; i++) await newOrder();
    const total = (await env.DB.prepare('SELECT count(*) AS n FROM orders').first<{ n: number }>())!.n;
    expect(total).toBeGreaterThan(20);
    let path: string | null = '/admin/orders?status=';
    const seen = new Set<string>();
    while (path) {
      const html = await (await page(path, { cookie: sessions.viewer })).text();
      for (const [, id] of html.matchAll(/href="\/admin\/orders\/(ord_\w+)"/g)) seen.add(id!);
      path = /href="(\/admin\/orders\?[^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;
      if (path) expect(path).toMatch(/^\/admin\/orders\?status=&cursor=/);
    }
    expect(seen.size).toBe(total);
  });

  it('sends visitors without a session to the login form', async () => {
    for (const path of ['/admin/orders', '/admin/orders/ord_nothing']) {
      const res = await page(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('Location')).toBe('/admin/login');
    }
  });
});

describe('order detail', () => {
  it('shows items, amounts, address, masked buyer phone, note and the event history, escaped', async () => {
    const order = await paidOrder(2);
    const res = await page(`/admin/orders/${order.id}`, { cookie: sessions.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain(`<title>订单 ${order.order_no} · 商家后台</title>`);
    expect(html).toContain('状态：待发货');
    expect(html).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt; 连衣裙</td><td>默认</td><td class="num">¥129.00</td><td class="num">2</td><td class="num">¥258.00</td>');
    expect(html).toContain('<dt>实付</dt><dd>¥258.00</dd>');
    for (const part of [shippingAddress.recipient, shippingAddress.phone, '浙江省 杭州市 西湖区', shippingAddress.detail, '138****5678', '测试买家']) {
      expect(html).toContain(part);
    }
    expect(html).not.toContain('13812345678');
    expect(html).toContain('&lt;b&gt;请尽快&lt;/b&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    // The creation event (from nothing) with the shopper as actor.
    expect(html).toMatch(/<td>— → 待付款<\/td><td>买家<\/td><td><\/td><td>\d{4}\/\d{1,2}\/\d{1,2} \d{2}:\d{2}:\d{2}<\/td>/);
    // Viewers read, but get no forms.
    expect(html).not.toContain(`action="/admin/orders/${order.id}`);
    expect(html).not.toContain('<input');
  });

  it('shows operators only the forms the state machine allows', async () => {
    const pending = await newOrder();
    const paid = await paidOrder();
    const refunding = await refundRequestedOrder();
    const forms = async (id: string) => [...(await (await page(`/admin/orders/${id}`, { cookie: sessions.operator })).text()).matchAll(/action="\/admin\/orders\/\w+\/([\w/]+)"/g)].map((m) => m[1]);
    expect(await forms(pending.id)).toEqual([]);
    expect(await forms(paid.id)).toEqual(['ship']);
    expect(await forms(refunding.id)).toEqual(['refund/approve', 'refund/reject']);
  });

  it('renders a missing order as a 404 page and a bad id as a 400 page', async () => {
    const missing = await page('/admin/orders/ord_doesnotexist', { cookie: sessions.viewer });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('Content-Type')).toContain('text/html');
    expect(await missing.text()).toContain('没有找到这个订单。');
    expect((await page('/admin/orders/not-an-id', { cookie: sessions.viewer })).status).toBe(400);
    expect((await page('/admin/orders/ord_doesnotexist?done=whatever', { cookie: sessions.viewer })).status).toBe(400);
  });
});

describe('shipping', () => {
  it('ships a paid order and shows the notice, the tracking number and the new event', async () => {
    const order = await paidOrder();
    const res = await post(`/admin/orders/${order.id}/ship`, { carrier: ' 顺丰速运 ', tracking_no: 'SF1234567890' }, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/admin/orders/${order.id}?done=shipped`);
    const stored = await env.DB.prepare('SELECT status, carrier, tracking_no, shipped_at FROM orders WHERE id = ?').bind(order.id).first();
    expect(stored).toMatchObject({ status: 'shipped', carrier: '顺丰速运', tracking_no: 'SF1234567890', shipped_at: expect.any(Number) });

    const html = await (await page(`/admin/orders/${order.id}?done=shipped`, { cookie: sessions.operator })).text();
    expect(html).toContain('已发货。');
    expect(html).toContain('<dd>SF1234567890</dd>');
    expect(html).toMatch(/<td>待发货 → 已发货<\/td><td>商家<\/td>/);
    expect(html).not.toContain(`action="/admin/orders/${order.id}/ship"`);
  });

  it('refuses to ship an unpaid order with a 409 page and changes nothing', async () => {
    const order = await newOrder();
    const before = await orderState(order.id);
    const res = await post(`/admin/orders/${order.id}/ship`, { carrier: '顺丰', tracking_no: 'SF1' }, { cookie: sessions.owner });
    expect(res.status).toBe(409);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain('订单现在的状态不能这样操作');
    expect(await orderState(order.id)).toEqual(before);
  });

  it.each([
    [{ carrier: '顺丰', tracking_no: 'SF 123' }, 'tracking_no'],
    [{ carrier: '顺丰', tracking_no: '<script>' }, 'tracking_no'],
    [{ carrier: '顺丰', tracking_no: 'A'.repeat(41) }, 'tracking_no'],
    [{ carrier: '顺丰', tracking_no: '' }, 'tracking_no'],
    [{ carrier: '  ', tracking_no: 'SF123' }, 'carrier'],
    [{ tracking_no: 'SF123' }, 'carrier'],
  ])('refuses %o with a 400 naming %s, keeps the input, and changes nothing', async (fields, field) => {
    const order = await paidOrder();
    const before = await orderState(order.id);
    const res = await post(`/admin/orders/${order.id}/ship`, fields as Record<string, string>, { cookie: sessions.operator });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(new RegExp(`name="${field}" value="[^"]*" aria-label="[^"]+" aria-invalid="true"/><span class="field-error">`));
    if (fields.tracking_no) expect(html).toContain(`value="${fields.tracking_no.replace('<', '&lt;').replace('>', '&gt;')}"`);
    expect(html).not.toContain('<script>');
    expect(await orderState(order.id)).toEqual(before);
  });
});

describe('refund decisions', () => {
  it('approves a requested refund: the order is refunding and the WeChat refund is in the outbox', async () => {
    const order = await refundRequestedOrder();
    const detail = await (await page(`/admin/orders/${order.id}`, { cookie: sessions.operator })).text();
    expect(detail).toContain('状态：退款申请中');
    expect(detail).toContain('<td class="num">¥129.00</td><td>不想要了</td><td>待处理</td>');

    const res = await post(`/admin/orders/${order.id}/refund/approve`, { note: '同意' }, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/admin/orders/${order.id}?done=refund_approved`);
    expect(await statusOf(order.id)).toBe('refunding');
    const refund = await env.DB.prepare('SELECT id, status, decision_note FROM refunds WHERE order_id = ?').bind(order.id).first<{ id: string }>();
    expect(refund).toMatchObject({ status: 'processing', decision_note: '同意' });
    const outbox = await env.DB.prepare('SELECT kind, status FROM outbox WHERE subject_id = ?').bind(refund!.id).all();
    expect(outbox.results).toEqual([{ kind: 'submit_refund', status: 'pending' }]);

    const html = await (await page(`/admin/orders/${order.id}?done=refund_approved`, { cookie: sessions.operator })).text();
    expect(html).toContain('已同意退款');
    expect(html).toMatch(/<td>退款申请中 → 退款中<\/td><td>商家<\/td><td>同意<\/td>/);
    expect(html).not.toContain('/refund/approve');
  });

  it('approves without a note', async () => {
    const order = await refundRequestedOrder();
    expect((await post(`/admin/orders/${order.id}/refund/approve`, {}, { cookie: sessions.owner })).status).toBe(303);
    expect(await statusOf(order.id)).toBe('refunding');
  });

  it('rejects a requested refund with a note, and writes no outbox row', async () => {
    const order = await refundRequestedOrder();
    const res = await post(`/admin/orders/${order.id}/refund/reject`, { note: '商品已拆封 <b>不退</b>' }, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/admin/orders/${order.id}?done=refund_rejected`);
    expect(await statusOf(order.id)).toBe('refund_rejected');
    const state = await orderState(order.id);
    expect(state.refunds).toEqual([expect.objectContaining({ status: 'rejected', decision_note: '商品已拆封 <b>不退</b>' })]);
    expect(state.outbox).toEqual([]);
    const html = await (await page(`/admin/orders/${order.id}?done=refund_rejected`, { cookie: sessions.viewer })).text();
    expect(html).toContain('已拒绝退款。');
    expect(html).toContain('商品已拆封 &lt;b&gt;不退&lt;/b&gt;');
    expect(html).toContain('状态：退款已拒绝');
  });

  it('refuses a rejection without a note, or a note that is too long, with a 400 and changes nothing', async () => {
    const order = await refundRequestedOrder();
    const before = await orderState(order.id);
    for (const fields of [{}, { note: '   ' }, { note: '长'.repeat(201) }] as Record<string, string>[]) {
      const res = await post(`/admin/orders/${order.id}/refund/reject`, fields, { cookie: sessions.operator });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('class="field-error"');
    }
    expect((await post(`/admin/orders/${order.id}/refund/approve`, { note: '长'.repeat(201) }, { cookie: sessions.operator })).status).toBe(400);
    expect(await orderState(order.id)).toEqual(before);
  });

  it('refuses a second decision on the same request with an error page', async () => {
    const order = await refundRequestedOrder();
    expect((await post(`/admin/orders/${order.id}/refund/reject`, { note: '不退' }, { cookie: sessions.operator })).status).toBe(303);
    const before = await orderState(order.id);
    // No open request any more: decideRefund answers 404 (no open request) before the state machine's 409.
    const again = await post(`/admin/orders/${order.id}/refund/approve`, {}, { cookie: sessions.operator });
    expect([404, 409]).toContain(again.status);
    expect(again.headers.get('Content-Type')).toContain('text/html');
    expect(await orderState(order.id)).toEqual(before);
  });
});

describe('who may act', () => {
  it('refuses every POST from a viewer with a 403 page and writes nothing', async () => {
    const paid = await paidOrder();
    const requested = await refundRequestedOrder();
    const attempts = [
      [paid.id, 'ship', { carrier: '顺丰', tracking_no: 'SF123' }],
      [requested.id, 'refund/approve', { note: '同意' }],
      [requested.id, 'refund/reject', { note: '不退' }],
    ] as const;
    const before = [await orderState(paid.id), await orderState(requested.id)];
    for (const [id, action, fields] of attempts) {
      const res = await post(`/admin/orders/${id}/${action}`, fields, { cookie: sessions.viewer });
      expect(res.status, action).toBe(403);
      expect(res.headers.get('Content-Type')).toContain('text/html');
    }
    expect([await orderState(paid.id), await orderState(requested.id)]).toEqual(before);
  });

  it('refuses POSTs from another origin, or with no Origin, and writes nothing', async () => {
    const paid = await paidOrder();
    const requested = await refundRequestedOrder();
    const before = [await orderState(paid.id), await orderState(requested.id)];
    const attempts: Record<string, string>[] = [{ Origin: 'https://evil.test' }, { Origin: 'null', Referer: `${BASE}/admin/orders` }, { Referer: 'https://evil.test/' }, {}];
    for (const headers of attempts) {
      for (const [id, action, fields] of [
        [paid.id, 'ship', { carrier: '顺丰', tracking_no: 'SF123' }],
        [requested.id, 'refund/approve', {}],
        [requested.id, 'refund/reject', { note: '不退' }],
      ] as const) {
        const res = await SELF.fetch(`${BASE}/admin/orders/${id}/${action}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: sessions.owner, ...headers },
          body: new URLSearchParams(fields),
        });
        expect(res.status, `${action} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    expect([await orderState(paid.id), await orderState(requested.id)]).toEqual(before);
  });

  it('keeps the JSON API answering JSON for the same orders', async () => {
    const order = await newOrder();
    const res = await api('GET', `/admin/api/orders/${order.id}`, { token: operatorToken });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('application/json');
  });
});
