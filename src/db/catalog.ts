// Catalog tables: categories, products, their spec dimensions and SKUs, the stock ledger,
// and the catalog version that storefront cache keys carry.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const categories = sqliteTable(
  'categories',
  {
    id: text('id').primaryKey(),
    parentId: text('parent_id'),
    name: text('name').notNull(),
    iconUrl: text('icon_url'),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('categories_parent_idx').on(t.parentId, t.sortOrder)],
);

/** Spec dimensions of a product, in display order, e.g. [{name:'颜色', values:['红','黑']}, …]. */
export type SpecDimension = { name: string; values: string[] };

export const products = sqliteTable(
  'products',
  {
    id: text('id').primaryKey(),
    categoryId: text('category_id')
      .notNull()
      .references(() => categories.id),
    title: text('title').notNull(),
    subtitle: text('subtitle').notNull().default(''),
    description: text('description').notNull().default(''),
    mainImageUrl: text('main_image_url').notNull(),
    imageUrls: text('image_urls', { mode: 'json' }).$type<string[]>().notNull(),
    specs: text('specs', { mode: 'json' }).$type<SpecDimension[]>().notNull(),
    status: text('status', { enum: ['draft', 'published'] })
      .notNull()
      .default('draft'),
    // Denormalised from the SKUs on every write so that list filters and sorts use indexes.
    minPriceFen: integer('min_price_fen').notNull(),
    maxPriceFen: integer('max_price_fen').notNull(),
    minOriginalPriceFen: integer('min_original_price_fen').notNull(),
    /** 1 when some SKU sells below its original price (the storefront's "on sale" filter). */
    onSale: integer('on_sale').notNull().default(0),
    totalStock: integer('total_stock').notNull().default(0),
    salesCount: integer('sales_count').notNull().default(0),
    /** Its shipping template (src/db/shipping.ts); null = the shop's default template. */
    shippingTemplateId: text('shipping_template_id'),
    publishedAt: integer('published_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // Every storefront list query has status = 'published' plus one of these orders.
    index('products_newest_idx').on(t.status, t.publishedAt, t.id),
    index('products_price_idx').on(t.status, t.minPriceFen, t.id),
    index('products_sales_idx').on(t.status, t.salesCount, t.id),
    index('products_category_newest_idx').on(t.categoryId, t.status, t.publishedAt, t.id),
    index('products_category_price_idx').on(t.categoryId, t.status, t.minPriceFen, t.id),
    index('products_category_sales_idx').on(t.categoryId, t.status, t.salesCount, t.id),
    index('products_on_sale_idx').on(t.status, t.onSale, t.publishedAt, t.id),
    index('products_admin_updated_idx').on(t.updatedAt, t.id),
    check('products_prices_non_negative', sql`${t.minPriceFen} >= 0 AND ${t.maxPriceFen} >= ${t.minPriceFen}`),
  ],
);

export const productTags = sqliteTable(
  'product_tags',
  {
    productId: text('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.tag] }), index('product_tags_tag_idx').on(t.tag, t.productId)],
);

export const skus = sqliteTable(
  'skus',
  {
    id: text('id').primaryKey(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
    /** One value per spec dimension of the product, in the same order. */
    specValues: text('spec_values', { mode: 'json' }).$type<string[]>().notNull(),
    /** Display order within the product (the merchant's order of the SKU list). */
    position: integer('position').notNull().default(0),
    /** spec_values joined with '/', unique per product so one combination has one SKU. */
    specKey: text('spec_key').notNull(),
    code: text('code'),
    imageUrl: text('image_url'),
    priceFen: integer('price_fen').notNull(),
    originalPriceFen: integer('original_price_fen').notNull(),
    memberPriceFen: integer('member_price_fen'),
    stock: integer('stock').notNull().default(0),
    /** The weight of one unit, for templates that charge by weight. */
    weightGrams: integer('weight_grams').notNull().default(0),
    sales: integer('sales').notNull().default(0),
    /** 0 once the merchant removes the combination; kept so ledger and order history stay whole. */
    active: integer('active').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('skus_product_spec_idx').on(t.productId, t.specKey),
    // A failing CHECK aborts the whole D1 batch: this is what makes stock decrements safe.
    check('skus_stock_non_negative', sql`${t.stock} >= 0`),
    check('skus_prices_valid', sql`${t.priceFen} >= 0 AND ${t.originalPriceFen} >= 0 AND (${t.memberPriceFen} IS NULL OR ${t.memberPriceFen} >= 0)`),
  ],
);

/** One row per stock change: who changed it, by how much, and why. */
export const stockLedger = sqliteTable(
  'stock_ledger',
  {
    id: text('id').primaryKey(),
    skuId: text('sku_id')
      .notNull()
      .references(() => skus.id, { onDelete: 'cascade' }),
    delta: integer('delta').notNull(),
    stockAfter: integer('stock_after').notNull(),
    reason: text('reason').notNull(),
    actorId: text('actor_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('stock_ledger_sku_idx').on(t.skuId, t.createdAt)],
);

/**
 * Character 1- and 2-grams of published titles and subtitles. FTS5's trigram tokenizer
 * cannot match queries shorter than three characters, which is most Chinese words (裙, 外套).
 */
export const productSearchGrams = sqliteTable(
  'product_search_grams',
  {
    gram: text('gram').notNull(),
    productId: text('product_id')
      .notNull()
      .references(() => products.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.gram, t.productId] }), index('product_search_grams_product_idx').on(t.productId)],
);

/** A single row (id = 1) whose version every merchant catalog write bumps. */
export const catalogState = sqliteTable(
  'catalog_state',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull(),
  },
  (t) => [check('catalog_state_single_row', sql`${t.id} = 1`)],
);
