// What a shopper may buy right now: a SKU's current catalog state, and why a line cannot be
// bought when it cannot (so carts explain unavailable lines instead of dropping them).
import { type Column, type SQL, type SQLWrapper, inArray, eq, sql } from 'drizzle-orm';
import { products, skus } from '../db/catalog';
import type { Db } from '../db/client';
import { preparedSelect } from '../db/prepared';
import { known, read, runRead, type Read } from '../db/reads';

export type UnavailableReason = 'product_unpublished' | 'sku_removed' | 'out_of_stock' | 'insufficient_stock' | 'not_deliverable';

export type PurchasableSku = {
  skuId: string;
  productId: string;
  /** For category rules (points multipliers). */
  categoryId: string;
  title: string;
  specValues: string[];
  imageUrl: string;
  priceFen: number;
  originalPriceFen: number;
  memberPriceFen: number | null;
  stock: number;
  active: boolean;
  published: boolean;
};

/** The SKUs a read is about: their ids, or a subquery giving them (the shopper's selected cart lines). */
export type SkuSelection = string[] | SQLWrapper;

export const skuIn = (column: Column, selection: SkuSelection) => inArray(column, Array.isArray(selection) ? [...new Set(selection)] : selection);

const noSkus = (selection: SkuSelection) => Array.isArray(selection) && selection.length === 0;

/** The one SKU a selection names (buy now, a flash sale, a seat, a bargain), whose selects are prepared once (src/db/prepared.ts); null for any other selection. */
export function singleSkuId(selection: SkuSelection): string | null {
  if (!Array.isArray(selection) || selection.length === 0) return null;
  const [first] = selection;
  return selection.every((id) => id === first) ? first! : null;
}

/** The placeholder a prepared one-SKU select binds the SKU's id to. */
export const ONE_SKU_ID = sql.placeholder('skuId');

// Column names distinct from each other (see src/db/reads.ts): products.id is skus.product_id.
const skusWhere = (db: Db, where: SQL | undefined) =>
  db
    .select({
      skuId: skus.id,
      productId: skus.productId,
      specValues: skus.specValues,
      skuImageUrl: skus.imageUrl,
      priceFen: skus.priceFen,
      originalPriceFen: skus.originalPriceFen,
      memberPriceFen: skus.memberPriceFen,
      stock: skus.stock,
      active: skus.active,
      categoryId: products.categoryId,
      title: products.title,
      mainImageUrl: products.mainImageUrl,
      status: products.status,
    })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(where);

const oneSkuSelect = preparedSelect<{ skuId: string }, Awaited<ReturnType<typeof skusWhere>>>((db) => skusWhere(db, eq(skus.id, ONE_SKU_ID)));

/** The SKUs' catalog state, by SKU id (absent: no such SKU). */
export function purchasableSkusRead(db: Db, selection: SkuSelection): Read<Map<string, PurchasableSku>> {
  if (noSkus(selection)) return known(new Map());
  const one = singleSkuId(selection);
  const query = one === null ? skusWhere(db, skuIn(skus.id, selection)) : oneSkuSelect(db, { skuId: one });
  return read([query], ([rows]) => new Map(rows.map((r) => [r.skuId, purchasableOf(r)])));
}

const purchasableOf = ({
  skuImageUrl,
  mainImageUrl,
  active,
  status,
  ...sku
}: { skuImageUrl: string | null; mainImageUrl: string; active: number; status: string } & Omit<PurchasableSku, 'imageUrl' | 'active' | 'published'>): PurchasableSku => ({
  ...sku,
  imageUrl: skuImageUrl ?? mainImageUrl,
  active: active === 1,
  published: status === 'published',
});

export const loadPurchasableSkus = (db: Db, skuIds: string[]) => runRead(db, purchasableSkusRead(db, skuIds));

export function unavailableReason(sku: PurchasableSku | undefined, quantity: number): UnavailableReason | null {
  if (!sku?.active) return 'sku_removed';
  if (!sku.published) return 'product_unpublished';
  if (sku.stock <= 0) return 'out_of_stock';
  if (sku.stock < quantity) return 'insufficient_stock';
  return null;
}
