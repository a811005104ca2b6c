// The public flash-sale pages: the list of current and upcoming campaigns (cached for a second,
// fresh after a campaign write), and one campaign with live remaining stock from its shards.
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../src/app';
import { shardFor, stockObjectName } from '../../../../src/domain/flash-sale';
import { ManualClock } from '../../../../src/lib/clock';
import { newId } from '../../../../src/lib/ids';
import { api, BASE, createCategory, createProduct, json, tokenFor } from '../../../fixtures/helpers';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let operator: string;
let categoryId: string;

beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  categoryId = await createCategory(operator, '秒杀会场');
});

const iso = (ms: number) => new Date(ms).toISOString();
const stockObject = (itemId: string, shard = 0) => env.FLASH_SALE_STOCK.get(env.FLASH_SALE_STOCK.idFromName(stockObjectName(itemId, shard)));

/** A published product with two SKUs (¥199 red with its own image, ¥219 black), 100 of each. */
async function newProduct(title = '秒杀连衣裙') {
  const product = await createProduct(operator, categoryId, {
    title,
    main_image_url: 'https://img.example.com/main.jpg',
    specs: [{ name: '颜色', values: ['红色', '黑色'] }],
    skus: [
      { spec_values: ['红色'], price_fen: 19900, original_price_fen: 29900, stock: 100, image_url: 'https://img.example.com/red.jpg' },
      { spec_values: ['黑色'], price_fen: 21900, original_price_fen: 29900, stock: 100 },
    ],
  });
  return { productId: product.id as string, red: product.skus[0].id as string, black: product.skus[1].id as string };
}

async function newCampaign(opts: { startsAt: number; endsAt: number; items: { sku_id: string; flash_price_fen: number; flash_stock: number }[]; shards?: number; title?: string }) {
  const res = await api('POST', '/admin/api/flash-sales', {
    token: operator,
    body: { title: opts.title ?? '限时秒杀', starts_at: iso(opts.startsAt), ends_at: iso(opts.endsAt), per_user_limit: 5, per_order_limit: 5, shard_count: opts.shards ?? 1, items: opts.items },
  });
  if (res.status !== 201) throw new Error(`flash sale: ${res.status} ${await res.text()}`);
  return json(res);
}

const list = async () => json<{ server_time: string; items: any[] }>(api('GET', '/flash-sales'));

describe('GET /flash-sales', () => {
  it('lists live and upcoming campaigns with their products, soonest first, and server_time', async () => {
    const p = await newProduct();
    const now = Date.now();
    const live = await newCampaign({ startsAt: now - 1000, endsAt: now + HOUR, title: '正在抢', items: [{ sku_id: p.red, flash_price_fen: 990, flash_stock: 10 }] });
    const upcoming = await newCampaign({
      startsAt: now + 2 * HOUR,
      endsAt: now + 3 * HOUR,
      title: '即将开始',
      items: [
        { sku_id: p.red, flash_price_fen: 1990, flash_stock: 5 },
        { sku_id: p.black, flash_price_fen: 2990, flash_stock: 7 },
      ],
    });
    const before = Date.now();
    const res = await api('GET', '/flash-sales');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Date.parse(body.server_time)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(body.server_time)).toBeLessThanOrEqual(Date.now());
    const ids = body.items.map((s: { id: string }) => s.id);
    expect(ids.indexOf(live.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(live.id)).toBeLessThan(ids.indexOf(upcoming.id));
    expect(body.items.find((s: { id: string }) => s.id === live.id)).toEqual({
      id: live.id,
      title: '正在抢',
      starts_at: live.starts_at,
      ends_at: live.ends_at,
      daily_slots: null,
      state: 'live',
      opens_at: null,
      closes_at: live.ends_at,
      per_user_limit: 5,
      per_order_limit: 5,
      products: [
        {
          item_id: live.items[0].id,
          sku_id: p.red,
          product_id: p.productId,
          title: '秒杀连衣裙',
          image_url: 'https://img.example.com/red.jpg',
          spec_values: ['红色'],
          flash_price_fen: 990,
          original_price_fen: 19900,
          flash_stock: 10,
        },
      ],
    });
    const next = body.items.find((s: { id: string }) => s.id === upcoming.id);
    expect(next).toMatchObject({ state: 'upcoming', opens_at: upcoming.starts_at, closes_at: null });
    expect(next.products.map((x: { sku_id: string; image_url: string; flash_stock: number }) => [x.sku_id, x.image_url, x.flash_stock])).toEqual([
      [p.red, 'https://img.example.com/red.jpg', 5],
      [p.black, 'https://img.example.com/main.jpg', 7],
    ]);
  });

  it('is cacheable for one second only, with an ETag, and a campaign write shows at once', async () => {
    const first = await api('GET', '/flash-sales');
    expect(first.headers.get('Cache-Control')).toBe('public, max-age=1, s-maxage=1');
    const etag = first.headers.get('ETag')!;
    expect(etag).toMatch(/^"[0-9a-f]{24}"$/);
    expect(first.headers.get('Set-Cookie')).toBeNull();
    const again = await api('GET', '/flash-sales', { headers: { 'If-None-Match': etag } });
    expect([200, 304]).toContain(again.status); // 304 while the same response is cached

    // Creating a campaign bumps the catalog version: the very next read has it.
    const p = await newProduct();
    const now = Date.now();
    const sale = await newCampaign({ startsAt: now + HOUR, endsAt: now + 2 * HOUR, items: [{ sku_id: p.red, flash_price_fen: 990, flash_stock: 3 }] });
    expect((await list()).items.map((s) => s.id)).toContain(sale.id);
    // Cancelling does too: the next read no longer has it.
    expect((await api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: operator })).status).toBe(200);
    expect((await list()).items.map((s) => s.id)).not.toContain(sale.id);
  });

  it('hides cancelled and ended campaigns, and products no longer on sale', async () => {
    const p = await newProduct();
    const q = await newProduct('下架的商品');
    const now = Date.now();
    const short = await newCampaign({ startsAt: now + HOUR, endsAt: now + 2 * HOUR, items: [{ sku_id: p.red, flash_price_fen: 990, flash_stock: 3 }] });
    const later = await newCampaign({ startsAt: now + 3 * HOUR, endsAt: now + 4 * HOUR, items: [{ sku_id: p.black, flash_price_fen: 990, flash_stock: 3 }] });
    const unpublished = await newCampaign({ startsAt: now + HOUR, endsAt: now + 2 * HOUR, items: [{ sku_id: q.red, flash_price_fen: 990, flash_stock: 3 }] });
    expect((await api('POST', `/admin/api/products/${q.productId}/unpublish`, { token: operator })).status).toBe(200);

    // Later, on a clock 2½ hours on: `short` has ended, `later` is still to come.
    const clock = new ManualClock(now + 2.5 * HOUR);
    const app = createApp({ clock });
    const get = (path: string) => app.request(`${BASE}${path}`, {}, env, createExecutionContext());
    const body = await json(get('/flash-sales'));
    const ids = body.items.map((s: { id: string }) => s.id);
    expect(ids).not.toContain(short.id);
    expect(ids).toContain(later.id);
    expect(ids).not.toContain(unpublished.id); // its only product is unpublished
    expect(Date.parse(body.server_time)).toBe(now + 2.5 * HOUR);

    // An hour later still, `later` is live.
    clock.advance(HOUR);
    const onAir = await newProduct(); // any catalog write: a new version, so no cached list
    void onAir;
    expect((await json(get('/flash-sales'))).items.find((s: { id: string }) => s.id === later.id)?.state).toBe('live');
  });

  it('refuses query parameters it does not know', async () => {
    expect((await api('GET', '/flash-sales?page=2')).status).toBe(400);
  });
});

describe('GET /flash-sales/:id', () => {
  it('shows live remaining stock summed over the shards', async () => {
    const p = await newProduct();
    const now = Date.now();
    const sale = await newCampaign({
      startsAt: now - 1000,
      endsAt: now + HOUR,
      shards: 3,
      items: [
        { sku_id: p.red, flash_price_fen: 990, flash_stock: 10 },
        { sku_id: p.black, flash_price_fen: 1990, flash_stock: 4 },
      ],
    });
    // Units taken from several shards (each shopper lands on their own shard).
    const shoppers = Array.from({ length: 6 }, () => newId('usr'));
    for (const shopper of shoppers) {
      const result = await stockObject(sale.items[0].id, shardFor(shopper, 3)).reserve({ reservationId: newId('rsv'), userId: shopper, quantity: 1, nowMs: Date.now() });
      expect(result.ok).toBe(true);
    }
    const res = await api('GET', `/flash-sales/${sale.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=0, s-maxage=1');
    const body = await json(res);
    expect(body).toMatchObject({ id: sale.id, state: 'live', per_user_limit: 5, server_time: expect.any(String) });
    expect(body.products.map((x: { sku_id: string; remaining: number; flash_stock: number }) => [x.sku_id, x.flash_stock, x.remaining])).toEqual([
      [p.red, 10, 4],
      [p.black, 4, 4],
    ]);

    // Cached for a second at most: within it, reads do not reach the stock objects; then the next sale shows.
    const shopper = newId('usr');
    await stockObject(sale.items[1].id, shardFor(shopper, 3)).reserve({ reservationId: newId('rsv'), userId: shopper, quantity: 3, nowMs: Date.now() });
    const cached = await api('GET', `/flash-sales/${sale.id}`);
    expect(cached.headers.get('X-Cache')).toBe('HIT');
    expect((await json(cached)).products.map((x: { remaining: number }) => x.remaining)).toEqual([4, 4]);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const later = await json(api('GET', `/flash-sales/${sale.id}`));
    expect(later.products.map((x: { remaining: number }) => x.remaining)).toEqual([4, 1]);
  });

  it('shows an upcoming campaign with its full stock, and an ended one with nothing left', async () => {
    const p = await newProduct();
    const now = Date.now();
    const sale = await newCampaign({ startsAt: now + HOUR, endsAt: now + 2 * HOUR, shards: 2, items: [{ sku_id: p.red, flash_price_fen: 990, flash_stock: 9 }] });
    const upcoming = await json(api('GET', `/flash-sales/${sale.id}`));
    expect(upcoming).toMatchObject({ state: 'upcoming', products: [{ remaining: 9, flash_stock: 9 }] });

    const app = createApp({ clock: new ManualClock(now + 3 * HOUR) });
    await newProduct(); // a new catalog version, so nothing cached is reused
    const ended = await json(app.request(`${BASE}/flash-sales/${sale.id}`, {}, env, createExecutionContext()));
    expect(ended).toMatchObject({ state: 'ended', products: [{ remaining: 0 }] });
  });

  it('answers 404 for unknown and cancelled campaigns and 400 for bad ids', async () => {
    const p = await newProduct();
    const now = Date.now();
    const sale = await newCampaign({ startsAt: now + HOUR, endsAt: now + 2 * HOUR, items: [{ sku_id: p.red, flash_price_fen: 990, flash_stock: 3 }] });
    expect((await api('POST', `/admin/api/flash-sales/${sale.id}/cancel`, { token: operator })).status).toBe(200);
    const cancelled = await api('GET', `/flash-sales/${sale.id}`);
    expect(cancelled.status).toBe(404);
    expect((await json(cancelled)).error.code).toBe('not_found');
    expect((await api('GET', '/flash-sales/fls_doesnotexist')).status).toBe(404);
    for (const bad of ['not-an-id', 'prd_0123456789abcdef', 'fls_UPPER', `fls_${'x'.repeat(70)}`]) {
      const res = await api('GET', `/flash-sales/${bad}`);
      expect(res.status, bad).toBe(400);
      expect((await json(res)).error.details[0].path).toBe('param.id');
    }
    expect((await api('GET', `/flash-sales/${sale.id}?x=1`)).status).toBe(400);
  });
});
