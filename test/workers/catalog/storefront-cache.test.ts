import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { ManualClock } from '../../../src/lib/clock';
import { LIVE_STOCK_SECONDS } from '../../../src/services/live-stock';
import { api, BASE, createCategory, createProduct, json, placeOrder, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

let token: string;
let product: { id: string; skus: { id: string }[] };

beforeAll(async () => {
  token = (await tokenFor('operator')).token;
  product = await createProduct(token, await createCategory(token, '缓存测试'));
});

/** The app with a D1 binding that counts every statement it is asked to prepare or batch. */
function appCountingD1(clock?: ManualClock) {
  const counter = { statements: 0 };
  const countingDb = new Proxy(env.DB, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === 'prepare' || prop === 'batch' || prop === 'exec') {
        return (...args: unknown[]) => {
          counter.statements++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const app = createApp({ clock });
  const get = (path: string, headers: Record<string, string> = {}) => app.request(`${BASE}${path}`, { headers }, { ...env, DB: countingDb }, createExecutionContext());
  return { get, counter };
}

describe('storefront caching', () => {
  it('marks catalog responses cacheable: s-maxage, ETag, Cache-Tag, no Set-Cookie', async () => {
    for (const path of ['/categories', '/products', `/products/${product.id}`, '/search?q=%E8%BF%9E%E8%A1%A3%E8%A3%99']) {
      const res = await api('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('Cache-Control'), path).toMatch(/public, max-age=\d+, s-maxage=\d+/);
      expect(res.headers.get('ETag'), path).toMatch(/^"[0-9a-f]{24}"$/);
      expect(res.headers.get('Cache-Tag')).toBe('catalog');
      expect(res.headers.get('Set-Cookie')).toBeNull();
    }
  });

  it('serves a cache hit without a single D1 statement', async () => {
    const { get, counter } = appCountingD1();
    const path = `/products/${product.id}`;
    await get('/products?sort=sales&limit=7'); // miss: fills the cache
    counter.statements = 0;
    const hit = await get('/products?limit=7&sort=sales'); // same query, other parameter order
    expect(hit.status).toBe(200);
    expect(hit.headers.get('X-Cache')).toBe('HIT');
    expect(counter.statements).toBe(0);

    await get(path);
    counter.statements = 0;
    expect((await get(path)).headers.get('X-Cache')).toBe('HIT');
    expect(counter.statements).toBe(0);
  });

  it('answers 304 to a matching If-None-Match, on a miss and on a hit', async () => {
    const first = await api('GET', '/categories');
    const etag = first.headers.get('ETag')!;
    const again = await api('GET', '/categories', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('ETag')).toBe(etag);
    expect(await again.text()).toBe('');
    const other = await api('GET', '/categories', { headers: { 'If-None-Match': '"something-else"' } });
    expect(other.status).toBe(200);
  });

  it('shows a merchant edit on the very next read in the same location', async () => {
    const before = await api('GET', `/products/${product.id}`);
    const versionBefore = Number(before.headers.get('X-Catalog-Version'));
    expect((await json(before)).skus[0].price_fen).toBe(12900);
    expect((await api('GET', `/products/${product.id}`)).headers.get('X-Cache')).toBe('HIT');

    const edit = await api('PATCH', `/admin/api/skus/${product.skus[0]!.id}`, { token, body: { price_fen: 11900 } });
    expect(edit.status).toBe(200);

    const after = await api('GET', `/products/${product.id}`);
    expect(after.headers.get('X-Cache')).toBe('MISS');
    expect(Number(after.headers.get('X-Catalog-Version'))).toBe(versionBefore + 1);
    expect((await json(after)).skus[0].price_fen).toBe(11900);
    // An ETag from before the edit no longer matches.
    const conditional = await api('GET', `/products/${product.id}`, { headers: { 'If-None-Match': before.headers.get('ETag')! } });
    expect(conditional.status).toBe(200);
  });

  it('another isolate’s write reaches this isolate within CATALOG_VERSION_MEMORY_MS', async () => {
    const clock = new ManualClock(Date.now());
    const app = createApp({ clock });
    const get = () => app.request(`${BASE}/categories`, {}, env, createExecutionContext());
    const seen = Number((await get()).headers.get('X-Catalog-Version'));
    // What a merchant write in another isolate of this location leaves behind: D1 and the
    // location's cache hold the next version; this isolate's memory still holds the old one.
    await env.DB.prepare('UPDATE catalog_state SET version = version + 1').run();
    await caches.default.put('https://catalog-cache.internal/catalog-version', new Response(String(seen + 1), { headers: { 'Cache-Control': 'max-age=5' } }));
    clock.advance(900);
    expect(Number((await get()).headers.get('X-Catalog-Version'))).toBe(seen);
    clock.advance(200);
    expect(Number((await get()).headers.get('X-Catalog-Version'))).toBe(seen + 1);
  });

  it('shows live stock on a cached product page: an order moves it within a second, the page itself stays a hit (issue 16.7)', async () => {
    const live = await createProduct(token, await createCategory(token, '实时库存'));
    const clock = new ManualClock(Date.now());
    const { get, counter } = appCountingD1(clock);
    const path = `/products/${live.id}`;
    const sku = (page: any) => page.skus.find((s: { id: string }) => s.id === live.skus[0]!.id);
    const first = await get(path);
    expect(sku(await first.json()).stock).toBe(5);
    expect((await get(path)).headers.get('X-Cache')).toBe('HIT');

    // A shopper buys 4 of the 5 (through the worker, another isolate): no merchant write, no new catalog version.
    const buyer = await shopperWithAddress();
    expect((await placeOrder(buyer.token, { items: [{ sku_id: live.skus[0]!.id, quantity: 4 }] })).status).toBe(201);
    clock.advance(LIVE_STOCK_SECONDS * 1000 + 1);
    counter.statements = 0;
    const after = await get(path);
    expect(after.headers.get('X-Cache')).toBe('HIT');
    expect(counter.statements).toBe(1); // the stock read; the page came from the cache
    const page = await after.json<any>();
    expect(sku(page)).toMatchObject({ stock: 1, stock_status: 'low_stock' });
    expect(after.headers.get('Cache-Control')).toBe(`public, max-age=0, s-maxage=${LIVE_STOCK_SECONDS}`);
    // The ETag follows the stock: the old one is a 200, the new one a 304.
    expect(after.headers.get('ETag')).not.toBe(first.headers.get('ETag'));
    expect((await get(path, { 'If-None-Match': first.headers.get('ETag')! })).status).toBe(200);
    expect((await get(path, { 'If-None-Match': after.headers.get('ETag')! })).status).toBe(304);
  });

  it('never caches errors', async () => {
    const { get, counter } = appCountingD1();
    expect((await get('/products/prd_missing')).status).toBe(404);
    counter.statements = 0;
    expect((await get('/products/prd_missing')).status).toBe(404);
    expect(counter.statements).toBeGreaterThan(0);
  });
});

describe('headers on every response', () => {
  it('sends secure headers and open CORS on the storefront', async () => {
    const res = await api('GET', '/products', { headers: { Origin: 'https://anywhere.example' } });
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Strict-Transport-Security')).toContain('max-age=');
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    const error = await api('GET', '/nowhere');
    expect(error.status).toBe(404);
    expect(error.headers.get('X-Content-Type-Options')).toBe('nosniff');
    // Browser-only headers are for pages, not JSON (src/http/answer-headers.ts).
    expect(error.headers.get('X-Frame-Options')).toBeNull();
    const page = await api('GET', '/admin/login');
    expect(page.headers.get('Content-Type')).toContain('text/html');
    expect(page.headers.get('X-Frame-Options')).toBe('SAMEORIGIN');
    expect(page.headers.get('Referrer-Policy')).toBe('same-origin');
  });

  it('answers storefront preflights for any origin, and exposes the request id on answers', async () => {
    const preflight = await api('OPTIONS', '/orders', {
      headers: { Origin: 'https://h5.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type,idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries([...preflight.headers].filter(([name]) => name.startsWith('access-control') || name === 'vary'))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,HEAD,PUT,POST,DELETE,PATCH,QUERY',
      'access-control-allow-headers': 'authorization,content-type,idempotency-key',
      'access-control-expose-headers': 'X-Request-Id,Retry-After',
      'access-control-max-age': '600',
      vary: 'Access-Control-Request-Headers',
    });
    const refusal = await api('POST', '/orders', { headers: { Origin: 'https://h5.example' }, body: {} });
    expect(refusal.status).toBe(401);
    expect(refusal.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(refusal.headers.get('Access-Control-Expose-Headers')).toBe('X-Request-Id,Retry-After');
    expect(refusal.headers.get('Cache-Control')).toBe('no-store');
  });

  it('lets only configured origins call the admin API from a browser', async () => {
    const allowed = await api('OPTIONS', '/admin/api/products', {
      headers: { Origin: 'https://admin.example.com', 'Access-Control-Request-Method': 'POST' },
    });
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://admin.example.com');
    const refused = await api('OPTIONS', '/admin/api/products', {
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});
