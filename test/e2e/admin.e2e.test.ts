// The admin page in a real browser against the production bundle: log in, find a product, change
// a price through the form, and see the storefront serve the new price.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { merchantAccountRow, workerAndBrowser } from './browser';

const OWNER = { id: 'mer_e2eowner', username: 'e2e_owner', password: 'e2e password 123' };

const started = workerAndBrowser();

async function api<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const res = await fetch(`${started.worker.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type Product = { id: string; skus: { id: string; spec_values: string[]; price_fen: number }[] };

async function createPublishedProduct(): Promise<Product> {
  const now = Date.now();
  await (await merchantAccountRow(started.worker.db, OWNER, now)).run();
  const { token } = await api<{ token: string }>('POST', '/admin/api/login', { username: OWNER.username, password: OWNER.password });
  const category = await api<{ id: string }>('POST', '/admin/api/categories', { name: '女装' }, token);
  const product = await api<Product>(
    'POST',
    '/admin/api/products',
    {
      category_id: category.id,
      title: '法式复古碎花连衣裙',
      subtitle: '夏季新款',
      main_image_url: 'https://img.example.com/p/1.jpg',
      specs: [{ name: '尺码', values: ['S', 'M'] }],
      skus: [
        { spec_values: ['S'], price_fen: 12900, original_price_fen: 19900, stock: 5 },
        { spec_values: ['M'], price_fen: 13900, original_price_fen: 19900, stock: 8 },
      ],
    },
    token,
  );
  await api('POST', `/admin/api/products/${product.id}/publish`, undefined, token);
  return product;
}

/** The fonts Chromium drew an element's text with (CSS.getPlatformFontsForNode of its text node). */
async function renderedFonts(page: Page, selector: string) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');
  await cdp.send('CSS.enable');
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
  const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
  await cdp.detach();
  return fonts;
}

it('logs in, finds a product, changes a price, and the storefront serves it', async () => {
  const product = await createPublishedProduct();
  const sku = product.skus.find((s) => s.spec_values[0] === 'M')!;
  const page = await started.browser.newPage({ viewport: { width: 1200, height: 800 } });

  await page.goto(`${started.worker.url}/admin`);
  expect(new URL(page.url()).pathname).toBe('/admin/login');
  await page.getByLabel('用户名').fill(OWNER.username);
  await page.getByLabel('密码').fill(OWNER.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL('**/admin/products');

  // The session cookie is stored with its production attributes, Secure included.
  const [cookie] = await page.context().cookies();
  expect(cookie).toMatchObject({ name: 'admin_session', httpOnly: true, secure: true, sameSite: 'Strict', path: '/admin' });

  await page.getByLabel('搜索').fill('连衣裙');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL(/q=/);
  await page.getByRole('link', { name: '法式复古碎花连衣裙' }).click();
  await page.waitForURL(`**/admin/products/${product.id}`);

  await page.locator(`input[name="${sku.id}.price"]`).fill('118.80');
  await page.getByRole('button', { name: '保存' }).click();
  await page.waitForURL(/saved=1/);
  await expect(page.getByRole('status').textContent()).resolves.toContain('已保存');
  expect(await page.locator(`input[name="${sku.id}.price"]`).inputValue()).toBe('118.80');
  await page.screenshot({ path: '/tmp/admin-e2e.png', fullPage: true });

  // The Chinese is drawn with a CJK font from the page's font stack, not as boxes or a stray fallback.
  const fonts = await renderedFonts(page, 'h1');
  const cjk = fonts.find((f) => /^(Noto Sans CJK SC|Source Han Sans SC|WenQuanYi Micro Hei)$/.test(f.familyName));
  expect(cjk, JSON.stringify(fonts)).toBeDefined();
  expect(cjk!.glyphCount).toBe([...(await page.locator('h1').textContent())!].length); // every character of 法式复古碎花连衣裙

  const storefront = await api<Product>('GET', `/products/${product.id}`);
  expect(storefront.skus.find((s) => s.id === sku.id)?.price_fen).toBe(11880);
});
