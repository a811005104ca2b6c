// The coupons section in a real browser against the production bundle: create a 满减 coupon
// through the form, activate it, see it in the coupon centre, claim it, order with it, and see
// the template's figures move on its page.
import { expect, it } from 'vitest';
import { merchantAccountRow, signInToAdmin, workerAndBrowser } from './browser';
import { seedDemoCoupons } from '../../scripts/dev-coupons';
import { loadKeyRing, signAccessToken } from '../../src/lib/jwt';

const OWNER = { id: 'mer_e2ecoupons', username: 'e2e_coupon_owner', password: 'e2e password 123' };
const JWT_KEYS = JSON.stringify({ e2e: Buffer.from('e2e-coupon-key-0123456789abcdef0123').toString('base64url') });

const started = workerAndBrowser({ bindings: { JWT_KEYS } });

async function api<T = any>(method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<T> {
  const res = await fetch(`${started.worker.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(opts.token && { Authorization: `Bearer ${opts.token}` }), ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A local datetime-local value in Shanghai, `hours` from now. */
const shanghaiLocal = (hours: number) => new Date(Date.now() + hours * 3_600_000 + 8 * 3_600_000).toISOString().slice(0, 16);

it('creates a 满减 coupon in the admin, a shopper claims it and orders with it, the figures move', async () => {
  const now = Date.now();
  await (await merchantAccountRow(started.worker.db, OWNER, now)).run();
  const { token } = await api<{ token: string }>('POST', '/admin/api/login', { body: { username: OWNER.username, password: OWNER.password } });
  const category = await api('POST', '/admin/api/categories', { body: { name: '女装' }, token });
  const product = await api('POST', '/admin/api/products', {
    token,
    body: {
      category_id: category.id,
      title: '碎花连衣裙',
      main_image_url: 'https://img.example.com/p/1.jpg',
      specs: [],
      skus: [{ spec_values: [], price_fen: 15000, original_price_fen: 19900, stock: 5 }],
    },
  });
  await api('POST', `/admin/api/products/${product.id}/publish`, { token });

  const page = await started.browser.newPage({ viewport: { width: 1200, height: 900 } });
  await signInToAdmin(page, started.worker.url, OWNER);

  await page.getByRole('link', { name: '优惠券' }).click();
  await page.getByRole('link', { name: '新建优惠券' }).click();
  await page.getByLabel('名称').fill('满100减20');
  await page.getByLabel('使用门槛').fill('100');
  await page.getByLabel('减免金额').fill('20');
  await page.getByLabel('发放总量').fill('50');
  await page.locator('input[name="claim_starts_at"]').fill(shanghaiLocal(-1));
  await page.locator('input[name="claim_ends_at"]').fill(shanghaiLocal(48));
  await page.getByRole('button', { name: '创建' }).click();
  await page.waitForURL(/done=created/);
  await page.getByRole('button', { name: '启用' }).click();
  await page.waitForURL(/done=activate/);
  const templateId = new URL(page.url()).pathname.split('/').pop()!;
  expect(await page.locator('[data-stat="issued"]').textContent()).toContain('0 / 50');

  const centre = await api('GET', '/coupons');
  expect(centre.items.map((t: { id: string; name: string }) => [t.id, t.name])).toContainEqual([templateId, '满100减20']);

  const shopperId = 'usr_e2ecouponshopper';
  await started.worker.db.prepare('INSERT INTO users (id, openid, created_at, updated_at) VALUES (?, ?, ?, ?)').bind(shopperId, 'o-e2e-coupon', now, now).run();
  const shopper = await signAccessToken(loadKeyRing(JWT_KEYS, 'e2e'), { sub: shopperId, aud: 'shopper', ttlSeconds: 600, nowMs: Date.now() });
  await api('POST', '/me/addresses', { token: shopper, body: { recipient: '王五', phone: '13900001111', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号' } });
  const coupon = await api('POST', `/coupons/${templateId}/claim`, { token: shopper, headers: { 'Idempotency-Key': 'e2e-claim-0001' } });
  const order = await api('POST', '/orders', {
    token: shopper,
    body: { items: [{ sku_id: product.skus[0].id, quantity: 1 }], coupon_id: coupon.id },
    headers: { 'Idempotency-Key': 'e2e-order-0001' },
  });
  expect(order.discount_fen).toBe(2000);

  await page.reload();
  expect(await page.locator('[data-stat="issued"]').textContent()).toContain('1 / 50');
  expect(await page.locator('[data-stat="locked"]').textContent()).toBe('1');
  await page.screenshot({ path: '/tmp/admin-coupons-e2e.png', fullPage: true });
});

it('npm run dev’s demo coupons and promotions are created once, and the same redeem code is printed again', async () => {
  const first = await seedDemoCoupons(started.worker.url, OWNER);
  expect(first.created).toHaveLength(8);
  expect(first.redeemCode).toMatch(/^[A-Z2-9]{12}$/);
  const again = await seedDemoCoupons(started.worker.url, OWNER);
  expect(again).toEqual({ created: [], redeemCode: first.redeemCode });
  const centre = await api('GET', '/coupons');
  expect(centre.items.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['满100减20（演示）', '全场9折券（演示）', '无门槛5元券（演示）']));
  const products = await api('GET', '/products');
  expect(products.items.some((p: { promotion: unknown }) => p.promotion !== null)).toBe(true);
});
