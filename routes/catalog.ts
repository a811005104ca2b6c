// Public storefront: categories, product lists, product detail, search. All cacheable at the
// edge through cachedCatalogResponse; nothing here depends on who is asking.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { cachedCatalogResponse, freshUntil } from '../src/http/catalog-cache';
import { cardsWithPromotions, detailWithPromotions, listProductsWithPromotions, storefrontPromotions } from '../src/services/promotions/storefront';
import { withLiveStock } from '../src/http/live-stock';
import { categoryTree, productDetail, productSorts, searchProducts } from '../src/services/catalog';
import { MAX_QUERY_LENGTH } from '../src/domain/search';
import { rateLimit } from '../src/lib/rate-limit';
import { MAX_FEN, idOf, pageQuery, queryBool, queryInt, text, validate } from '../src/lib/validate';

const productListQuery = v.pipe(
  v.strictObject({
    category_id: v.optional(idOf('cat')),
    tag: v.optional(text(32)),
    min_price: v.optional(queryInt(0, MAX_FEN)),
    max_price: v.optional(queryInt(0, MAX_FEN)),
    on_sale: v.optional(queryBool),
    sort: v.optional(v.picklist(productSorts, `must be one of ${productSorts.join(', ')}`), 'newest'),
    ...pageQuery,
  }),
  v.forward(
    v.check((q) => q.min_price === undefined || q.max_price === undefined || q.min_price <= q.max_price, 'must not be below min_price'),
    ['max_price'],
  ),
);

const searchQuery = v.strictObject({
  q: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_QUERY_LENGTH, `must have at most ${MAX_QUERY_LENGTH} characters`)),
  ...pageQuery,
});

// Per route, not .use(): a sub-app's catch-all middleware would also run for every other route.
const cached = cachedCatalogResponse();

export const catalogRoutes = new Hono<AppEnv>()
  .get('/categories', cached, validate('query', v.strictObject({})), async (c) => c.json({ items: await categoryTree(c.var.db) }))
  .get('/products', cached, validate('query', productListQuery), async (c) => {
    const q = c.req.valid('query');
    const { page, nextChangeAt } = await listProductsWithPromotions(
      c.var.db,
      { categoryId: q.category_id, tag: q.tag, minPriceFen: q.min_price, maxPriceFen: q.max_price, onSaleOnly: q.on_sale, sort: q.sort, cursor: q.cursor, limit: q.limit },
      c.var.clock.now(),
    );
    freshUntil(c, nextChangeAt);
    return c.json(page);
  })
  // The page from the cache, its stock merged in live (src/services/live-stock.ts).
  .get('/products/:id', withLiveStock, cached, validate('param', v.object({ id: idOf('prd') })), validate('query', v.strictObject({})), async (c) => {
    const { id } = c.req.valid('param');
    const [detail, promotions] = await Promise.all([productDetail(c.var.db, id), storefrontPromotions(c.var.db, c.var.clock.now(), [id])]);
    freshUntil(c, promotions.nextChangeAt);
    return c.json(detailWithPromotions(promotions, detail));
  })
  .get('/search', rateLimit('search'), cached, validate('query', searchQuery), async (c) => {
    const q = c.req.valid('query');
    const found = await searchProducts(c.var.db, q.q, { cursor: q.cursor, limit: q.limit, status: 'published' });
    const promotions = await storefrontPromotions(
      c.var.db,
      c.var.clock.now(),
      found.items.map((p) => p.id),
    );
    freshUntil(c, promotions.nextChangeAt);
    return c.json({ ...found, items: cardsWithPromotions(promotions, found.items) });
  });
