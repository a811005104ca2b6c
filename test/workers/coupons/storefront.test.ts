// 限时折扣 on the storefront: list and detail carry the promotional price and its end, and the
// edge cache never serves a price past its next change (a discount ending or starting).
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { ManualClock } from '../../../src/lib/clock';
import { activeCoupon } from '../../fixtures/coupons';
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

describe('listings sort and filter by the price shoppers see', () => {
  it('a 限时折扣 moves a product in price order and across price filters, on every page, and from the moment it starts', async () => {
    const categoryId = await createCategory(operator, '按价排序');
    const productAt = (priceFen: number) => createProduct(operator, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: priceFen, original_price_fen: priceFen, stock: 5 }] });
    const a = await productAt(10000);
    const b = await productAt(12000);
    const c = await productAt(15000);
    // C drops to ¥90 in 30 s; B's 5% off (¥114) runs now.
    expect((await timedDiscount(c.id, 30_000, 3_600_000, { kind: 'fixed_price', value: 9000 })).status).toBe(201);
    expect((await timedDiscount(b.id, -1000, 3_600_000, { value: 5 })).status).toBe(201);
    const clock = new ManualClock(Date.now());
    const get = (path: string) => createApp({ clock }).request(`${BASE}${path}`, {}, env, createExecutionContext());
    const ids = async (query: string) => (await json(get(`/products?category_id=${categoryId}&${query}`))).items.map((p: { id: string }) => p.id);
    const pagedIds = async (query: string) => {
      const seen: string[] = [];
      let cursor = '';
      do {
        const page = await json(get(`/products?category_id=${categoryId}&${query}&limit=1${cursor && `&cursor=${cursor}`}`));
        seen.push(...page.items.map((p: { id: string }) => p.id));
        cursor = page.next_cursor ?? '';
      } while (cursor);
      return seen;
    };

    expect(await ids('sort=price_asc')).toEqual([a.id, b.id, c.id]);
    expect(await ids('min_price=11000&max_price=11500')).toEqual([b.id]); // ¥114 now, though listed at ¥120
    const before = await get(`/products?category_id=${categoryId}&sort=price_desc`);
    expect(Number(before.headers.get('X-Fresh-Until'))).toBeLessThanOrEqual(clock.now() + 30_000);

    clock.advance(31_000);
    const after = await get(`/products?category_id=${categoryId}&sort=price_desc`);
    expect(after.headers.get('X-Cache')).toBe('MISS');
    expect((await json(after)).items.map((p: { id: string }) => p.id)).toEqual([b.id, a.id, c.id]);
    expect(await ids('sort=price_asc')).toEqual([c.id, a.id, b.id]);
    expect(await pagedIds('sort=price_asc')).toEqual([c.id, a.id, b.id]);
    expect(await pagedIds('sort=price_desc')).toEqual([b.id, a.id, c.id]);
    expect(await ids('max_price=9500')).toEqual([c.id]);
    expect(await ids('min_price=9500&sort=price_asc')).toEqual([a.id, b.id]);
  });

  it('cards and the product page carry the 满减/满折 activities they take part in, from the activity’s start', async () => {
    const categoryId = await createCategory(operator, '满减角标');
    const inScope = await createProduct(operator, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 5000, original_price_fen: 5000, stock: 5 }] });
    const tiered = (name: string, scope: Record<string, unknown>, startsInMs: number, extra: Record<string, unknown>) =>
      api('POST', '/admin/api/promotions', {
        token: operator,
        body: { type: 'tiered', name, scope, starts_at: new Date(Date.now() + startsInMs).toISOString(), ends_at: new Date(Date.now() + 3_600_000).toISOString(), ...extra },
      });
    const amountOff = {
      condition: 'amount',
      benefit: 'amount_off',
      tiers: [
        { threshold: 10000, value: 1000 },
        { threshold: 20000, value: 3000 },
      ],
    };
    expect((await tiered('满减', { kind: 'include', category_ids: [categoryId] }, -1000, amountOff)).status).toBe(201);
    expect((await tiered('别处', { kind: 'include', category_ids: [], product_ids: ['prd_elsewhere'] }, -1000, amountOff)).status).toBe(400); // unknown product
    const later = await tiered('满件折', { kind: 'include', category_ids: [], product_ids: [inScope.id] }, 60_000, {
      condition: 'quantity',
      benefit: 'percent_off',
      tiers: [{ threshold: 2, value: 15 }],
    });
    expect(later.status).toBe(201);
    const clock = new ManualClock(Date.now());
    const get = (path: string) => createApp({ clock }).request(`${BASE}${path}`, {}, env, createExecutionContext());
    const offers = async () => (await json(get(`/products?category_id=${categoryId}`))).items[0].offers.map((o: { name: string; tiers: string[] }) => [o.name, o.tiers]);
    expect(await offers()).toEqual([['满减', ['满100减10', '满200减30']]]);
    clock.advance(61_000);
    expect(await offers()).toEqual([
      ['满减', ['满100减10', '满200减30']],
      ['满件折', ['满2件8.5折']],
    ]);
    expect((await json(get(`/products/${inScope.id}`))).offers.map((o: { name: string }) => o.name)).toEqual(['满减', '满件折']);
  });
});

describe('coupon badges on the storefront', () => {
  it('cards and pages carry the centre coupons that apply to them, from their claim start, gone once paused', async () => {
    const categoryId = await createCategory(operator, '券角标');
    const product = await createProduct(operator, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 5000, original_price_fen: 5000, stock: 5 }] });
    const scope = { kind: 'include', category_ids: [categoryId] };
    const now = Date.now();
    const manjian = await activeCoupon(operator, { name: '满100减20', scope });
    await activeCoupon(operator, {
      name: '9折',
      kind: 'percent',
      threshold_fen: 0,
      amount_off_fen: undefined,
      percent_off: 10,
      cap_fen: 1000,
      scope,
      claim_starts_at: new Date(now + 60_000).toISOString(),
    });
    await activeCoupon(operator, { name: '不在领券中心', scope, in_centre: false });
    await activeCoupon(operator, { name: '别的商品', scope: { kind: 'exclude', category_ids: [categoryId], product_ids: [] } });
    const clock = new ManualClock(now);
    const get = (path: string) => createApp({ clock }).request(`${BASE}${path}`, {}, env, createExecutionContext());
    const labels = async () => (await json(get(`/products?category_id=${categoryId}`))).items[0].coupons.map((c: { label: string }) => c.label);
    expect(await labels()).toEqual(['满100减20']);
    clock.advance(61_000); // the 9折 coupon's claim window opens: the cached listing does not outlive it
    expect((await labels()).sort()).toEqual(['9折', '满100减20']);
    expect((await json(get(`/products/${product.id}`))).coupons.map((c: { name: string }) => c.name).sort()).toEqual(['9折', '满100减20']);
    expect((await api('POST', `/admin/api/coupons/${manjian.id}/pause`, { token: operator })).status).toBe(200);
    expect(await labels()).toEqual(['9折']);
  });
});
