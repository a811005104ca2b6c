// The server-rendered admin page: session cookie, same-origin POSTs, roles, escaping, and form
// edits that either apply completely or write nothing.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MerchantRole } from '../../../src/db/merchants';
import { adminFormPost as post, adminPage as page, adminSession, BASE, catalogSnapshot, createCategory, createProduct, insertAccount, PASSWORD, tokenFor } from '../../fixtures/helpers';

type Sku = { id: string; price_fen: number; original_price_fen: number; member_price_fen: number | null; stock: number };
type Product = { id: string; title: string; status: string; skus: Sku[] };

let operatorToken: string;
let categoryId: string;
const sessions = {} as Record<MerchantRole, string>;
const accountIds = {} as Record<MerchantRole, string>;

async function signIn(role: MerchantRole) {
  const session = await adminSession(role);
  sessions[role] = session.cookie;
  accountIds[role] = session.id;
}

async function storedProduct(id: string): Promise<Product> {
  return (await (await SELF.fetch(`${BASE}/admin/api/products/${id}`, { headers: { Authorization: `Bearer ${operatorToken}` } })).json()) as Product;
}

beforeAll(async () => {
  operatorToken = (await tokenFor('operator')).token;
  categoryId = await createCategory(operatorToken, '女装');
  for (const role of ['owner', 'operator', 'viewer'] as const) await signIn(role);
});

describe('admin page login', () => {
  it('sends visitors without a session to the login form', async () => {
    for (const path of ['/admin', '/admin/products', '/admin/products/prd_nothing']) {
      const res = await page(path);
      expect(res.status).toBe(303);
      expect(res.headers.get('Location')).toMatch(/^\/admin\/(products|login)$/);
    }
    expect((await page('/admin/products')).headers.get('Location')).toBe('/admin/login');
    expect((await page('/admin/products', { cookie: 'admin_session=not.a.token' })).headers.get('Location')).toBe('/admin/login');
    const form = await page('/admin/login');
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('name="password"');
  });

  it('sets an HttpOnly, SameSite=Strict, Secure session cookie scoped to /admin', async () => {
    const { username } = await insertAccount('operator');
    const res = await post('/admin/login', { username, password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/admin/products');
    const cookie = res.headers.get('Set-Cookie')!;
    expect(cookie).toMatch(/^admin_session=[\w-]+\.[\w-]+\.[\w-]+;/);
    for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Path=/admin', 'Max-Age=28800']) expect(cookie).toContain(attribute);
    expect((await page('/admin/products', { cookie: cookie.split(';')[0] })).status).toBe(200);
  });

  it('re-renders the form with 401 on a wrong password, and 429 with Retry-After when locked', async () => {
    const { username } = await insertAccount('operator');
    const wrong = await post('/admin/login', { username, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('Content-Type')).toContain('text/html');
    expect(wrong.headers.get('Set-Cookie')).toBeNull();
    const body = await wrong.text();
    expect(body).toContain('用户名或密码不正确');
    expect(body).toContain(`value="${username}"`);
    for (let i = 0; i < 4; i++) await post('/admin/login', { username, password: 'wrong' });
    const locked = await post('/admin/login', { username, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(800);
    expect(await locked.text()).toContain('<form method="post" action="/admin/login">');
    expect((await post('/admin/login', { username })).status).toBe(400);
  });

  it('logs out by expiring the cookie', async () => {
    const res = await post('/admin/logout', {}, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/admin/login');
    const cleared = res.headers.get('Set-Cookie')!;
    expect(cleared).toMatch(/^admin_session=;/);
    for (const attribute of ['Max-Age=0', 'Path=/admin', 'HttpOnly', 'Secure', 'SameSite=Strict']) expect(cleared).toContain(attribute);
  });
});

describe('product pages', () => {
  let product: Product;

  beforeAll(async () => {
    product = await createProduct(operatorToken, categoryId);
  });

  it('lists and searches products with prices in yuan, status filter and a strict CSP', async () => {
    const list = await page('/admin/products', { cookie: sessions.viewer });
    expect(list.status).toBe(200);
    expect(list.headers.get('Content-Security-Policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    expect(list.headers.get('Cache-Control')).toBe('no-store');
    const html = await list.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain(`href="/admin/products/${product.id}"`);
    expect(html).toContain('¥129.00 – ¥139.00');

    const found = await (await page(`/admin/products?q=${encodeURIComponent('连衣裙')}&status=`, { cookie: sessions.viewer })).text();
    expect(found).toContain(`href="/admin/products/${product.id}"`);
    const drafts = await (await page(`/admin/products?q=${encodeURIComponent('连衣裙')}&status=draft`, { cookie: sessions.viewer })).text();
    expect(drafts).not.toContain(`href="/admin/products/${product.id}"`);
    expect(drafts).toContain('没有找到商品');
  });

  it('shows each product’s total stock and last edit time, in the list and in search results', async () => {
    const row = await env.DB.prepare('SELECT total_stock, updated_at FROM products WHERE id = ?').bind(product.id).first<{ total_stock: number; updated_at: number }>();
    expect(row!.total_stock).toBe(33);
    const edited = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(row!.updated_at);
    const cells = `<td class="num">¥129.00 – ¥139.00</td><td class="num">33</td><td>${edited}</td>`;
    expect(await (await page('/admin/products', { cookie: sessions.viewer })).text()).toContain(cells);
    expect(await (await page(`/admin/products?q=${encodeURIComponent('碎花')}`, { cookie: sessions.viewer })).text()).toContain(cells);
  });

  it('pages through the list with a next-page link that keeps the filters', async () => {
    await createProduct(operatorToken, categoryId, { title: '分页测试商品' }, false);
    await createProduct(operatorToken, categoryId, { title: '分页测试商品二' }, false);
    const total = (await env.DB.prepare('SELECT count(*) AS n FROM products').first<{ n: number }>())!.n;
    let path: string | null = '/admin/products';
    const seen = new Set<string>();
    while (path) {
      const html = await (await page(path, { cookie: sessions.viewer })).text();
      for (const [, id] of html.matchAll(/href="\/admin\/products\/(prd_\w+)"/g)) seen.add(id!);
      path = /href="(\/admin\/products\?[^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;
      if (path) expect(path).toContain('status=&');
    }
    expect(seen.size).toBe(total);
  });

  it('escapes product text in the list and in the edit form', async () => {
    const evil = await createProduct(operatorToken, categoryId, { title: '<script>alert(1)</script>', subtitle: '"><img src=x onerror=alert(2)>' });
    for (const path of ['/admin/products', `/admin/products/${evil.id}`]) {
      const html = await (await page(path, { cookie: sessions.owner })).text();
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('<img');
    }
  });

  it('edits title, prices and stock through the form, with a ledger row naming the editor', async () => {
    const [first, second] = product.skus as [Sku, Sku];
    const res = await post(
      `/admin/products/${product.id}`,
      {
        title: '新标题 连衣裙',
        subtitle: '新副标题',
        [`${first.id}.price`]: '99.5',
        [`${first.id}.member_price`]: '',
        [`${second.id}.stock`]: '42',
        [`${second.id}.stock_was`]: String(second.stock),
      },
      { cookie: sessions.operator },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe(`/admin/products/${product.id}?saved=1`);

    const after = await storedProduct(product.id);
    expect(after.title).toBe('新标题 连衣裙');
    expect(after.skus.find((s) => s.id === first.id)).toMatchObject({ price_fen: 9950, member_price_fen: null, stock: first.stock });
    expect(after.skus.find((s) => s.id === second.id)).toMatchObject({ price_fen: second.price_fen, stock: 42 });
    const ledger = await env.DB.prepare('SELECT delta, stock_after, reason, actor_id FROM stock_ledger WHERE sku_id = ? ORDER BY created_at DESC LIMIT 1').bind(second.id).first();
    expect(ledger).toEqual({ delta: 42 - second.stock, stock_after: 42, reason: 'admin page edit', actor_id: accountIds.operator });

    const edited = await page(`/admin/products/${product.id}?saved=1`, { cookie: sessions.operator });
    const html = await edited.text();
    expect(html).toContain('已保存');
    expect(html).toContain(`name="${first.id}.price" value="99.50"`);
    product = after;
  });

  it('leaves stock alone when only prices change, even if sales moved it since the form was shown', async () => {
    const sku = product.skus[0]!;
    await env.DB.prepare('UPDATE skus SET stock = stock - 1 WHERE id = ?').bind(sku.id).run();
    const res = await post(
      `/admin/products/${product.id}`,
      { [`${sku.id}.price`]: '100.00', [`${sku.id}.stock`]: String(sku.stock), [`${sku.id}.stock_was`]: String(sku.stock) },
      { cookie: sessions.owner },
    );
    expect(res.status).toBe(303);
    expect((await storedProduct(product.id)).skus[0]).toMatchObject({ price_fen: 10000, stock: sku.stock - 1 });
    product = await storedProduct(product.id);
  });

  it.each([
    ['price', '12.345'],
    ['price', '-1'],
    ['price', 'abc'],
    ['price', ''],
    ['price', '300.00'], // above the original price
    ['member_price', '1.001'],
    ['original_price', '99999999'], // above the most the shop accepts
    ['stock', '-3'],
    ['stock', '1.5'],
  ])('refuses %s "%s" with a 400 and writes nothing, not even the valid fields', async (field, value) => {
    const sku = product.skus[1]!;
    const before = await catalogSnapshot();
    const res = await post(`/admin/products/${product.id}`, { title: '不该保存的标题', [`${sku.id}.stock`]: '7', [`${sku.id}.${field}`]: value }, { cookie: sessions.operator });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('class="field-error"');
    expect(html).toContain(`value="不该保存的标题"`); // the merchant's input is kept for correction
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('refuses an empty title with a 400', async () => {
    const before = await catalogSnapshot();
    expect((await post(`/admin/products/${product.id}`, { title: '  ' }, { cookie: sessions.operator })).status).toBe(400);
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('unpublishes and publishes', async () => {
    const unpublished = await post(`/admin/products/${product.id}/unpublish`, {}, { cookie: sessions.operator });
    expect(unpublished.status).toBe(303);
    expect((await storedProduct(product.id)).status).toBe('draft');
    expect((await SELF.fetch(`${BASE}/products/${product.id}`)).status).toBe(404);
    expect(await (await page(`/admin/products/${product.id}`, { cookie: sessions.operator })).text()).toContain(`action="/admin/products/${product.id}/publish"`);

    expect((await post(`/admin/products/${product.id}/publish`, {}, { cookie: sessions.operator })).status).toBe(303);
    expect((await storedProduct(product.id)).status).toBe('published');
    expect((await SELF.fetch(`${BASE}/products/${product.id}`)).status).toBe(200);
  });

  it('shows viewers read-only pages and refuses their POSTs with 403', async () => {
    const res = await page(`/admin/products/${product.id}`, { cookie: sessions.viewer });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(product.title);
    expect(html).not.toContain('<input');
    expect(html).not.toContain(`action="/admin/products/${product.id}`);

    const before = await catalogSnapshot();
    const sku = product.skus[0]!;
    for (const path of [`/admin/products/${product.id}`, `/admin/products/${product.id}/unpublish`]) {
      const refused = await post(path, { title: '观众改的', [`${sku.id}.price`]: '1.00' }, { cookie: sessions.viewer });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('Content-Type')).toContain('text/html');
      expect(refused.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    }
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('refuses POSTs from another origin, or with no Origin and no Referer', async () => {
    const send = (path: string, headers: Record<string, string>) => SELF.fetch(`${BASE}${path}`, { method: 'POST', redirect: 'manual', headers: { Cookie: sessions.owner, ...headers } });
    const before = await catalogSnapshot();
    const attempts: Record<string, string>[] = [
      { Origin: 'https://evil.test' },
      { Origin: 'http://shop.test' }, // same host, other scheme
      { Origin: 'null' },
      { Origin: 'null', Referer: `${BASE}/admin/products` }, // an Origin, even "null", is never overruled by the Referer
      { Referer: 'https://evil.test/admin/products' },
      {},
    ];
    for (const headers of attempts) expect((await send(`/admin/products/${product.id}/unpublish`, headers)).status).toBe(403);
    expect(await catalogSnapshot()).toEqual(before);

    // A Referer from our own page is enough when the browser sends no Origin.
    expect((await send(`/admin/products/${product.id}/publish`, { Referer: `${BASE}/admin/products/${product.id}` })).status).toBe(303);
  });

  it('renders service errors as HTML with their status', async () => {
    const missing = await page('/admin/products/prd_doesnotexist', { cookie: sessions.viewer });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('Content-Type')).toContain('text/html');
    expect(await missing.text()).toContain('没有找到这个商品。');
    expect((await page('/admin/products/not-an-id', { cookie: sessions.viewer })).status).toBe(400);
    expect((await page('/admin/products?cursor=garbage', { cookie: sessions.viewer })).status).toBe(400);
    // The JSON API under /admin/api keeps answering JSON.
    const api = await SELF.fetch(`${BASE}/admin/api/products/prd_doesnotexist`, { headers: { Authorization: `Bearer ${operatorToken}` } });
    expect(api.headers.get('Content-Type')).toContain('application/json');
  });
});
