import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, createCategory, createProduct, json, shopperToken, tokenFor } from '../../fixtures/helpers';

const address = (patch: Record<string, unknown> = {}) => ({
  recipient: '张三',
  phone: '13800000000',
  province: '上海市',
  city: '上海市',
  district: '浦东新区',
  detail: '世纪大道 100 号 8 楼',
  ...patch,
});

let merchant: string;
let product: { id: string; skus: { id: string; stock: number }[] };

beforeAll(async () => {
  merchant = (await tokenFor('owner')).token;
  product = await createProduct(merchant, await createCategory(merchant, '购物车'));
});

describe('addresses', () => {
  it('keeps exactly one default: the first address, then whichever is chosen', async () => {
    const { token } = await shopperToken();
    const first = await json(api('POST', '/me/addresses', { token, body: address() }));
    expect(first.is_default).toBe(true);
    const second = await json(api('POST', '/me/addresses', { token, body: address({ recipient: '李四', is_default: true }) }));
    expect(second.is_default).toBe(true);
    let list = await json(api('GET', '/me/addresses', { token }));
    expect(list.items.map((a: { recipient: string; is_default: boolean }) => [a.recipient, a.is_default])).toEqual([
      ['李四', true],
      ['张三', false],
    ]);
    await api('PATCH', `/me/addresses/${first.id}`, { token, body: { is_default: true, detail: '新地址 1 号' } });
    list = await json(api('GET', '/me/addresses', { token }));
    expect(list.items.filter((a: { is_default: boolean }) => a.is_default).map((a: { id: string }) => a.id)).toEqual([first.id]);
    expect((await api('DELETE', `/me/addresses/${first.id}`, { token })).status).toBe(204);
    list = await json(api('GET', '/me/addresses', { token }));
    expect(list.items).toMatchObject([{ id: second.id, is_default: true }]);
  });

  it('hides one shopper’s addresses from another (404 on read, change and delete)', async () => {
    const owner = await shopperToken();
    const other = await shopperToken();
    const created = await json(api('POST', '/me/addresses', { token: owner.token, body: address() }));
    expect((await api('GET', `/me/addresses/${created.id}`, { token: other.token })).status).toBe(404);
    expect((await api('PATCH', `/me/addresses/${created.id}`, { token: other.token, body: { detail: '劫持' } })).status).toBe(404);
    expect((await api('DELETE', `/me/addresses/${created.id}`, { token: other.token })).status).toBe(404);
    expect((await json(api('GET', '/me/addresses', { token: other.token }))).items).toEqual([]);
    expect((await json(api('GET', `/me/addresses/${created.id}`, { token: owner.token }))).detail).toBe('世纪大道 100 号 8 楼');
  });

  it('refuses bad addresses with field paths and writes nothing', async () => {
    const { token, id } = await shopperToken();
    for (const [patch, path] of [
      [{ phone: '12345' }, 'body.phone'],
      [{ recipient: '' }, 'body.recipient'],
      [{ detail: '长'.repeat(121) }, 'body.detail'],
      [{ postal_code: '2000' }, 'body.postal_code'],
      [{ extra: 1 }, 'body.extra'],
    ] as const) {
      const res = await api('POST', '/me/addresses', { token, body: address(patch) });
      expect(res.status).toBe(400);
      expect((await json(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const count = await env.DB.prepare('SELECT count(*) AS n FROM addresses WHERE user_id = ?').bind(id).first<{ n: number }>();
    expect(count!.n).toBe(0);
  });

  it('needs a shopper token (a merchant token is not one)', async () => {
    expect((await api('GET', '/me/addresses')).status).toBe(401);
    expect((await api('GET', '/me', { token: merchant })).status).toBe(401);
  });
});

describe('profile', () => {
  it('shows the owner their full phone number, in a response no cache may store', async () => {
    const { token, id } = await shopperToken();
    await env.DB.prepare('UPDATE users SET phone = ? WHERE id = ?').bind('+8613812345678', id).run();
    const res = await api('GET', '/me', { token });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(await json(res)).toMatchObject({ id, phone: '+8613812345678', member_level: 0 });
  });
});

describe('cart', () => {
  it('adds, merges, changes, selects and removes lines, with live prices and a summary', async () => {
    const { token } = await shopperToken();
    const [red, , black] = product.skus;
    await api('POST', '/cart/items', { token, body: { sku_id: red!.id, quantity: 1 } });
    let cart = await json(api('POST', '/cart/items', { token, body: { sku_id: red!.id, quantity: 2 } }));
    expect(cart.items).toHaveLength(1);
    expect(cart.items[0]).toMatchObject({ quantity: 3, price_fen: 12900, member_price_fen: 11900, selected: true, unavailable_reason: null });
    expect(cart.summary).toMatchObject({ selected_count: 3, items_total_fen: 38700, shipping_fee_fen: 0, payable_fen: 38700 });

    cart = await json(api('PATCH', `/cart/items/${cart.items[0].id}`, { token, body: { quantity: 1 } }));
    expect(cart.summary).toMatchObject({ items_total_fen: 12900, shipping_fee_fen: 0 });
    cart = await json(api('POST', '/cart/select', { token, body: { selected: false } }));
    expect(cart.summary).toMatchObject({ selected_count: 0, items_total_fen: 0, shipping_fee_fen: 0, payable_fen: 0 });
    // Out of stock lines stay in the cart, explained.
    cart = await json(api('POST', '/cart/items', { token, body: { sku_id: black!.id, quantity: 1 } }));
    expect(cart.items[1]).toMatchObject({ stock_status: 'out_of_stock', unavailable_reason: 'out_of_stock' });
    expect(cart.summary.selected_count).toBe(0);
    cart = await json(api('DELETE', `/cart/items/${cart.items[1].id}`, { token }));
    expect(cart.items).toHaveLength(1);
  });

  it('explains lines that became unavailable instead of dropping them', async () => {
    const { token } = await shopperToken();
    const other = await createProduct(merchant, await createCategory(merchant, '下架'));
    await api('POST', '/cart/items', { token, body: { sku_id: other.skus[1].id, quantity: 21 } });
    let cart = await json(api('GET', '/cart', { token }));
    expect(cart.items[0].unavailable_reason).toBe('insufficient_stock');
    await api('POST', `/admin/api/products/${other.id}/unpublish`, { token: merchant });
    cart = await json(api('GET', '/cart', { token }));
    expect(cart.items[0]).toMatchObject({ title: '法式复古碎花连衣裙', unavailable_reason: 'product_unpublished' });
  });

  it('keeps carts private: another shopper’s line is a 404', async () => {
    const a = await shopperToken();
    const b = await shopperToken();
    const cart = await json(api('POST', '/cart/items', { token: a.token, body: { sku_id: product.skus[1]!.id, quantity: 1 } }));
    const lineId = cart.items[0].id;
    expect((await api('PATCH', `/cart/items/${lineId}`, { token: b.token, body: { quantity: 5 } })).status).toBe(404);
    expect((await api('DELETE', `/cart/items/${lineId}`, { token: b.token })).status).toBe(404);
    // cart/select too: another shopper's line among b's own is a 404, and b's own line is left as it was (issue 16.8).
    const own = (await json(api('POST', '/cart/items', { token: b.token, body: { sku_id: product.skus[1]!.id, quantity: 1 } }))).items[0].id;
    const select = await api('POST', '/cart/select', { token: b.token, body: { item_ids: [own, lineId], selected: false } });
    expect(select.status).toBe(404);
    expect((await json(select)).error.code).toBe('not_found');
    expect((await json(api('GET', '/cart', { token: b.token }))).items[0]).toMatchObject({ id: own, selected: true });
    expect((await json(api('GET', '/cart', { token: a.token }))).items[0]).toMatchObject({ quantity: 1, selected: true });
    expect((await api('POST', '/cart/select', { token: b.token, body: { item_ids: [own], selected: false } })).status).toBe(200);
  });

  it('refuses bad cart input', async () => {
    const { token } = await shopperToken();
    expect((await api('POST', '/cart/items', { token, body: { sku_id: product.skus[0]!.id, quantity: 0 } })).status).toBe(400);
    expect((await api('POST', '/cart/items', { token, body: { sku_id: product.skus[0]!.id, quantity: 1000 } })).status).toBe(400);
    expect((await api('POST', '/cart/items', { token, body: { sku_id: 'sku_nope', quantity: 1 } })).status).toBe(422);
    expect((await json(api('GET', '/cart', { token }))).items).toEqual([]);
  });
});

describe('checkout quote', () => {
  it('prices selected lines with member prices and the merchant’s shipping rules', async () => {
    const member = await shopperToken({ memberLevel: 1 });
    const regular = await shopperToken();
    const lines = {
      items: [
        { sku_id: product.skus[0]!.id, quantity: 2 },
        { sku_id: product.skus[3]!.id, quantity: 1 },
      ],
    };
    const forMember = await json(api('POST', '/checkout/quote', { token: member.token, body: lines }));
    expect(forMember).toMatchObject({ items_total_fen: 11900 * 2 + 13900, shipping_fee_fen: 0, payable_fen: 37700 });
    expect(forMember.lines[0]).toMatchObject({ member_price_applied: true, effective_unit_price_fen: 11900, line_total_fen: 23800 });

    const settings = await api('PATCH', '/admin/api/settings', { token: merchant, body: { shipping_flat_fee_fen: 1000, free_shipping_threshold_fen: 50000 } });
    expect(settings.status).toBe(200);
    const forRegular = await json(api('POST', '/checkout/quote', { token: regular.token, body: lines }));
    expect(forRegular).toMatchObject({ items_total_fen: 12900 * 2 + 13900, shipping_fee_fen: 1000, payable_fen: 39700 + 1000 });
    await api('PATCH', '/admin/api/settings', { token: merchant, body: { shipping_flat_fee_fen: 800, free_shipping_threshold_fen: 9900 } });
  });

  it('quotes the selected cart lines when no items are given, and lists unavailable ones', async () => {
    const { token } = await shopperToken();
    await api('POST', '/cart/items', { token, body: { sku_id: product.skus[1]!.id, quantity: 1 } });
    const quote = await json(api('POST', '/checkout/quote', { token, body: {} }));
    expect(quote.lines.map((l: { sku_id: string }) => l.sku_id)).toEqual([product.skus[1]!.id]);
    const withUnavailable = await json(api('POST', '/checkout/quote', { token, body: { items: [{ sku_id: product.skus[2]!.id, quantity: 1 }] } }));
    expect(withUnavailable.unavailable).toEqual([{ sku_id: product.skus[2]!.id, quantity: 1, reason: 'out_of_stock' }]);
    const empty = await shopperToken();
    expect((await api('POST', '/checkout/quote', { token: empty.token, body: {} })).status).toBe(400);
  });

  it('only operators change checkout settings; bad settings are refused', async () => {
    const viewer = (await tokenFor('viewer')).token;
    expect((await api('PATCH', '/admin/api/settings', { token: viewer, body: { shipping_flat_fee_fen: 0 } })).status).toBe(403);
    expect((await api('PATCH', '/admin/api/settings', { token: merchant, body: { shipping_flat_fee_fen: -1 } })).status).toBe(400);
    expect((await api('PATCH', '/admin/api/settings', { token: merchant, body: { payment_window_minutes: 0 } })).status).toBe(400);
    expect(await json(api('GET', '/admin/api/settings', { token: viewer }))).toMatchObject({ shipping_flat_fee_fen: 800, payment_window_minutes: 15 });
  });
});
