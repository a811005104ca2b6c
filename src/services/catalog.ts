// Storefront reads of the catalog: category tree, filtered and sorted product pages, product
// detail and search. Everything here reads published products only unless asked otherwise.
import { and, asc, desc, eq, gte, inArray, lt, lte, or, gt, sql, type SQL } from 'drizzle-orm';
import * as v from 'valibot';
import { categories, products, productTags, skus } from '../db/catalog';
import type { Db } from '../db/client';
import { stockStatus } from '../domain/catalog';
import { ftsMatchExpression, isShortTerm, searchTerms } from '../domain/search';
import { toIso } from '../lib/clock';
import { decodeCursor, encodeCursor } from '../lib/cursor';
import { invalidInput, notFound } from '../lib/errors';

export const productSorts = ['newest', 'price_asc', 'price_desc', 'sales'] as const;
export type ProductSort = (typeof productSorts)[number];

export type ProductListFilter = {
  categoryId?: string;
  tag?: string;
  minPriceFen?: number;
  maxPriceFen?: number;
  onSaleOnly?: boolean;
  sort: ProductSort;
  cursor?: string;
  limit: number;
  /**
   * Products a running 限时折扣 makes cheaper: their lowest price now (storefrontPromotions).
   * Price sorts and filters use the price shoppers see, not the list price.
   */
  discountedMinPrices?: Record<string, number>;
};

type ProductRow = typeof products.$inferSelect;

export function productCard(p: ProductRow) {
  return {
    id: p.id,
    category_id: p.categoryId,
    title: p.title,
    subtitle: p.subtitle,
    main_image_url: p.mainImageUrl,
    price_fen: p.minPriceFen,
    max_price_fen: p.maxPriceFen,
    original_price_fen: p.minOriginalPriceFen,
    on_sale: p.onSale === 1,
    sales_count: p.salesCount,
    stock_status: stockStatus(p.totalStock),
    status: p.status,
  };
}
export type ProductCard = ReturnType<typeof productCard>;

export async function categoryTree(db: Db) {
  const rows = await db.select().from(categories).orderBy(asc(categories.sortOrder), asc(categories.id));
  const node = (c: (typeof rows)[number]) => ({ id: c.id, name: c.name, icon_url: c.iconUrl, sort_order: c.sortOrder });
  return rows.filter((c) => c.parentId === null).map((root) => ({ ...node(root), children: rows.filter((c) => c.parentId === root.id).map(node) }));
}

/** A category and its sub-categories: filtering by a top-level category includes its children. */
async function categoryWithChildren(db: Db, categoryId: string): Promise<string[]> {
  const rows = await db
    .select({ id: categories.id })
    .from(categories)
    .where(or(eq(categories.id, categoryId), eq(categories.parentId, categoryId)));
  if (!rows.some((r) => r.id === categoryId)) throw notFound('Category');
  return rows.map((r) => r.id);
}

/**
 * The price a listing sorts and filters by: the product's lowest list price, or its lowest 限时折扣
 * price when that is lower (one JSON parameter, whatever the number of discounted products).
 */
const shownMinPrice = (discounted: Record<string, number> | undefined): SQL<number> =>
  discounted && Object.keys(discounted).length
    ? sql<number>`min(${products.minPriceFen}, coalesce((SELECT value FROM json_each(${JSON.stringify(discounted)}) WHERE key = ${products.id}), ${products.minPriceFen}))`
    : sql<number>`${products.minPriceFen}`;

const sortColumns = (discounted: Record<string, number> | undefined): Record<ProductSort, { column: SQL<number>; direction: 'asc' | 'desc' }> => ({
  newest: { column: sql<number>`${products.publishedAt}`, direction: 'desc' },
  price_asc: { column: shownMinPrice(discounted), direction: 'asc' },
  price_desc: { column: shownMinPrice(discounted), direction: 'desc' },
  sales: { column: sql<number>`${products.salesCount}`, direction: 'desc' },
});

/** The sort key of a row, as the SQL above computes it (for the next page's cursor). */
function sortKeyOf(sort: ProductSort, row: ProductRow, discounted: Record<string, number> | undefined): number {
  if (sort === 'newest') return row.publishedAt ?? 0;
  if (sort === 'sales') return row.salesCount;
  return Math.min(row.minPriceFen, discounted?.[row.id] ?? row.minPriceFen);
}

const listCursorSchema = v.object({ s: v.picklist(productSorts), k: v.number(), id: v.string() });

export async function listProducts(db: Db, filter: ProductListFilter) {
  const { column, direction } = sortColumns(filter.discountedMinPrices)[filter.sort];
  const price = shownMinPrice(filter.discountedMinPrices);
  const conditions: SQL[] = [eq(products.status, 'published')];
  if (filter.categoryId) conditions.push(inArray(products.categoryId, await categoryWithChildren(db, filter.categoryId)));
  if (filter.tag) {
    conditions.push(inArray(products.id, db.select({ id: productTags.productId }).from(productTags).where(eq(productTags.tag, filter.tag))));
  }
  if (filter.minPriceFen !== undefined) conditions.push(gte(price, filter.minPriceFen));
  if (filter.maxPriceFen !== undefined) conditions.push(lte(price, filter.maxPriceFen));
  if (filter.onSaleOnly) conditions.push(eq(products.onSale, 1));
  if (filter.cursor) {
    const cursor = decodeCursor(filter.cursor, listCursorSchema);
    if (cursor.s !== filter.sort) throw invalidInput([{ path: 'query.cursor', message: 'belongs to another sort order' }]);
    const after = direction === 'asc' ? gt : lt;
    conditions.push(or(after(column, cursor.k), and(eq(column, cursor.k), after(products.id, cursor.id)))!);
  }
  const order = direction === 'asc' ? asc : desc;
  const rows = await db
    .select()
    .from(products)
    .where(and(...conditions))
    .orderBy(order(column), order(products.id))
    .limit(filter.limit + 1);
  return asCards(page(rows, filter.limit, (last) => encodeCursor({ s: filter.sort, k: sortKeyOf(filter.sort, last, filter.discountedMinPrices), id: last.id })));
}

function page(rows: ProductRow[], limit: number, cursorOf: (last: ProductRow) => string, mayContinue = true) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: mayContinue && rows.length > limit && last ? cursorOf(last) : null };
}

const asCards = ({ items, next_cursor }: ReturnType<typeof page>) => ({ items: items.map(productCard), next_cursor });

export async function productDetail(db: Db, productId: string, opts: { includeDrafts?: boolean } = {}) {
  const product = await db.query.products.findFirst({ where: eq(products.id, productId) });
  if (!product || (product.status !== 'published' && !opts.includeDrafts)) throw notFound('Product');
  const [skuRows, tagRows, categoryRows] = await db.batch([
    db
      .select()
      .from(skus)
      .where(and(eq(skus.productId, productId), eq(skus.active, 1)))
      .orderBy(asc(skus.position), asc(skus.id)),
    db.select({ tag: productTags.tag }).from(productTags).where(eq(productTags.productId, productId)).orderBy(asc(productTags.tag)),
    db.select().from(categories).where(eq(categories.id, product.categoryId)),
  ]);
  const category = categoryRows[0];
  return {
    ...productCard(product),
    description: product.description,
    image_urls: product.imageUrls,
    tags: tagRows.map((t) => t.tag),
    category: category ? { id: category.id, name: category.name, parent_id: category.parentId } : null,
    specs: product.specs,
    shipping_template_id: product.shippingTemplateId,
    skus: skuRows.map((s) => ({
      id: s.id,
      spec_values: s.specValues,
      code: s.code,
      image_url: s.imageUrl,
      price_fen: s.priceFen,
      original_price_fen: s.originalPriceFen,
      member_price_fen: s.memberPriceFen,
      stock: s.stock,
      weight_grams: s.weightGrams,
      stock_status: stockStatus(s.stock),
    })),
    published_at: toIso(product.publishedAt),
    updated_at: toIso(product.updatedAt),
  };
}

/** Search pages by offset (relevance has no stable key); deep pages are not useful to anyone. */
const MAX_SEARCH_OFFSET = 1000;
const searchCursorSchema = v.object({ o: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_SEARCH_OFFSET)) });

/**
 * Search over titles and subtitles. Terms of ≥ 3 characters go through the FTS5 trigram index,
 * shorter ones through the gram table; a product must match every term. Results are ranked by
 * FTS relevance when there is a long term, by sales otherwise.
 */
export async function searchProducts(db: Db, query: string, opts: { cursor?: string; limit: number; status?: ProductRow['status'] }) {
  return asCards(await searchProductRows(db, query, opts));
}

async function searchProductRows(db: Db, query: string, opts: { cursor?: string; limit: number; status?: ProductRow['status'] }) {
  const terms = searchTerms(query);
  const offset = opts.cursor ? decodeCursor(opts.cursor, searchCursorSchema).o : 0;
  if (terms.length === 0) return { items: [], next_cursor: null };
  const longTerms = terms.filter((t) => !isShortTerm(t));
  const shortTerms = terms.filter(isShortTerm);

  const conditions: SQL[] = [];
  if (opts.status) conditions.push(sql`p.status = ${opts.status}`);
  for (const term of shortTerms) {
    conditions.push(sql`p.id IN (SELECT product_id FROM product_search_grams WHERE gram = ${term})`);
  }
  const where = conditions.length ? sql`WHERE ${sql.join(conditions, sql` AND `)}` : sql``;
  const statement = longTerms.length
    ? sql`SELECT p.* FROM products_fts f JOIN products p ON p.rowid = f.rowid
          ${where} ${conditions.length ? sql`AND` : sql`WHERE`} products_fts MATCH ${ftsMatchExpression(longTerms)}
          ORDER BY f.rank, p.id LIMIT ${opts.limit + 1} OFFSET ${offset}`
    : sql`SELECT p.* FROM products p ${where} ORDER BY p.sales_count DESC, p.id DESC LIMIT ${opts.limit + 1} OFFSET ${offset}`;
  const rows = await db.all<Record<string, unknown>>(statement);
  const mapped = rows.map(rowToProduct);
  const nextOffset = offset + opts.limit;
  return page(mapped, opts.limit, () => encodeCursor({ o: nextOffset }), nextOffset <= MAX_SEARCH_OFFSET);
}

/** Merchant product list: every status, most recently edited first. */
export async function listProductsForAdmin(db: Db, opts: { status?: ProductRow['status']; cursor?: string; limit: number }) {
  return asCards(await adminProductRows(db, opts));
}

/**
 * The admin page's product list: the search results when there is a query, else every product
 * most recently edited first; each card with the total stock and last edit time the page shows.
 */
export async function productsForAdminPage(db: Db, opts: { q: string; status?: ProductRow['status']; cursor?: string; limit: number }) {
  const { items, next_cursor } = opts.q ? await searchProductRows(db, opts.q, opts) : await adminProductRows(db, opts);
  return { items: items.map((p) => ({ ...productCard(p), total_stock: p.totalStock, updated_at: toIso(p.updatedAt) })), next_cursor };
}

async function adminProductRows(db: Db, opts: { status?: ProductRow['status']; cursor?: string; limit: number }) {
  const conditions: SQL[] = [];
  if (opts.status) conditions.push(eq(products.status, opts.status));
  if (opts.cursor) {
    const cursor = decodeCursor(opts.cursor, adminCursorSchema);
    conditions.push(or(lt(products.updatedAt, cursor.k), and(eq(products.updatedAt, cursor.k), lt(products.id, cursor.id)))!);
  }
  const rows = await db
    .select()
    .from(products)
    .where(and(...conditions))
    .orderBy(desc(products.updatedAt), desc(products.id))
    .limit(opts.limit + 1);
  return page(rows, opts.limit, (last) => encodeCursor({ k: last.updatedAt, id: last.id }));
}

const adminCursorSchema = v.object({ k: v.number(), id: v.string() });

/** Raw SELECT p.* rows use column names; map them onto the drizzle row shape. */
function rowToProduct(r: Record<string, unknown>): ProductRow {
  return {
    id: r.id as string,
    categoryId: r.category_id as string,
    title: r.title as string,
    subtitle: r.subtitle as string,
    description: r.description as string,
    mainImageUrl: r.main_image_url as string,
    imageUrls: JSON.parse(r.image_urls as string),
    specs: JSON.parse(r.specs as string),
    status: r.status as ProductRow['status'],
    minPriceFen: r.min_price_fen as number,
    maxPriceFen: r.max_price_fen as number,
    minOriginalPriceFen: r.min_original_price_fen as number,
    onSale: r.on_sale as number,
    totalStock: r.total_stock as number,
    salesCount: r.sales_count as number,
    shippingTemplateId: r.shipping_template_id as string | null,
    publishedAt: r.published_at as number | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}
