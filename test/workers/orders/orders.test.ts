import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createCategory, createProduct, json, newIdempotencyKey, placeOrder, shopperToken, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

let merchant: string;
let categoryId: string;

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  categoryId = await createCategory(merchant, '下单');
});

const stockOf = async (skuId: string) => (await env.DB.prepare('SELECT stock FROM skus WHERE id = ?').bind(skuId).first<{ stock: number }>())!.stock;

describe('creating orders', () => {
  it('snapshots the lines, reserves stock, empties the ordered cart lines', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    const [red, redM] = product.skus;
    await api('POST', '/cart/items', { token: shopper.token, body: { sku_id: red.id, quantity: 2 } });
    await api('POST', '/cart/items', { token: shopper.token, body: { sku_id: redM.id, quantity: 1 } });
    await api('PATCH', `/cart/items/${(await json(api('GET', '/cart', { token: shopper.token }))).items[1].id}`, { token: shopper.token, body: { selected: false } });

    const res = await placeOrder(shopper.token, { note: '请尽快发货' });
    expect(res.status).toBe(201);
    const order = await json(res);
    expect(order).toMatchObject({ status: 'pending_payment', items_total_fen: 25800, shipping_fee_fen: 0, payable_fen: 25800, note: '请尽快发货' });
    expect(order.order_no).toMatch(/^\d{22}$/);
    expect(order.items).toEqual([expect.objectContaining({ sku_id: red.id, title: '法式复古碎花连衣裙', spec_values: ['红色', 'S'], unit_price_fen: 12900, quantity: 2 })]);
    expect(order.address).toMatchObject({ recipient: '王五', city: '杭州市' });
    expect(order.events).toEqual([expect.objectContaining({ from: null, to: 'pending_payment', actor: 'shopper' })]);
    expect(Date.parse(order.payment_deadline) - Date.parse(order.created_at)).toBe(15 * 60_000);
    expect(await stockOf(red.id)).toBe(3);
    // Only the ordered (selected) line left the cart.
    const cart = await json(api('GET', '/cart', { token: shopper.token }));
    expect(cart.items.map((i: { sku_id: string }) => i.sku_id)).toEqual([redM.id]);

    // The snapshot does not follow later catalog edits.
    await api('PATCH', `/admin/api/products/${product.id}`, { token: merchant, body: { title: '改过的标题' } });
    expect((await json(api('GET', `/orders/${order.id}`, { token: shopper.token }))).items[0].title).toBe('法式复古碎花连衣裙');
  });

  it('200 shoppers racing for 10 units: exactly 10 orders, stock 0, never negative', async () => {
    const product = await createProduct(merchant, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 990, original_price_fen: 1990, stock: 10 }] });
    const skuId = product.skus[0].id;
    const shoppers = await Promise.all(Array.from({ length: 200 }, () => shopperWithAddress()));
    const results = await Promise.all(shoppers.map((s) => placeOrder(s.token, { items: [{ sku_id: skuId, quantity: 1 }] }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 422).every((r) => r.body.error.code === 'insufficient_stock')).toBe(true);
    expect(results.filter((r) => r.status !== 201 && r.status !== 422)).toEqual([]);
    expect(await stockOf(skuId)).toBe(0);
    const orders = await env.DB.prepare('SELECT count(*) AS n FROM order_items WHERE sku_id = ?').bind(skuId).first<{ n: number }>();
    expect(orders!.n).toBe(10);
  });

  it('is idempotent: the same key and body give the same order; another body is a 422', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    const key = newIdempotencyKey();
    const body = { items: [{ sku_id: product.skus[1].id, quantity: 2 }] };
    const attempts = await Promise.all(Array.from({ length: 5 }, () => placeOrder(shopper.token, body, key)));
    const orders = await Promise.all(attempts.map((r) => r.json() as Promise<{ id: string }>));
    expect(attempts.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(orders.map((o) => o.id)).size).toBe(1);
    expect(await stockOf(product.skus[1].id)).toBe(18);
    const other = await placeOrder(shopper.token, { items: [{ sku_id: product.skus[1].id, quantity: 3 }] }, key);
    expect(other.status).toBe(422);
    expect((await json(other)).error.code).toBe('idempotency_key_reused');
  });

  it('answers a retried cart checkout from its order, not from the cart it emptied (issue 16.1)', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    const address = (await json(api('GET', '/me/addresses', { token: shopper.token }))).items[0];
    await api('POST', '/cart/items', { token: shopper.token, body: { sku_id: product.skus[1].id, quantity: 1 } });
    const key = newIdempotencyKey();
    const body = { address_id: address.id, note: '旅程订单' };
    const first = await placeOrder(shopper.token, body, key);
    expect(first.status).toBe(201);
    expect((await json(api('GET', '/cart', { token: shopper.token }))).items).toEqual([]);

    const retry = await placeOrder(shopper.token, body, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await json(retry)).id).toBe((await json(first)).id);
    const other = await placeOrder(shopper.token, { ...body, note: '另一个备注' }, key);
    expect(other.status).toBe(422);
    expect((await json(other)).error.code).toBe('idempotency_key_reused');
    expect(await stockOf(product.skus[1].id)).toBe(19);
  });

  it('refuses unavailable items, missing addresses and bad input, writing nothing', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    const count = async () => (await env.DB.prepare('SELECT count(*) AS n FROM orders').first<{ n: number }>())!.n;
    const before = await count();
    const outOfStock = await placeOrder(shopper.token, { items: [{ sku_id: product.skus[2].id, quantity: 1 }] });
    expect(outOfStock.status).toBe(422);
    const noAddress = await shopperToken();
    const addressless = await placeOrder(noAddress.token, { items: [{ sku_id: product.skus[1].id, quantity: 1 }] });
    expect((await json(addressless)).error.code).toBe('address_required');
    const stranger = await shopperWithAddress();
    const strangerAddress = (await json(api('GET', '/me/addresses', { token: stranger.token }))).items[0].id;
    expect((await placeOrder(shopper.token, { items: [{ sku_id: product.skus[1].id, quantity: 1 }], address_id: strangerAddress })).status).toBe(404);
    const noKey = await api('POST', '/orders', { token: shopper.token, body: { items: [{ sku_id: product.skus[1].id, quantity: 1 }] } });
    expect(noKey.status).toBe(400);
    expect((await json(noKey)).error.details[0].path).toBe('header.idempotency-key');
    expect((await placeOrder(shopper.token, { items: [{ sku_id: product.skus[1].id, quantity: -1 }] })).status).toBe(400);
    expect((await placeOrder(shopper.token, { items: [] })).status).toBe(400);
    expect(await count()).toBe(before);
    expect(await stockOf(product.skus[1].id)).toBe(20);
  });
});

describe('reading orders', () => {
  it('lists a shopper’s own orders newest first, filtered by status, with cursors', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await json(placeOrder(shopper.token, { items: [{ sku_id: product.skus[1].id, quantity: 1 }] }))).id);
    const first = await json(api('GET', '/orders?limit=2', { token: shopper.token }));
    const second = await json(api('GET', `/orders?limit=2&cursor=${first.next_cursor}`, { token: shopper.token }));
    expect([...first.items, ...second.items].map((o: { id: string }) => o.id).sort()).toEqual([...ids].sort());
    expect(second.next_cursor).toBeNull();
    expect((await json(api('GET', '/orders?status=paid', { token: shopper.token }))).items).toEqual([]);
    expect((await api('GET', '/orders?status=lost', { token: shopper.token })).status).toBe(400);
  });

  it('never shows one shopper another’s order (404 everywhere)', async () => {
    const product = await createProduct(merchant, categoryId);
    const owner = await shopperWithAddress();
    const other = await shopperWithAddress();
    const order = await json(placeOrder(owner.token, { items: [{ sku_id: product.skus[1].id, quantity: 1 }] }));
    for (const [method, path, body] of [
      ['GET', `/orders/${order.id}`, undefined],
      ['POST', `/orders/${order.id}/confirm`, undefined],
      ['POST', `/orders/${order.id}/refund`, { reason: '不想要了' }],
    ] as const) {
      expect((await api(method, path, { token: other.token, body })).status, `${method} ${path}`).toBe(404);
    }
    expect((await json(api('GET', '/orders', { token: other.token }))).items).toEqual([]);
    expect((await api('GET', `/orders/${order.id}`)).status).toBe(401);
  });

  it('merchants see every order with the buyer’s phone masked', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    await env.DB.prepare('UPDATE users SET phone = ? WHERE id = ?').bind('+8613812345678', shopper.id).run();
    const order = await json(placeOrder(shopper.token, { items: [{ sku_id: product.skus[1].id, quantity: 1 }] }));
    const viewer = (await tokenFor('viewer')).token;
    const seen = await json(api('GET', `/admin/api/orders/${order.id}`, { token: viewer }));
    expect(seen.buyer.phone).toBe('138****5678');
    const list = await json(api('GET', '/admin/api/orders?status=pending_payment&limit=50', { token: viewer }));
    expect(list.items.map((o: { id: string }) => o.id)).toContain(order.id);
    expect((await api('GET', '/admin/api/orders')).status).toBe(401);
  });
});

describe('illegal transitions', () => {
  it('cannot confirm, ship or refund an unpaid order (409)', async () => {
    const product = await createProduct(merchant, categoryId);
    const shopper = await shopperWithAddress();
    const order = await json(placeOrder(shopper.token, { items: [{ sku_id: product.skus[1].id, quantity: 1 }] }));
    expect((await api('POST', `/orders/${order.id}/refund`, { token: shopper.token, body: { reason: '不想要了' } })).status).toBe(409);
    const ship = await api('POST', `/admin/api/orders/${order.id}/ship`, { token: merchant, body: { carrier: '顺丰', tracking_no: 'SF123' } });
    expect(ship.status).toBe(409);
    expect((await json(ship)).error.code).toBe('illegal_transition');
    expect((await api('POST', `/orders/${order.id}/confirm`, { token: shopper.token })).status).toBe(409);
  });
});
