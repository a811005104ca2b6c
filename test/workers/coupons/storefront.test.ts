// 限时折扣 on the storefront: list and detail carry the promotional price and its end, and the
// edge cache never serves a price past its next change (a discount ending or starting).
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { ManualClock } from '../../../src/lib/clock';
import { api, BASE, createCategory, createProduct, json, tokenFor } from '../../fixtures/helpers';

let operator: string;
beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
});

const timedDiscount = (productId: string, startsInMs: number, endsInMs: number, extra: Record<string, unknown> = {}) =>
  api('POST', '/admin/api/promotions', {
    token: operator,
    body: {
      type: 'timed_discount',
      name: '限时折扣',
      product_id: productId,
      kind: 'percent_off',
      value: 20,
      starts_at: new Date(Date.now() + startsInMs).toISOString(),
      ends_at: new Date(Date.now() + endsInMs).toISOString(),
      ...extra,
    },
  });

describe('限时折扣 on the storefront', () => {
  it('shows the price and its end on list and detail, and no cached page outlives it', async () => {
    const categoryId = await createCategory(operator, '限时');
    const product = await createProduct(operator, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 10000, original_price_fen: 10000, stock: 5 }] });
    const created = await timedDiscount(product.id, -60_000, 120_000);
    expect(created.status).toBe(201);
    const clock = new ManualClock(Date.now());
    const app = createApp({ clock });
    const get = (path: string) => app.request(`${BASE}${path}`, {}, env, createExecutionContext());

    const detail = await get(`/products/${product.id}`);
    const page = await json(detail);
    expect(page.promotion).toMatchObject({ price_fen: 8000, ends_at: (await json(created)).ends_at });
    expect(page.skus[0].promotion).toMatchObject({ price_fen: 8000 });
    const list = await get(`/products?category_id=${categoryId}`);
    expect(list.headers.get('Cache-Control')).toMatch(/s-maxage=(\d+)/);
    expect(Number(/s-maxage=(\d+)/.exec(list.headers.get('Cache-Control')!)![1])).toBeLessThanOrEqual(120);
    expect((await json(list)).items[0].promotion).toMatchObject({ price_fen: 8000 });
    expect((await get(`/products?category_id=${categoryId}`)).headers.get('X-Cache')).toBe('HIT');

    clock.advance(121_000);
    const after = await get(`/products?category_id=${categoryId}`);
    expect(after.headers.get('X-Cache')).toBe('MISS');
    expect((await json(after)).items[0].promotion).toBeNull();
    expect((await json(get(`/products/${product.id}`))).promotion).toBeNull();
  });

  it('a discount still to start caps the cache at its start, and a SKU price wins over a product one when lower', async () => {
    const categoryId = await createCategory(operator, '预告');
    const product = await createProduct(operator, categoryId, {
      specs: [{ name: '颜色', values: ['红', '黑'] }],
      skus: [
        { spec_values: ['红'], price_fen: 10000, original_price_fen: 10000, stock: 5 },
        { spec_values: ['黑'], price_fen: 12000, original_price_fen: 12000, stock: 5 },
      ],
    });
    expect((await timedDiscount(product.id, 30_000, 3_600_000)).status).toBe(201);
    expect((await timedDiscount(product.id, -1000, 3_600_000, { sku_id: product.skus[1].id, kind: 'fixed_price', value: 7000 })).status).toBe(201);
    const clock = new ManualClock(Date.now());
    const get = (path: string) => createApp({ clock }).request(`${BASE}${path}`, {}, env, createExecutionContext());
    const before = await get(`/products/${product.id}`);
    const page = await json(before);
    expect(page.skus.map((s: { promotion: { price_fen: number } | null }) => s.promotion?.price_fen ?? null)).toEqual([null, 7000]);
    expect(page.promotion.price_fen).toBe(7000);
    clock.advance(31_000);
    const started = await json(get(`/products/${product.id}`));
    expect(started.skus.map((s: { promotion: { price_fen: number } | null }) => s.promotion?.price_fen ?? null)).toEqual([8000, 7000]);
  });
});
