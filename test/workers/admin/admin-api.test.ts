import { createExecutionContext, env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { ManualClock } from '../../../src/lib/clock';
import { api, catalogSnapshot, createCategory, createProduct, insertAccount, json, login, PASSWORD, productBody, tokenFor } from '../../fixtures/helpers';

let owner: { id: string; token: string };
let operator: { id: string; token: string };
let viewer: { id: string; token: string };
let categoryId: string;

beforeAll(async () => {
  owner = await tokenFor('owner');
  operator = await tokenFor('operator');
  viewer = await tokenFor('viewer');
  categoryId = await createCategory(operator.token, '女装');
});

describe('merchant login', () => {
  it('issues a JWT naming its key id, accepted by the admin API', async () => {
    const account = await insertAccount('operator');
    const res = await login(account.username);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.account).toEqual({ id: account.id, username: account.username, display_name: expect.any(String), role: 'operator' });
    const header = JSON.parse(atob(body.token.split('.')[0].replace(/-/g, '+').replace(/_/g, '/')));
    expect(header).toMatchObject({ alg: 'HS256', kid: 'k2026a' });
    const me = await api('GET', '/admin/api/me', { token: body.token });
    expect(me.status).toBe(200);
    // snake_case like every other field (issue 16.8: it was displayName)
    expect((await json(me)).account).toEqual(body.account);
  });

  it('accepts tokens signed with another configured key (rotation) and refuses unknown keys', async () => {
    const keys = JSON.parse(env.JWT_KEYS) as Record<string, string>;
    const sign = (kid: string, secret: Uint8Array, aud = 'merchant') =>
      new SignJWT({ role: 'owner' }).setProtectedHeader({ alg: 'HS256', kid }).setIssuer('edge-mall').setAudience(aud).setSubject(owner.id).setIssuedAt().setExpirationTime('1h').sign(secret);
    const oldKey = Uint8Array.from(atob(keys.k2025z!), (c) => c.charCodeAt(0));
    expect((await api('GET', '/admin/api/me', { token: await sign('k2025z', oldKey) })).status).toBe(200);
    expect((await api('GET', '/admin/api/me', { token: await sign('k1999', oldKey) })).status).toBe(401);
    expect((await api('GET', '/admin/api/me', { token: await sign('k2025z', new Uint8Array(32)) })).status).toBe(401);
    // A shopper token (another audience) never opens the admin.
    expect((await api('GET', '/admin/api/me', { token: await sign('k2025z', oldKey, 'shopper') })).status).toBe(401);
  });

  it('refuses a wrong password and an unknown user with the same 401', async () => {
    const account = await insertAccount('viewer');
    const wrong = await login(account.username, 'not the password');
    const unknown = await login('nobody_here', PASSWORD);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await json(wrong)).error.message).toBe((await json(unknown)).error.message);
  });

  it('locks an account after five wrong passwords, with Retry-After', async () => {
    const account = await insertAccount('operator');
    for (let i = 0; i < 5; i++) expect((await login(account.username, 'wrong')).status).toBe(401);
    const locked = await login(account.username);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('Retry-After'))).toBeGreaterThan(800);
    expect((await json(locked)).error.code).toBe('rate_limited');
  });

  it('unlocks after 15 minutes on the injected clock, and expires tokens after 8 hours', async () => {
    const clock = new ManualClock(Date.parse('2026-06-01T08:00:00Z'));
    const app = createApp({ clock });
    const call = (path: string, init: RequestInit = {}) => app.request(`https://shop.test${path}`, init, env, createExecutionContext());
    const loginWith = (username: string, password: string) =>
      call('/admin/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const account = await insertAccount('operator');
    for (let i = 0; i < 5; i++) await loginWith(account.username, 'wrong');
    expect((await loginWith(account.username, PASSWORD)).status).toBe(429);
    clock.advance(14 * 60 * 1000);
    expect((await loginWith(account.username, PASSWORD)).status).toBe(429);
    clock.advance(61 * 1000);
    const ok = await loginWith(account.username, PASSWORD);
    expect(ok.status).toBe(200);
    const { token } = await json(ok);
    const me = () => call('/admin/api/me', { headers: { Authorization: `Bearer ${token}` } });
    clock.advance(8 * 60 * 60 * 1000 - 1000);
    expect((await me()).status).toBe(200);
    clock.advance(2000);
    expect((await me()).status).toBe(401);
  });

  it('refuses missing, malformed and tampered tokens', async () => {
    expect((await api('GET', '/admin/api/me')).status).toBe(401);
    expect((await api('GET', '/admin/api/me', { headers: { Authorization: 'Basic abc' } })).status).toBe(401);
    const tampered = owner.token.slice(0, -3) + (owner.token.endsWith('a') ? 'bbb' : 'aaa');
    expect((await api('GET', '/admin/api/me', { token: tampered })).status).toBe(401);
  });

  it('does not accept the admin page’s session cookie on the JSON API (no cross-site driving)', async () => {
    const res = await api('GET', '/admin/api/me', { headers: { Cookie: `admin_session=${owner.token}` } });
    expect(res.status).toBe(401);
  });

  it('stops honouring a token as soon as its account is disabled', async () => {
    const staff = await tokenFor('operator');
    expect((await api('PATCH', `/admin/api/accounts/${staff.id}`, { token: owner.token, body: { disabled: true } })).status).toBe(200);
    expect((await api('GET', '/admin/api/me', { token: staff.token })).status).toBe(401);
    expect((await login(staff.username)).status).toBe(401);
  });
});

describe('roles', () => {
  const writeRoutes = (ids: { product: string; sku: string; category: string }) =>
    [
      ['POST', '/admin/api/products', productBody('cat_x')],
      ['PATCH', `/admin/api/products/${ids.product}`, { title: '改名' }],
      ['POST', `/admin/api/products/${ids.product}/publish`, undefined],
      ['POST', `/admin/api/products/${ids.product}/unpublish`, undefined],
      ['PATCH', `/admin/api/skus/${ids.sku}`, { price_fen: 1 }],
      ['POST', `/admin/api/skus/${ids.sku}/stock-adjustments`, { delta: 1, reason: 'x' }],
      ['POST', '/admin/api/categories', { name: '新分类' }],
      ['PATCH', `/admin/api/categories/${ids.category}`, { name: '改名' }],
      ['DELETE', `/admin/api/categories/${ids.category}`, undefined],
    ] as const;
  const accountRoutes = (accountId: string) =>
    [
      ['GET', '/admin/api/accounts', undefined],
      ['POST', '/admin/api/accounts', { username: 'new_staff', display_name: '新员工', password: 'long enough pw', role: 'viewer' }],
      ['PATCH', `/admin/api/accounts/${accountId}`, { role: 'owner' }],
    ] as const;

  it('viewers can read but every write is a 403 that writes nothing', async () => {
    const product = await createProduct(operator.token, categoryId);
    const ids = { product: product.id, sku: product.skus[0].id, category: categoryId };
    expect((await api('GET', `/admin/api/products/${product.id}`, { token: viewer.token })).status).toBe(200);
    expect((await api('GET', '/admin/api/products', { token: viewer.token })).status).toBe(200);
    const before = await catalogSnapshot();
    for (const [method, path, body] of [...writeRoutes(ids), ...accountRoutes(viewer.id)]) {
      const res = await api(method, path, { token: viewer.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await json(res)).error.code).toBe('forbidden');
    }
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('operators cannot manage accounts (403, nothing written)', async () => {
    const before = await catalogSnapshot();
    for (const [method, path, body] of accountRoutes(operator.id)) {
      expect((await api(method, path, { token: operator.token, body })).status, `${method} ${path}`).toBe(403);
    }
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('owners manage accounts but cannot remove the last owner', async () => {
    const created = await api('POST', '/admin/api/accounts', {
      token: owner.token,
      body: { username: 'clerk.zhang', display_name: '张店员', password: 'a good long password', role: 'viewer' },
    });
    expect(created.status).toBe(201);
    expect(await json(created)).not.toHaveProperty('password_hash');
    expect((await login('clerk.zhang', 'a good long password')).status).toBe(200);
    const dup = await api('POST', '/admin/api/accounts', {
      token: owner.token,
      body: { username: 'clerk.zhang', display_name: '重复', password: 'another long password', role: 'viewer' },
    });
    expect(dup.status).toBe(409);

    const list = await json(api('GET', '/admin/api/accounts', { token: owner.token }));
    const owners = list.items.filter((a: { role: string; disabled: boolean }) => a.role === 'owner' && !a.disabled);
    // Demote every other owner, then the last one must be refused.
    for (const other of owners.filter((a: { id: string }) => a.id !== owner.id)) {
      expect((await api('PATCH', `/admin/api/accounts/${other.id}`, { token: owner.token, body: { role: 'operator' } })).status).toBe(200);
    }
    const demoteSelf = await api('PATCH', `/admin/api/accounts/${owner.id}`, { token: owner.token, body: { role: 'viewer' } });
    expect(demoteSelf.status).toBe(409);
    expect((await json(demoteSelf)).error.code).toBe('last_owner');
  });
});

describe('products', () => {
  it("a card is on sale exactly when its cheapest SKU is below that SKU's original price", async () => {
    const skus = [
      { spec_values: ['红色', 'S'], price_fen: 9900, original_price_fen: 9900, stock: 1 },
      { spec_values: ['黑色', 'S'], price_fen: 15900, original_price_fen: 19900, stock: 1 },
    ];
    const body = productBody(categoryId, {
      specs: [
        { name: '颜色', values: ['红色', '黑色'] },
        { name: '尺码', values: ['S'] },
      ],
      skus,
    });
    const product = await json(api('POST', '/admin/api/products', { token: operator.token, body }));
    expect(product).toMatchObject({ price_fen: 9900, original_price_fen: 9900, on_sale: false });
    expect((await api('PATCH', `/admin/api/skus/${product.skus[0].id}`, { token: operator.token, body: { price_fen: 8900 } })).status).toBe(200);
    const discounted = await json(api('GET', `/admin/api/products/${product.id}`, { token: operator.token }));
    expect(discounted).toMatchObject({ price_fen: 8900, original_price_fen: 9900, on_sale: true });
  });

  it('creates a draft with specs, SKUs, tags and an initial-stock ledger; publishing shows it in the storefront', async () => {
    const res = await api('POST', '/admin/api/products', { token: operator.token, body: productBody(categoryId) });
    expect(res.status).toBe(201);
    const product = await json(res);
    // The card shows the cheapest SKU: ¥129 instead of ¥199 (issue 16.8: not the lowest original over all SKUs, ¥139).
    expect(product).toMatchObject({ status: 'draft', price_fen: 12900, max_price_fen: 13900, original_price_fen: 19900, on_sale: true, tags: ['包邮', '新品'] });
    expect(product.skus).toHaveLength(4);
    expect((await api('GET', `/products/${product.id}`)).status).toBe(404);

    const ledger = await env.DB.prepare("SELECT count(*) AS n, sum(delta) AS total FROM stock_ledger WHERE reason = 'initial stock' AND sku_id IN (SELECT id FROM skus WHERE product_id = ?)")
      .bind(product.id)
      .first<{ n: number; total: number }>();
    expect(ledger).toEqual({ n: 3, total: 33 });

    expect((await api('POST', `/admin/api/products/${product.id}/publish`, { token: operator.token })).status).toBe(200);
    const shown = await json(api('GET', `/products/${product.id}`));
    expect(shown.skus.map((s: { stock_status: string }) => s.stock_status)).toEqual(['low_stock', 'in_stock', 'out_of_stock', 'low_stock']);
    expect(shown.skus[0]).toMatchObject({ price_fen: 12900, original_price_fen: 19900, member_price_fen: 11900 });

    expect((await api('POST', `/admin/api/products/${product.id}/unpublish`, { token: operator.token })).status).toBe(200);
    expect((await api('GET', `/products/${product.id}`)).status).toBe(404);
  });

  it('replaces the SKU set: keeps ids of kept combinations, adds new ones, deactivates removed ones', async () => {
    const product = await createProduct(operator.token, categoryId);
    const red = product.skus.find((s: { spec_values: string[] }) => s.spec_values.join() === '红色,S');
    const res = await api('PATCH', `/admin/api/products/${product.id}`, {
      token: operator.token,
      body: {
        specs: [
          { name: '颜色', values: ['红色', '白色'] },
          { name: '尺码', values: ['S'] },
        ],
        skus: [
          { spec_values: ['红色', 'S'], price_fen: 9900, original_price_fen: 19900 },
          { spec_values: ['白色', 'S'], price_fen: 10900, original_price_fen: 10900, stock: 7 },
        ],
      },
    });
    expect(res.status).toBe(200);
    const updated = await json(res);
    expect(updated.skus.map((s: { id: string; spec_values: string[]; stock: number }) => [s.spec_values.join(), s.stock])).toEqual([
      ['红色,S', 5],
      ['白色,S', 7],
    ]);
    expect(updated.skus[0].id).toBe(red.id);
    expect(updated).toMatchObject({ price_fen: 9900, max_price_fen: 10900 });
    const inactive = await env.DB.prepare('SELECT count(*) AS n FROM skus WHERE product_id = ? AND active = 0').bind(product.id).first<{ n: number }>();
    expect(inactive!.n).toBe(3);
  });

  it('refuses to change an existing SKU’s stock through the product edit (stock goes through the ledger)', async () => {
    const product = await createProduct(operator.token, categoryId);
    const before = await catalogSnapshot();
    const res = await api('PATCH', `/admin/api/products/${product.id}`, {
      token: operator.token,
      body: { skus: [{ spec_values: ['红色', 'S'], price_fen: 9900, original_price_fen: 19900, stock: 999 }] },
    });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details[0].path).toBe('body.skus.0.stock');
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('edits one SKU’s prices and the product summary follows', async () => {
    const product = await createProduct(operator.token, categoryId);
    const sku = product.skus[2];
    expect((await api('PATCH', `/admin/api/skus/${sku.id}`, { token: operator.token, body: { price_fen: 5000, member_price_fen: null } })).status).toBe(200);
    const shown = await json(api('GET', `/products/${product.id}`));
    expect(shown.price_fen).toBe(5000);
    expect(shown.skus[2]).toMatchObject({ price_fen: 5000, member_price_fen: null });
    const bad = await api('PATCH', `/admin/api/skus/${sku.id}`, { token: operator.token, body: { price_fen: 99999999 } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('body.original_price_fen');
  });
});

describe('stock adjustments', () => {
  it('records who changed stock, by how much and why', async () => {
    const product = await createProduct(operator.token, categoryId);
    const sku = product.skus[1];
    const add = await json(api('POST', `/admin/api/skus/${sku.id}/stock-adjustments`, { token: operator.token, body: { delta: 30, reason: '到货入库' } }));
    expect(add).toMatchObject({ delta: 30, stock_after: 50, reason: '到货入库', actor_id: operator.id });
    const set = await json(api('POST', `/admin/api/skus/${sku.id}/stock-adjustments`, { token: operator.token, body: { set_to: 12, reason: '盘点' } }));
    expect(set).toMatchObject({ delta: -38, stock_after: 12 });
    const ledger = await json(api('GET', `/admin/api/skus/${sku.id}/stock-ledger`, { token: viewer.token }));
    expect(ledger.items.map((e: { delta: number }) => e.delta)).toEqual(expect.arrayContaining([30, -38, 20]));
    const shown = await json(api('GET', `/products/${product.id}`));
    expect(shown.skus[1].stock).toBe(12);
  });

  it('never lets stock go below zero: the batch rolls back, no ledger row', async () => {
    const product = await createProduct(operator.token, categoryId);
    const sku = product.skus[0];
    const before = await catalogSnapshot();
    const res = await api('POST', `/admin/api/skus/${sku.id}/stock-adjustments`, { token: operator.token, body: { delta: -6, reason: '损耗' } });
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe('insufficient_stock');
    expect(await catalogSnapshot()).toEqual(before);
  });

  it('under 200 concurrent decrements of 1 on 50 units, exactly 50 succeed and stock ends at 0', async () => {
    const product = await createProduct(operator.token, categoryId);
    const sku = product.skus[1];
    await api('POST', `/admin/api/skus/${sku.id}/stock-adjustments`, { token: operator.token, body: { set_to: 50, reason: '备货' } });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => api('POST', `/admin/api/skus/${sku.id}/stock-adjustments`, { token: operator.token, body: { delta: -1, reason: '出库' } }).then((r) => r.status)),
    );
    expect(results.filter((s) => s === 201)).toHaveLength(50);
    expect(results.filter((s) => s === 422)).toHaveLength(150);
    const row = await env.DB.prepare("SELECT stock, (SELECT count(*) FROM stock_ledger WHERE sku_id = ?1 AND reason = '出库') AS n FROM skus WHERE id = ?1")
      .bind(sku.id)
      .first<{ stock: number; n: number }>();
    expect(row).toEqual({ stock: 0, n: 50 });
  });
});

describe('categories', () => {
  it('keeps two levels and refuses to delete a category in use', async () => {
    const root = await createCategory(operator.token, '家居');
    const child = await createCategory(operator.token, '收纳', root);
    const tooDeep = await api('POST', '/admin/api/categories', { token: operator.token, body: { name: '三级', parent_id: child } });
    expect(tooDeep.status).toBe(422);
    expect((await json(tooDeep)).error.details[0].path).toBe('body.parent_id');
    expect((await api('DELETE', `/admin/api/categories/${root}`, { token: operator.token })).status).toBe(409);
    expect((await api('DELETE', `/admin/api/categories/${child}`, { token: operator.token })).status).toBe(204);
    expect((await api('DELETE', `/admin/api/categories/${child}`, { token: operator.token })).status).toBe(404);
    const tree = await json(api('GET', '/categories'));
    expect(tree.items.find((c: { id: string }) => c.id === root).children).toEqual([]);
  });
});
