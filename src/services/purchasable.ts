// What a shopper may buy right now: a SKU's current catalog state, and why a line cannot be
// bought when it cannot (so carts explain unavailable lines instead of dropping them).
import { inArray, eq } from 'drizzle-orm';
import { products, skus } from '../db/catalog';
import type { Db } from '../db/client';

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

export async function loadPurchasableSkus(db: Db, skuIds: string[]): Promise<Map<string, PurchasableSku>> {
  if (skuIds.length === 0) return new Map();
  return purchasableFrom(await purchasableSkusQuery(db, skuIds));
}

/**
 * The query loadPurchasableSkus runs, for a caller that puts it in its own db.batch (skuIds not
 * empty). No two columns share a name: drizzle maps a D1 batch's rows by name, and a second "id"
 * would shift every column after it.
 */
export const purchasableSkusQuery = (db: Db, skuIds: string[]) =>
  db
    .select({ sku: skus, product: { categoryId: products.categoryId, title: products.title, mainImageUrl: products.mainImageUrl, status: products.status } })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(inArray(skus.id, [...new Set(skuIds)]));

/** The SKUs from the rows of purchasableSkusQuery. */
export function purchasableFrom(rows: Awaited<ReturnType<typeof purchasableSkusQuery>>): Map<string, PurchasableSku> {
  return new Map(
    rows.map(({ sku, product }) => [
      sku.id,
      {
        skuId: sku.id,
        productId: sku.productId,
        categoryId: product.categoryId,
        title: product.title,
        specValues: sku.specValues,
        imageUrl: sku.imageUrl ?? product.mainImageUrl,
        priceFen: sku.priceFen,
        originalPriceFen: sku.originalPriceFen,
        memberPriceFen: sku.memberPriceFen,
        stock: sku.stock,
        active: sku.active === 1,
        published: product.status === 'published',
      },
    ]),
  );
}

export function unavailableReason(sku: PurchasableSku | undefined, quantity: number): UnavailableReason | null {
  if (!sku?.active) return 'sku_removed';
  if (!sku.published) return 'product_unpublished';
  if (sku.stock <= 0) return 'out_of_stock';
  if (sku.stock < quantity) return 'insufficient_stock';
  return null;
}
