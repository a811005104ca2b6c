// Shared fixtures for the workers-pool tests: staff accounts, tokens, API calls, a product body.
import { env, SELF } from 'cloudflare:test';
import type { MerchantRole } from '../src/db/merchants';
import { newId } from '../src/lib/ids';
import { hashPassword } from '../src/lib/password';
import { loadKeyRing, signAccessToken } from '../src/lib/jwt';

export const BASE = 'https://shop.test';
export const PASSWORD = 'correct horse battery';

let passwordHash: Promise<string> | undefined;
/** PBKDF2 is slow on purpose: every test account shares one hash of PASSWORD. */
const testPasswordHash = () => {
  passwordHash ??= hashPassword(PASSWORD);
  return passwordHash;
};

export async function insertAccount(role: MerchantRole, username = `${role}_${newId('u').slice(2, 10)}`) {
  const id = newId('mer');
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO merchant_accounts (id, username, display_name, password_hash, role, disabled, failed_logins, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)`,
  )
    .bind(id, username, `${role} 测试`, await testPasswordHash(), role, now, now)
    .run();
  return { id, username };
}

type PageOptions = { cookie?: string; headers?: Record<string, string> };

/** A GET of an admin page as the browser sends it; redirects are returned, not followed. */
export function adminPage(path: string, opts: PageOptions = {}) {
  return SELF.fetch(`${BASE}${path}`, { redirect: 'manual', headers: { ...(opts.cookie && { Cookie: opts.cookie }), ...opts.headers } });
}

/** A form POST to the admin page as the browser sends it from our own page, unless headers say otherwise. */
export function adminFormPost(path: string, fields: Record<string, string>, opts: PageOptions = {}) {
  return SELF.fetch(`${BASE}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: BASE, ...(opts.cookie && { Cookie: opts.cookie }), ...opts.headers },
    body: new URLSearchParams(fields),
  });
}

/** A new staff account signed in through the admin login form: its session cookie ("admin_session=…") and id. */
export async function adminSession(role: MerchantRole) {
  const { id, username } = await insertAccount(role);
  const res = await adminFormPost('/admin/login', { username, password: PASSWORD });
  if (res.status !== 303) throw new Error(`admin login: ${res.status} ${await res.text()}`);
  return { id, username, cookie: res.headers.get('Set-Cookie')!.split(';')[0]! };
}

export async function login(username: string, password = PASSWORD) {
  return api('POST', '/admin/api/login', { body: { username, password } });
}

export async function tokenFor(role: MerchantRole) {
  const account = await insertAccount(role);
  const res = await login(account.username);
  const body = (await res.json()) as { token: string };
  return { ...account, token: body.token };
}

type CallOptions = { body?: unknown; token?: string; headers?: Record<string, string>; rawBody?: string };

export function api(method: string, path: string, opts: CallOptions = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(opts.body);
  }
  return SELF.fetch(`${BASE}${path}`, { method, headers, body });
}

export async function json<T = any>(res: Response | Promise<Response>): Promise<T> {
  return (await (await res).json()) as T;
}

export async function createCategory(token: string, name = '测试分类', parentId?: string): Promise<string> {
  const res = await api('POST', '/admin/api/categories', { token, body: { name, parent_id: parentId ?? null } });
  if (res.status !== 201) throw new Error(`category: ${res.status} ${await res.text()}`);
  return (await json<{ id: string }>(res)).id;
}

export function productBody(categoryId: string, overrides: Record<string, unknown> = {}) {
  return {
    category_id: categoryId,
    title: '法式复古碎花连衣裙',
    subtitle: '夏季新款 收腰显瘦',
    main_image_url: 'https://img.example.com/p/1.jpg',
    image_urls: ['https://img.example.com/p/1.jpg', 'https://img.example.com/p/2.jpg'],
    tags: ['新品', '包邮'],
    specs: [
      { name: '颜色', values: ['红色', '黑色'] },
      { name: '尺码', values: ['S', 'M'] },
    ],
    skus: [
      { spec_values: ['红色', 'S'], price_fen: 12900, original_price_fen: 19900, member_price_fen: 11900, stock: 5 },
      { spec_values: ['红色', 'M'], price_fen: 12900, original_price_fen: 19900, stock: 20 },
      { spec_values: ['黑色', 'S'], price_fen: 13900, original_price_fen: 13900, stock: 0 },
      { spec_values: ['黑色', 'M'], price_fen: 13900, original_price_fen: 13900, stock: 8 },
    ],
    ...overrides,
  };
}

export async function createProduct(token: string, categoryId: string, overrides: Record<string, unknown> = {}, publish = true) {
  const res = await api('POST', '/admin/api/products', { token, body: productBody(categoryId, overrides) });
  if (res.status !== 201) throw new Error(`product: ${res.status} ${await res.text()}`);
  const product = await json(res);
  if (publish) {
    const published = await api('POST', `/admin/api/products/${product.id}/publish`, { token });
    if (published.status !== 200) throw new Error(`publish: ${published.status} ${await published.text()}`);
  }
  return product;
}

/** Row counts of every catalog table plus the catalog version: "nothing written" compares two of these. */
export async function catalogSnapshot() {
  const tables = ['categories', 'products', 'skus', 'product_tags', 'product_search_grams', 'stock_ledger', 'merchant_accounts'];
  const counts: Record<string, unknown> = {};
  for (const t of tables) counts[t] = (await env.DB.prepare(`SELECT count(*) AS n FROM ${t}`).first<{ n: number }>())!.n;
  counts.version = (await env.DB.prepare('SELECT version FROM catalog_state').first<{ version: number }>())!.version;
  counts.skuState = (await env.DB.prepare('SELECT group_concat(id || price_fen || stock || active) AS s FROM (SELECT * FROM skus ORDER BY id)').first<{ s: string }>())!.s;
  counts.productState = (await env.DB.prepare('SELECT group_concat(id || title || status || updated_at) AS s FROM (SELECT * FROM products ORDER BY id)').first<{ s: string }>())!.s;
  return counts;
}

/** A shopper row plus an access token signed the way /auth/wechat signs them. */
export async function shopperToken(opts: { memberLevel?: number } = {}) {
  const id = newId('usr');
  const now = Date.now();
  await env.DB.prepare('INSERT INTO users (id, openid, nickname, member_level, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
    .bind(id, `openid-${id}`, '测试买家', opts.memberLevel ?? 0, now, now)
    .run();
  const token = await signAccessToken(loadKeyRing(env.JWT_KEYS, env.JWT_ACTIVE_KID), { sub: id, aud: 'shopper', ttlSeconds: 1800, nowMs: now });
  return { id, token };
}

export const shippingAddress = {
  recipient: '王五',
  phone: '13900001111',
  province: '浙江省',
  city: '杭州市',
  district: '西湖区',
  detail: '文三路 1 号',
};

/** A shopper with a default address, ready to check out. */
export async function shopperWithAddress(opts: { memberLevel?: number } = {}) {
  const shopper = await shopperToken(opts);
  const res = await api('POST', '/me/addresses', { token: shopper.token, body: shippingAddress });
  if (res.status !== 201) throw new Error(`address: ${res.status} ${await res.text()}`);
  return shopper;
}

let idempotencyCounter = 0;
export const newIdempotencyKey = () => `test-key-${Date.now()}-${++idempotencyCounter}`;

export function placeOrder(token: string, body: Record<string, unknown>, key = newIdempotencyKey()) {
  return api('POST', '/orders', { token, body, headers: { 'Idempotency-Key': key } });
}

/** Many shoppers with a default address, written straight to D1 (the API path is tested elsewhere). */
export async function manyShoppers(count: number) {
  const now = Date.now();
  const ring = loadKeyRing(env.JWT_KEYS, env.JWT_ACTIVE_KID);
  const shoppers = Array.from({ length: count }, () => ({ id: newId('usr'), addressId: newId('adr') }));
  for (let i = 0; i < shoppers.length; i += 50) {
    await env.DB.batch(
      shoppers
        .slice(i, i + 50)
        .flatMap((s) => [
          env.DB.prepare('INSERT INTO users (id, openid, created_at, updated_at) VALUES (?, ?, ?, ?)').bind(s.id, `o-${s.id}`, now, now),
          env.DB.prepare(
            "INSERT INTO addresses (id, user_id, recipient, phone, province, city, district, detail, is_default, created_at, updated_at) VALUES (?, ?, '抢购者', '13900000000', '广东省', '深圳市', '南山区', '科技园 1 号', 1, ?, ?)",
          ).bind(s.addressId, s.id, now, now),
        ]),
    );
  }
  return Promise.all(shoppers.map(async (s) => ({ ...s, token: await signAccessToken(ring, { sub: s.id, aud: 'shopper', ttlSeconds: 3600, nowMs: now }) })));
}
