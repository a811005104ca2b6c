// Every class of bad input gets a clear 4xx naming the field, never a 500, and writes nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, catalogSnapshot, createCategory, createProduct, json, productBody, tokenFor } from '../../fixtures/helpers';

let token: string;
let categoryId: string;
let product: { id: string; skus: { id: string }[] };

beforeAll(async () => {
  token = (await tokenFor('owner')).token;
  categoryId = await createCategory(token, '校验');
  product = await createProduct(token, categoryId);
});

async function expectRefused(res: Promise<Response>, status: number, path?: string) {
  const response = await res;
  const body = await json(response);
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toEqual(expect.any(String));
  expect(body.error.message).toEqual(expect.any(String));
  if (path) expect(body.error.details.map((d: { path: string }) => d.path)).toContain(path);
}

async function expectNothingWritten(run: () => Promise<void>) {
  const before = await catalogSnapshot();
  await run();
  expect(await catalogSnapshot()).toEqual(before);
}

const withSku = (patch: Record<string, unknown>) => productBody(categoryId, { skus: [{ ...productBody('x').skus[0], ...patch }], specs: productBody('x').specs });

describe('bad request bodies', () => {
  it('malformed JSON', () =>
    expectNothingWritten(() => expectRefused(api('POST', '/admin/api/products', { token, rawBody: '{"title": "缺右括号"', headers: { 'Content-Type': 'application/json' } }), 400, 'body')));

  it('JSON sent as another content type', () =>
    expectNothingWritten(() =>
      expectRefused(api('POST', '/admin/api/categories', { token, rawBody: JSON.stringify({ name: '分类' }), headers: { 'Content-Type': 'text/plain' } }), 415, 'header.content-type'),
    ));

  it('wrong types', () =>
    expectNothingWritten(async () => {
      await expectRefused(api('POST', '/admin/api/products', { token, body: withSku({ price_fen: '12900' }) }), 400, 'body.skus.0.price_fen');
      await expectRefused(api('POST', '/admin/api/products', { token, body: { ...productBody(categoryId), tags: '新品' } }), 400, 'body.tags');
      await expectRefused(api('POST', '/admin/api/products', { token, body: [] }), 400);
    }));

  it('negative, fractional and absurd prices', () =>
    expectNothingWritten(async () => {
      await expectRefused(api('POST', '/admin/api/products', { token, body: withSku({ price_fen: -1 }) }), 400, 'body.skus.0.price_fen');
      await expectRefused(api('POST', '/admin/api/products', { token, body: withSku({ price_fen: 12.5 }) }), 400, 'body.skus.0.price_fen');
      await expectRefused(api('POST', '/admin/api/products', { token, body: withSku({ original_price_fen: 1e12 }) }), 400, 'body.skus.0.original_price_fen');
      await expectRefused(api('PATCH', `/admin/api/skus/${product.skus[0]!.id}`, { token, body: { price_fen: -100 } }), 400, 'body.price_fen');
      await expectRefused(api('POST', '/admin/api/products', { token, body: withSku({ member_price_fen: 99999 }) }), 400, 'body.skus.0.member_price_fen');
      await expectRefused(api('POST', '/admin/api/products', { token, body: withSku({ original_price_fen: 100 }) }), 400, 'body.skus.0.original_price_fen');
    }));

  it('oversized strings and lists', () =>
    expectNothingWritten(async () => {
      await expectRefused(api('POST', '/admin/api/products', { token, body: productBody(categoryId, { title: '长'.repeat(61) }) }), 400, 'body.title');
      await expectRefused(api('POST', '/admin/api/products', { token, body: productBody(categoryId, { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }) }), 400, 'body.tags');
      await expectRefused(api('POST', '/admin/api/categories', { token, body: { name: 'x'.repeat(21) } }), 400, 'body.name');
      await expectRefused(api('POST', '/admin/api/products', { token, body: productBody(categoryId, { title: '   ' }) }), 400, 'body.title');
    }));

  it('bodies over the size limit (413 before parsing)', () =>
    expectNothingWritten(() => expectRefused(api('POST', '/admin/api/products', { token, body: productBody(categoryId, { description: 'x'.repeat(300_000) }) }), 413)));

  it('unknown fields', () => expectNothingWritten(() => expectRefused(api('POST', '/admin/api/products', { token, body: productBody(categoryId, { status: 'published' }) }), 400, 'body.status')));

  it('SKUs that do not fit the specs', () =>
    expectNothingWritten(async () => {
      const body = productBody(categoryId);
      body.skus[1]!.spec_values = ['绿色', 'S'];
      body.skus[2]!.spec_values = ['红色', 'S'];
      body.skus[3]!.spec_values = ['黑色'];
      const res = await api('POST', '/admin/api/products', { token, body });
      expect(res.status).toBe(400);
      const paths = (await json(res)).error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['body.skus.1.spec_values.0', 'body.skus.2.spec_values', 'body.skus.3.spec_values']));
    }));

  it('unknown ids', () =>
    expectNothingWritten(async () => {
      await expectRefused(api('POST', '/admin/api/products', { token, body: productBody('cat_nosuchcategory') }), 422, 'body.category_id');
      await expectRefused(api('PATCH', '/admin/api/products/prd_nosuchproduct', { token, body: { title: '新标题' } }), 404);
      await expectRefused(api('POST', '/admin/api/skus/sku_nosuchsku/stock-adjustments', { token, body: { delta: 1, reason: 'x' } }), 404);
      await expectRefused(api('PATCH', '/admin/api/accounts/mer_nosuchaccount', { token, body: { role: 'viewer' } }), 404);
      await expectRefused(api('POST', '/admin/api/products/not-an-id/publish', { token }), 400, 'param.id');
    }));

  it('stock adjustments that are not exactly one of delta or set_to', () =>
    expectNothingWritten(async () => {
      const path = `/admin/api/skus/${product.skus[0]!.id}/stock-adjustments`;
      await expectRefused(api('POST', path, { token, body: { reason: '无数量' } }), 400);
      await expectRefused(api('POST', path, { token, body: { delta: 1, set_to: 3, reason: '两者都有' } }), 400);
      await expectRefused(api('POST', path, { token, body: { delta: 0, reason: '零' } }), 400, 'body.delta');
      await expectRefused(api('POST', path, { token, body: { set_to: -5, reason: '负数' } }), 400, 'body.set_to');
      await expectRefused(api('POST', path, { token, body: { delta: 1 } }), 400, 'body.reason');
    }));
});

describe('bad queries', () => {
  it('oversized and malformed pages', async () => {
    await expectRefused(api('GET', '/products?limit=1000'), 400, 'query.limit');
    await expectRefused(api('GET', '/products?limit=0'), 400, 'query.limit');
    await expectRefused(api('GET', '/products?limit=ten'), 400, 'query.limit');
    await expectRefused(api('GET', `/products?cursor=${'x'.repeat(600)}`), 400, 'query.cursor');
    await expectRefused(api('GET', '/admin/api/products?limit=51', { token }), 400, 'query.limit');
  });

  it('bad filters and sorts', async () => {
    await expectRefused(api('GET', '/products?sort=random'), 400, 'query.sort');
    await expectRefused(api('GET', '/products?min_price=-5'), 400, 'query.min_price');
    await expectRefused(api('GET', '/products?min_price=500&max_price=100'), 400, 'query.max_price');
    await expectRefused(api('GET', '/products?on_sale=maybe'), 400, 'query.on_sale');
    await expectRefused(api('GET', '/products?category_id=../../etc'), 400, 'query.category_id');
    await expectRefused(api('GET', '/products?utm_source=spam'), 400, 'query.utm_source');
  });

  it('bad search queries', async () => {
    await expectRefused(api('GET', '/search'), 400, 'query.q');
    await expectRefused(api('GET', '/search?q=%20%20'), 400, 'query.q');
    await expectRefused(api('GET', `/search?q=${'长'.repeat(41)}`), 400, 'query.q');
  });

  it('unknown routes and methods', async () => {
    await expectRefused(api('GET', '/no/such/route'), 404);
    await expectRefused(api('DELETE', '/products'), 404);
  });
});
