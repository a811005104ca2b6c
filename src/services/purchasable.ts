// What a shopper may buy right now: a SKU's current catalog state, and why a line cannot be
// bought when it cannot (so carts explain unavailable lines instead of dropping them).
import { type Column, type SQLWrapper, inArray, eq } from 'drizzle-orm';
import { products, skus } from '../db/catalog';
import type { Db } from '../db/client';
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

/** The SKUs' catalog state, by SKU id (absent: no such SKU). */
export function purchasableSkusRead(db: Db, selection: SkuSelection): Read<Map<string, PurchasableSku>> {
  if (noSkus(selection)) return known(new Map());
  // Column names distinct from each other (see src/db/reads.ts): products.id is skus.product_id.
  const query = db
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
    .where(skuIn(skus.id, selection));
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
