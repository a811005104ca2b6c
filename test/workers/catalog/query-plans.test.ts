// Every storefront list and search query must be answered through an index: a full scan of a
// catalog table would grow with the catalog and, on D1, block every other query meanwhile.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client';
import { listProducts, productSorts, searchProducts, type ProductListFilter } from '../../../src/services/catalog';
import { buildSeedSql } from '../../../scripts/seed-data';
import { createCategory, createProduct, tokenFor } from '../../fixtures/helpers';

type Captured = { sql: string; params: unknown[] };

/** Runs `work` against a D1 that records every statement it prepares, with its bound values. */
async function captureQueries(work: (db: ReturnType<typeof createDb>) => Promise<unknown>): Promise<Captured[]> {
  const captured: Captured[] = [];
  const recordingD1 = new Proxy(env.DB, {
    get(target, prop) {
      if (prop === 'prepare') {
        return (sql: string) => {
          const entry: Captured = { sql, params: [] };
          captured.push(entry);
          const statement = target.prepare(sql);
          return new Proxy(statement, {
            get(st, p) {
              if (p === 'bind') {
                return (...params: unknown[]) => {
                  entry.params = params;
                  return st.bind(...params);
                };
              }
              const v = Reflect.get(st, p);
              return typeof v === 'function' ? v.bind(st) : v;
            },
          });
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  await work(createDb(recordingD1));
  return captured;
}

async function planOf(q: Captured): Promise<string[]> {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
    .bind(...q.params)
    .all<{ detail: string }>();
  return results.map((r) => r.detail);
}

/** "SCAN t" without an index is a full table scan; index scans and FTS lookups are fine. */
const isFullScan = (detail: string) => /^SCAN /.test(detail) && !/USING (COVERING )?INDEX|VIRTUAL TABLE|CONSTANT ROW/.test(detail);

async function expectNoFullScan(label: string, work: (db: ReturnType<typeof createDb>) => Promise<unknown>) {
  const queries = (await captureQueries(work)).filter((q) => /\bproducts\b/.test(q.sql));
  expect(queries.length, label).toBeGreaterThan(0);
  for (const q of queries) {
    const plan = await planOf(q);
    expect(plan.filter(isFullScan), `${label}\n${q.sql}\n${plan.join('\n')}`).toEqual([]);
  }
}

let categoryId: string;
beforeAll(async () => {
  // The demo shop (200 products), so plans are taken on a catalog of a believable shape.
  await env.DB.batch(buildSeedSql({ now: Date.now() }).map((s) => env.DB.prepare(s)));
  const { token } = await tokenFor('operator');
  categoryId = await createCategory(token, '执行计划');
  await createProduct(token, categoryId, { tags: ['热卖'] });
});

describe('query plans', () => {
  it('the self-check recognises a full table scan', async () => {
    const plan = await planOf({ sql: 'SELECT * FROM products WHERE title = ?', params: ['x'] });
    expect(plan.some(isFullScan)).toBe(true);
  });

  it('product list queries use indexes for every sort and filter', async () => {
    const filters: Omit<ProductListFilter, 'sort'>[] = [
      { limit: 20 },
      { limit: 20, categoryId: 'placeholder' },
      { limit: 20, tag: '热卖' },
      { limit: 20, minPriceFen: 1000, maxPriceFen: 50000 },
      { limit: 20, onSaleOnly: true },
      { limit: 20, categoryId: 'placeholder', tag: '热卖', minPriceFen: 1, maxPriceFen: 99999, onSaleOnly: true },
      // A 限时折扣 running: price sorts and filters go by the shown price (a JSON parameter).
      { limit: 20, minPriceFen: 1000, maxPriceFen: 50000, discountedMinPrices: { prd_discounted1: 900 } },
      { limit: 20, categoryId: 'placeholder', discountedMinPrices: { prd_discounted1: 900, prd_discounted2: 15000 } },
    ];
    for (const sort of productSorts) {
      for (const filter of filters) {
        const withCategory = filter.categoryId ? { ...filter, categoryId } : filter;
        await expectNoFullScan(`${sort} ${JSON.stringify(filter)}`, async (db) => {
          const first = await listProducts(db, { ...withCategory, sort, limit: 1 });
          // A second page adds the keyset condition to the query.
          if (first.next_cursor) await listProducts(db, { ...withCategory, sort, cursor: first.next_cursor });
          else await listProducts(db, { ...withCategory, sort });
        });
      }
    }
  });

  it('search queries use the FTS index or the gram index', async () => {
    for (const q of ['连衣裙', '裙', '碎花 连衣裙', '红 连衣裙', 'ab']) {
      await expectNoFullScan(`search ${q}`, (db) => searchProducts(db, q, { limit: 20, status: 'published' }));
    }
  });
});
