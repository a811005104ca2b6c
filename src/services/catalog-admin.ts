// Merchant writes to the catalog. Each write is one D1 batch that also bumps the catalog
// version, so the storefront cache key changes in the same atomic step as the data.
import { and, eq, sql } from 'drizzle-orm';
import { categories, products, productSearchGrams, productTags, skus, stockLedger } from '../db/catalog';
import { chunkForInsert, runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { checkSkusAgainstSpecs, MAX_SKUS_PER_PRODUCT, specKeyOf, type SpecDimension } from '../domain/catalog';
import { shortGrams } from '../domain/search';
import { businessRule, invalidInput, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import type { AppVariables, Env } from '../env';
import type { Clock } from '../lib/clock';
import type { MerchantPrincipal } from './principals';
import { assertTemplateExists } from './shipping-templates';
import { BUMP_CATALOG_VERSION_SQL, rememberCatalogVersion } from './catalog-version';

export type SkuInput = {
  spec_values: string[];
  price_fen: number;
  original_price_fen: number;
  member_price_fen?: number | null;
  stock?: number;
  code?: string | null;
  image_url?: string | null;
  weight_grams?: number;
};

export type ProductInput = {
  category_id: string;
  title: string;
  subtitle?: string;
  description?: string;
  main_image_url: string;
  image_urls?: string[];
  tags?: string[];
  specs: SpecDimension[];
  skus: SkuInput[];
  /** null = the shop's default shipping template. */
  shipping_template_id?: string | null;
};

export type ProductPatch = Partial<ProductInput>;

export type WriteContext = { db: Db; actor: MerchantPrincipal; now: number; env: Env; clock: Clock };

/** The context of a catalog write made by the signed-in merchant of a request. */
export const catalogWriteContext = (c: { env: Env; var: AppVariables }): WriteContext => ({
  db: c.var.db,
  actor: c.var.merchant,
  now: c.var.clock.now(),
  env: c.env,
  clock: c.var.clock,
});

const toDraft = (s: SkuInput) => ({
  specValues: s.spec_values,
  priceFen: s.price_fen,
  originalPriceFen: s.original_price_fen,
  memberPriceFen: s.member_price_fen ?? null,
  stock: s.stock ?? 0,
});

function assertSkusFitSpecs(specs: SpecDimension[], skuInputs: SkuInput[]) {
  const problems = checkSkusAgainstSpecs(specs, skuInputs.map(toDraft));
  if (problems.length) throw invalidInput(problems, 'The SKUs do not fit the product specs.');
}

async function assertCategoryExists(db: Db, categoryId: string) {
  const found = await db.query.categories.findFirst({ where: eq(categories.id, categoryId) });
  if (!found) throw businessRule('unknown_category', 'The category does not exist.', [{ path: 'body.category_id', message: 'no such category' }]);
}

/**
 * Recomputes the product's list figures from its active SKUs, inside the same batch. A card shows
 * the cheapest SKU: its price (`price_fen`), its original price (`original_price_fen`, the higher
 * one when several SKUs share the lowest price) and `on_sale` exactly when that original is above
 * that price, so a card never says "on sale" at its original price.
 */
export const refreshProductSummary = (productId: string, now: number) =>
  sql`UPDATE products SET
      min_price_fen = (SELECT COALESCE(MIN(price_fen), 0) FROM skus WHERE product_id = ${productId} AND active = 1),
      max_price_fen = (SELECT COALESCE(MAX(price_fen), 0) FROM skus WHERE product_id = ${productId} AND active = 1),
      min_original_price_fen = COALESCE((SELECT original_price_fen FROM skus WHERE product_id = ${productId} AND active = 1 ORDER BY price_fen, original_price_fen DESC LIMIT 1), 0),
      on_sale = COALESCE((SELECT price_fen < original_price_fen FROM skus WHERE product_id = ${productId} AND active = 1 ORDER BY price_fen, original_price_fen DESC LIMIT 1), 0),
      total_stock = (SELECT COALESCE(SUM(stock), 0) FROM skus WHERE product_id = ${productId} AND active = 1),
      updated_at = ${now}
    WHERE id = ${productId}`;

/**
 * Runs catalog statements plus the version bump in one batch; then tells this location's cache
 * the new version. Writes with no merchant behind them (the sweep settling a campaign) call it
 * directly; a merchant's go through commitCatalogWrite.
 */
export async function commitCatalogBatch(db: Db, env: Env, clock: Clock, statements: Statement[]) {
  const results = await runBatch(db, [...statements, sql.raw(BUMP_CATALOG_VERSION_SQL)]);
  const version = (results[results.length - 1]?.results?.[0] as { version?: number } | undefined)?.version;
  if (typeof version === 'number') await rememberCatalogVersion(version, env, clock);
}

/** A merchant's catalog write: see commitCatalogBatch. */
export const commitCatalogWrite = (ctx: WriteContext, statements: Statement[]) => commitCatalogBatch(ctx.db, ctx.env, ctx.clock, statements);

function searchGramStatements(db: Db, productId: string, title: string, subtitle: string): Statement[] {
  const grams = shortGrams(`${title} ${subtitle}`);
  return [
    db.delete(productSearchGrams).where(eq(productSearchGrams.productId, productId)),
    ...chunkForInsert(
      grams.map((gram) => ({ gram, productId })),
      2,
    ).map((rows) => db.insert(productSearchGrams).values(rows)),
  ];
}

function tagStatements(db: Db, productId: string, tags: string[]): Statement[] {
  const unique = [...new Set(tags)];
  return [
    db.delete(productTags).where(eq(productTags.productId, productId)),
    ...chunkForInsert(
      unique.map((tag) => ({ productId, tag })),
      2,
    ).map((rows) => db.insert(productTags).values(rows)),
  ];
}

function newSkuStatements(ctx: WriteContext, productId: string, inputs: (SkuInput & { position: number })[]): Statement[] {
  const rows = inputs.map((s) => ({
    position: s.position,
    id: newId('sku'),
    productId,
    specValues: s.spec_values,
    specKey: specKeyOf(s.spec_values),
    code: s.code ?? null,
    imageUrl: s.image_url ?? null,
    priceFen: s.price_fen,
    originalPriceFen: s.original_price_fen,
    memberPriceFen: s.member_price_fen ?? null,
    stock: s.stock ?? 0,
    weightGrams: s.weight_grams ?? 0,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  }));
  const ledger = rows
    .filter((r) => r.stock > 0)
    .map((r) => ({ id: newId('stk'), skuId: r.id, delta: r.stock, stockAfter: r.stock, reason: 'initial stock', actorId: ctx.actor.id, createdAt: ctx.now }));
  return [...chunkForInsert(rows, 16).map((chunk) => ctx.db.insert(skus).values(chunk)), ...chunkForInsert(ledger, 7).map((chunk) => ctx.db.insert(stockLedger).values(chunk))];
}

export async function createProduct(ctx: WriteContext, input: ProductInput): Promise<string> {
  assertSkusFitSpecs(input.specs, input.skus);
  await assertCategoryExists(ctx.db, input.category_id);
  await assertTemplateExists(ctx.db, input.shipping_template_id);
  const id = newId('prd');
  const subtitle = input.subtitle ?? '';
  await commitCatalogWrite(ctx, [
    ctx.db.insert(products).values({
      id,
      categoryId: input.category_id,
      title: input.title,
      subtitle,
      description: input.description ?? '',
      mainImageUrl: input.main_image_url,
      imageUrls: input.image_urls ?? [input.main_image_url],
      specs: input.specs,
      shippingTemplateId: input.shipping_template_id ?? null,
      status: 'draft',
      minPriceFen: 0,
      maxPriceFen: 0,
      minOriginalPriceFen: 0,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }),
    ...newSkuStatements(
      ctx,
      id,
      input.skus.map((sku, position) => ({ ...sku, position })),
    ),
    ...tagStatements(ctx.db, id, input.tags ?? []),
    ...searchGramStatements(ctx.db, id, input.title, subtitle),
    refreshProductSummary(id, ctx.now),
  ]);
  return id;
}

async function loadProduct(db: Db, productId: string) {
  const product = await db.query.products.findFirst({ where: eq(products.id, productId) });
  if (!product) throw notFound('Product');
  return product;
}

/**
 * Edits a product. When `skus` is given it is the complete new set: combinations that exist are
 * updated in place (same id), new ones are added with their initial stock, and missing ones are
 * deactivated (kept for order and ledger history). Stock of existing SKUs changes only through
 * stock adjustments, so that every change has a ledger row.
 */
export async function updateProduct(ctx: WriteContext, productId: string, patch: ProductPatch): Promise<void> {
  const product = await loadProduct(ctx.db, productId);
  if (patch.category_id) await assertCategoryExists(ctx.db, patch.category_id);
  await assertTemplateExists(ctx.db, patch.shipping_template_id);
  if (patch.specs && !patch.skus) {
    throw invalidInput([{ path: 'body.skus', message: 'changing specs needs the new set of SKUs' }]);
  }
  const statements: Statement[] = [];
  const title = patch.title ?? product.title;
  const subtitle = patch.subtitle ?? product.subtitle;

  if (patch.skus) {
    const specs = patch.specs ?? product.specs;
    if (patch.skus.length > MAX_SKUS_PER_PRODUCT) throw invalidInput([{ path: 'body.skus', message: `at most ${MAX_SKUS_PER_PRODUCT} SKUs` }]);
    assertSkusFitSpecs(specs, patch.skus);
    const existing = new Map((await ctx.db.select().from(skus).where(eq(skus.productId, productId))).map((s) => [s.specKey, s]));
    const additions: (SkuInput & { position: number })[] = [];
    const kept = new Set<string>();
    patch.skus.forEach((input, i) => {
      const key = specKeyOf(input.spec_values);
      const current = existing.get(key);
      if (!current) {
        additions.push({ ...input, position: i });
        return;
      }
      kept.add(current.id);
      if (input.stock !== undefined && input.stock !== current.stock) {
        throw businessRule('stock_via_adjustment', 'Change the stock of an existing SKU with a stock adjustment.', [
          { path: `body.skus.${i}.stock`, message: 'use POST /admin/api/skus/:id/stock-adjustments' },
        ]);
      }
      statements.push(
        ctx.db
          .update(skus)
          .set({
            priceFen: input.price_fen,
            originalPriceFen: input.original_price_fen,
            memberPriceFen: input.member_price_fen ?? null,
            code: input.code ?? current.code,
            imageUrl: input.image_url ?? current.imageUrl,
            weightGrams: input.weight_grams ?? current.weightGrams,
            specValues: input.spec_values,
            position: i,
            active: 1,
            updatedAt: ctx.now,
          })
          .where(eq(skus.id, current.id)),
      );
    });
    for (const sku of existing.values()) {
      if (!kept.has(sku.id) && sku.active) {
        statements.push(ctx.db.update(skus).set({ active: 0, updatedAt: ctx.now }).where(eq(skus.id, sku.id)));
      }
    }
    statements.push(...newSkuStatements(ctx, productId, additions));
  }

  statements.push(
    ctx.db
      .update(products)
      .set({
        categoryId: patch.category_id ?? product.categoryId,
        title,
        subtitle,
        description: patch.description ?? product.description,
        mainImageUrl: patch.main_image_url ?? product.mainImageUrl,
        imageUrls: patch.image_urls ?? product.imageUrls,
        specs: patch.specs ?? product.specs,
        shippingTemplateId: patch.shipping_template_id === undefined ? product.shippingTemplateId : patch.shipping_template_id,
        updatedAt: ctx.now,
      })
      .where(eq(products.id, productId)),
  );
  if (patch.tags) statements.push(...tagStatements(ctx.db, productId, patch.tags));
  if (patch.title !== undefined || patch.subtitle !== undefined) statements.push(...searchGramStatements(ctx.db, productId, title, subtitle));
  statements.push(refreshProductSummary(productId, ctx.now));
  await commitCatalogWrite(ctx, statements);
}

export async function setProductPublished(ctx: WriteContext, productId: string, published: boolean): Promise<void> {
  const product = await loadProduct(ctx.db, productId);
  if (published) {
    const active = await ctx.db
      .select({ id: skus.id })
      .from(skus)
      .where(and(eq(skus.productId, productId), eq(skus.active, 1)))
      .limit(1);
    if (!active.length) throw businessRule('no_skus', 'A product needs at least one SKU to be published.');
  }
  await commitCatalogWrite(ctx, [
    ctx.db
      .update(products)
      .set({ status: published ? 'published' : 'draft', publishedAt: product.publishedAt ?? (published ? ctx.now : null), updatedAt: ctx.now })
      .where(eq(products.id, productId)),
  ]);
}

export type SkuPatch = Partial<Pick<SkuInput, 'price_fen' | 'original_price_fen' | 'member_price_fen' | 'code' | 'image_url'>>;

/** Quick edit of one SKU's prices (the admin page's price field). */
export async function updateSku(ctx: WriteContext, skuId: string, patch: SkuPatch): Promise<void> {
  const sku = await ctx.db.query.skus.findFirst({ where: eq(skus.id, skuId) });
  if (!sku?.active) throw notFound('SKU');
  const priceFen = patch.price_fen ?? sku.priceFen;
  const originalPriceFen = patch.original_price_fen ?? sku.originalPriceFen;
  const memberPriceFen = patch.member_price_fen === undefined ? sku.memberPriceFen : patch.member_price_fen;
  const problems = checkSkusAgainstSpecs([], [{ specValues: [], priceFen, originalPriceFen, memberPriceFen, stock: 0 }]).map((p) => ({
    ...p,
    path: p.path.replace('body.skus.0.', 'body.'),
  }));
  if (problems.length) throw invalidInput(problems);
  await commitCatalogWrite(ctx, [
    ctx.db
      .update(skus)
      .set({
        priceFen,
        originalPriceFen,
        memberPriceFen,
        code: patch.code === undefined ? sku.code : patch.code,
        imageUrl: patch.image_url === undefined ? sku.imageUrl : patch.image_url,
        updatedAt: ctx.now,
      })
      .where(eq(skus.id, skuId)),
    refreshProductSummary(sku.productId, ctx.now),
  ]);
}
