import { beforeAll, describe, expect, it } from 'vitest';
import { api, createCategory, createProduct, json, tokenFor } from '../../fixtures/helpers';

type Card = { id: string; title: string; price_fen: number; sales_count: number; on_sale: boolean; category_id: string };

let token: string;
const ids = {} as Record<'women' | 'dresses' | 'tops' | 'digital' | 'dress1' | 'dress2' | 'tee' | 'phone' | 'draft', string>;

const sku = (price: number, original = price, stock = 10) => ({ spec_values: [], price_fen: price, original_price_fen: original, stock });

beforeAll(async () => {
  token = (await tokenFor('operator')).token;
  ids.women = await createCategory(token, '女装');
  ids.dresses = await createCategory(token, '连衣裙', ids.women);
  ids.tops = await createCategory(token, 'T恤', ids.women);
  ids.digital = await createCategory(token, '数码');
  const make = async (key: keyof typeof ids, categoryId: string, title: string, price: number, original: number, tags: string[], subtitle = '') => {
    const p = await createProduct(token, categoryId, { title, subtitle, tags, specs: [], skus: [sku(price, original)] });
    ids[key] = p.id;
  };
  await make('dress1', ids.dresses, '法式碎花连衣裙', 15900, 19900, ['新品', '热卖'], '夏季 收腰');
  await make('dress2', ids.dresses, '真丝吊带连衣裙', 29900, 29900, ['新品']);
  await make('tee', ids.tops, '纯棉短袖T恤', 5900, 7900, ['热卖'], '宽松百搭');
  await make('phone', ids.digital, '蓝牙无线耳机', 19900, 19900, [], '降噪 长续航');
  await make('draft', ids.dresses, '未发布的连衣裙', 100, 100, ['新品']);
  await api('POST', `/admin/api/products/${ids.draft}/unpublish`, { token });
});

const list = (query = '') => json<{ items: Card[]; next_cursor: string | null }>(api('GET', `/products${query}`));

describe('category tree', () => {
  it('nests sub-categories under their parents', async () => {
    const tree = await json(api('GET', '/categories'));
    const women = tree.items.find((c: { id: string }) => c.id === ids.women);
    expect(women.children.map((c: { name: string }) => c.name).sort()).toEqual(['T恤', '连衣裙']);
  });
});

describe('product list', () => {
  it('shows published products only, newest first', async () => {
    const { items } = await list();
    expect(items.map((p) => p.id)).toEqual([ids.phone, ids.tee, ids.dress2, ids.dress1]);
  });

  it('filters by category, including sub-categories of a top-level category', async () => {
    expect((await list(`?category_id=${ids.women}`)).items.map((p) => p.id).sort()).toEqual([ids.dress1, ids.dress2, ids.tee].sort());
    expect((await list(`?category_id=${ids.dresses}`)).items.map((p) => p.id).sort()).toEqual([ids.dress1, ids.dress2].sort());
  });

  it('filters by tag, price range and on-sale', async () => {
    expect((await list(`?tag=${encodeURIComponent('热卖')}`)).items.map((p) => p.id).sort()).toEqual([ids.dress1, ids.tee].sort());
    expect((await list('?min_price=10000&max_price=20000')).items.map((p) => p.id).sort()).toEqual([ids.dress1, ids.phone].sort());
    const onSale = (await list('?on_sale=true')).items;
    expect(onSale.map((p) => p.id).sort()).toEqual([ids.dress1, ids.tee].sort());
    expect(onSale.every((p) => p.on_sale)).toBe(true);
  });

  it('sorts by price both ways', async () => {
    expect((await list('?sort=price_asc')).items.map((p) => p.price_fen)).toEqual([5900, 15900, 19900, 29900]);
    expect((await list('?sort=price_desc')).items.map((p) => p.price_fen)).toEqual([29900, 19900, 15900, 5900]);
  });

  it('pages with cursors through every product exactly once, for every sort', async () => {
    for (const sort of ['newest', 'price_asc', 'price_desc', 'sales']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const pageRes: { items: Card[]; next_cursor: string | null } = await list(`?sort=${sort}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...pageRes.items.map((p) => p.id));
        cursor = pageRes.next_cursor;
      } while (cursor);
      expect(seen.sort(), sort).toEqual([ids.dress1, ids.dress2, ids.tee, ids.phone].sort());
    }
  });

  it('refuses a cursor from another sort or one it never issued', async () => {
    const first = await list('?sort=price_asc&limit=1');
    const res = await api('GET', `/products?sort=newest&cursor=${first.next_cursor}`);
    expect(res.status).toBe(400);
    expect((await json(api('GET', '/products?cursor=bm9wZQ'))).error.details[0].path).toBe('query.cursor');
  });

  it('answers an unknown category with 404', async () => {
    expect((await api('GET', '/products?category_id=cat_doesnotexist')).status).toBe(404);
  });
});

describe('product detail', () => {
  it('shows specs, SKUs with price, original and member price, and stock status', async () => {
    const product = await createProduct(token, ids.dresses, { title: '详情测试商品', subtitle: '' });
    const detail = await json(api('GET', `/products/${product.id}`));
    expect(detail.specs).toEqual([
      { name: '颜色', values: ['红色', '黑色'] },
      { name: '尺码', values: ['S', 'M'] },
    ]);
    expect(detail.category).toEqual({ id: ids.dresses, name: '连衣裙', parent_id: ids.women });
    expect(detail.skus[0]).toMatchObject({ spec_values: ['红色', 'S'], price_fen: 12900, original_price_fen: 19900, member_price_fen: 11900, stock_status: 'low_stock' });
    expect(detail.stock_status).toBe('in_stock');
  });

  it('hides drafts and unknown products (404) and refuses malformed ids (400)', async () => {
    expect((await api('GET', `/products/${ids.draft}`)).status).toBe(404);
    expect((await api('GET', '/products/prd_unknown')).status).toBe(404);
    expect((await api('GET', '/products/DROP%20TABLE')).status).toBe(400);
  });
});

describe('search', () => {
  const search = (q: string, extra = '') => json<{ items: Card[]; next_cursor: string | null }>(api('GET', `/search?q=${encodeURIComponent(q)}${extra}`));

  it('finds Chinese substrings of three or more characters through the trigram index', async () => {
    expect((await search('连衣裙')).items.map((p) => p.id).sort()).toEqual([ids.dress1, ids.dress2].sort());
    expect((await search('无线耳机')).items.map((p) => p.id)).toEqual([ids.phone]);
  });

  it('finds one- and two-character queries through the gram fallback', async () => {
    expect((await search('裙')).items.map((p) => p.id).sort()).toEqual([ids.dress1, ids.dress2].sort());
    expect((await search('真丝')).items.map((p) => p.id)).toEqual([ids.dress2]);
    expect((await search('t恤')).items.map((p) => p.id)).toEqual([ids.tee]);
  });

  it('searches subtitles too, and requires every term', async () => {
    expect((await search('降噪')).items.map((p) => p.id)).toEqual([ids.phone]);
    expect((await search('碎花 连衣裙')).items.map((p) => p.id)).toEqual([ids.dress1]);
    expect((await search('真丝 短袖')).items).toEqual([]);
  });

  it('never returns drafts, and pages with a cursor', async () => {
    const first = await search('裙', '&limit=1');
    expect(first.items).toHaveLength(1);
    const second = await search('裙', `&limit=1&cursor=${first.next_cursor}`);
    expect(second.items).toHaveLength(1);
    expect(second.next_cursor).toBeNull();
    expect([first.items[0]!.id, second.items[0]!.id].sort()).toEqual([ids.dress1, ids.dress2].sort());
  });

  it('follows title edits', async () => {
    await api('PATCH', `/admin/api/products/${ids.phone}`, { token, body: { title: '头戴式耳机' } });
    expect((await search('无线')).items).toEqual([]);
    expect((await search('头戴')).items.map((p) => p.id)).toEqual([ids.phone]);
    expect((await search('头戴式')).items.map((p) => p.id)).toEqual([ids.phone]);
  });

  it('treats FTS syntax in a query as plain text', async () => {
    for (const q of ['"连衣裙', 'NEAR(连衣 裙)', '连衣裙 OR *', "'; DROP TABLE products; --"]) {
      expect((await api('GET', `/search?q=${encodeURIComponent(q)}`)).status, q).toBe(200);
    }
  });
});
