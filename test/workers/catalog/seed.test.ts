// The demo shop that `npm run dev` seeds: believable, consistent, and idempotent.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSeedSql } from '../../../scripts/seed-data';
import { api, json } from '../../fixtures/helpers';

const seed = () => env.DB.batch(buildSeedSql({ now: Date.parse('2026-11-01T00:00:00Z') }).map((s) => env.DB.prepare(s)));
const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())!.n;

beforeAll(seed);

describe('demo seed', () => {
  it('has two-level categories and 200 products with Chinese titles and image URLs', async () => {
    expect(await count('SELECT count(*) AS n FROM categories WHERE parent_id IS NULL')).toBeGreaterThanOrEqual(8);
    expect(await count('SELECT count(*) AS n FROM categories c JOIN categories p ON c.parent_id = p.id WHERE p.parent_id IS NULL')).toBeGreaterThan(8);
    expect(await count('SELECT count(*) AS n FROM categories c JOIN categories p ON c.parent_id = p.id WHERE p.parent_id IS NOT NULL')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM products')).toBe(200);
    expect(await count("SELECT count(*) AS n FROM products WHERE title GLOB '*[一-龥]*' AND main_image_url LIKE 'https://%'")).toBe(200);
  });

  it('has products with two spec dimensions and a SKU per combination', async () => {
    const twoDims = await count('SELECT count(*) AS n FROM products WHERE json_array_length(specs) = 2');
    expect(twoDims).toBeGreaterThan(50);
    const mismatched = await count(`SELECT count(*) AS n FROM products p WHERE json_array_length(p.specs) = 2 AND
      (SELECT count(*) FROM skus s WHERE s.product_id = p.id) !=
      json_array_length(json_extract(p.specs, '$[0].values')) * json_array_length(json_extract(p.specs, '$[1].values'))`);
    expect(mismatched).toBe(0);
  });

  it('keeps the list columns consistent with the SKUs', async () => {
    expect(
      await count(`SELECT count(*) AS n FROM products p WHERE
        min_price_fen != (SELECT MIN(price_fen) FROM skus WHERE product_id = p.id) OR
        max_price_fen != (SELECT MAX(price_fen) FROM skus WHERE product_id = p.id) OR
        total_stock != (SELECT SUM(stock) FROM skus WHERE product_id = p.id)`),
    ).toBe(0);
  });

  it('is searchable and served by the storefront', async () => {
    const results = await json(api('GET', `/search?q=${encodeURIComponent('连衣裙')}`));
    expect(results.items.length).toBeGreaterThan(0);
    const list = await json(api('GET', '/products?limit=50'));
    expect(list.items).toHaveLength(50);
    const detail = await json(api('GET', `/products/${list.items[0].id}`));
    expect(detail.skus.length).toBeGreaterThan(0);
  });

  it('is idempotent: seeding again adds nothing', async () => {
    const tables = ['categories', 'products', 'skus', 'product_tags', 'product_search_grams', 'stock_ledger'];
    const before = await Promise.all(tables.map((t) => count(`SELECT count(*) AS n FROM ${t}`)));
    await seed();
    expect(await Promise.all(tables.map((t) => count(`SELECT count(*) AS n FROM ${t}`)))).toEqual(before);
  });
});
