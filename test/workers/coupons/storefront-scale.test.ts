// A shop where a 限时折扣 runs on more products than one D1 statement may bind (100 parameters):
// listings, search and product pages still answer, and the price sort puts them all first.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSeedSql } from '../../../scripts/seed-data';
import { api, json } from '../../fixtures/helpers';

const DISCOUNTED = 150;
let discounted: string[];

beforeAll(async () => {
  const now = Date.now();
  await env.DB.batch(buildSeedSql({ now }).map((s) => env.DB.prepare(s)));
  const rows = await env.DB.prepare("SELECT id FROM products WHERE status = 'published' ORDER BY id LIMIT ?").bind(DISCOUNTED).all<{ id: string }>();
  discounted = rows.results.map((r) => r.id);
  expect(discounted).toHaveLength(DISCOUNTED);
  await env.DB.batch(
    discounted.map((id, i) =>
      env.DB.prepare("INSERT INTO timed_discounts (id, name, product_id, kind, value, starts_at, ends_at, created_at, updated_at) VALUES (?, '一分钱', ?, 'fixed_price', 1, ?, ?, ?, ?)").bind(
        `tdc_scale${i}`,
        id,
        now - 60_000,
        now + 3_600_000,
        now,
        now,
      ),
    ),
  );
});

describe(`限时折扣 on ${DISCOUNTED} products`, () => {
  it('sorts and filters by the shown price across all of them, and prices every card and page', async () => {
    const cheapest = await json(api('GET', '/products?sort=price_asc&max_price=1&limit=50'));
    expect(cheapest.items).toHaveLength(50);
    expect(cheapest.items.every((c: { promotion: { price_fen: number } | null }) => c.promotion?.price_fen === 1)).toBe(true);
    const all: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: { id: string }[]; next_cursor: string | null } = await json(api('GET', `/products?max_price=1&limit=50${cursor && `&cursor=${cursor}`}`));
      all.push(...page.items.map((c) => c.id));
      cursor = page.next_cursor;
    }
    expect(all.sort()).toEqual([...discounted].sort());
    const detail = await json(api('GET', `/products/${discounted[120]}`));
    expect(detail.promotion).toMatchObject({ price_fen: 1 });
  });
});
