// Pure catalog rules: how a product's specs and SKUs must fit together, the summary figures the
// storefront lists by, and what a shopper is told about stock. No I/O here.
/** A field that does not fit the product's specs, by its path in the request. */
export type FieldProblem = { path: string; message: string };

export type SpecDimension = { name: string; values: string[] };

export type SkuDraft = {
  specValues: string[];
  priceFen: number;
  originalPriceFen: number;
  memberPriceFen: number | null;
  stock: number;
};

/** Below this many units the storefront says "low stock" instead of "in stock". */
export const LOW_STOCK_THRESHOLD = 10;
export const MAX_SPEC_DIMENSIONS = 3;
export const MAX_SKUS_PER_PRODUCT = 200;

export type StockStatus = 'in_stock' | 'low_stock' | 'out_of_stock';

export function stockStatus(stock: number): StockStatus {
  if (stock <= 0) return 'out_of_stock';
  return stock < LOW_STOCK_THRESHOLD ? 'low_stock' : 'in_stock';
}

export const specKeyOf = (specValues: string[]) => specValues.join('/');

/**
 * Checks that the SKUs fit the spec dimensions: one value per dimension, each value declared,
 * no combination twice, and sane prices (original ≥ price ≥ member price). Returns every
 * problem found, with the path of the offending field, so the merchant can fix all at once.
 */
export function checkSkusAgainstSpecs(specs: SpecDimension[], skus: SkuDraft[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const dimensionNames = new Set<string>();
  specs.forEach((dim, i) => {
    if (dimensionNames.has(dim.name)) problems.push({ path: `body.specs.${i}.name`, message: 'spec names must be unique' });
    dimensionNames.add(dim.name);
    if (new Set(dim.values).size !== dim.values.length) {
      problems.push({ path: `body.specs.${i}.values`, message: 'spec values must be unique' });
    }
  });
  if (skus.length === 0) problems.push({ path: 'body.skus', message: 'a product needs at least one SKU' });

  const seen = new Set<string>();
  skus.forEach((sku, i) => {
    const path = `body.skus.${i}`;
    if (sku.specValues.length !== specs.length) {
      problems.push({ path: `${path}.spec_values`, message: `needs exactly ${specs.length} value(s), one per spec` });
    } else {
      sku.specValues.forEach((value, d) => {
        if (!specs[d]!.values.includes(value)) {
          problems.push({ path: `${path}.spec_values.${d}`, message: `"${value}" is not a value of spec "${specs[d]!.name}"` });
        }
      });
    }
    const key = specKeyOf(sku.specValues);
    if (seen.has(key)) problems.push({ path: `${path}.spec_values`, message: 'this spec combination already has a SKU' });
    seen.add(key);
    if (sku.originalPriceFen < sku.priceFen) {
      problems.push({ path: `${path}.original_price_fen`, message: 'must not be below price_fen' });
    }
    if (sku.memberPriceFen !== null && sku.memberPriceFen > sku.priceFen) {
      problems.push({ path: `${path}.member_price_fen`, message: 'must not be above price_fen' });
    }
  });
  return problems;
}

export type ProductSummary = {
  minPriceFen: number;
  maxPriceFen: number;
  minOriginalPriceFen: number;
  onSale: 0 | 1;
  totalStock: number;
};

/** The figures the storefront filters and sorts by, computed from the product's active SKUs. */
export function summariseSkus(skus: Pick<SkuDraft, 'priceFen' | 'originalPriceFen' | 'stock'>[]): ProductSummary {
  if (skus.length === 0) return { minPriceFen: 0, maxPriceFen: 0, minOriginalPriceFen: 0, onSale: 0, totalStock: 0 };
  const prices = skus.map((s) => s.priceFen);
  // The card shows the cheapest SKU (of those, the highest original price): on sale exactly when
  // its original price is above its price. refreshProductSummary (services/catalog-admin.ts) is the same rule in SQL.
  const cheapest = skus.reduce((best, s) => (s.priceFen < best.priceFen || (s.priceFen === best.priceFen && s.originalPriceFen > best.originalPriceFen) ? s : best));
  return {
    minPriceFen: Math.min(...prices),
    maxPriceFen: Math.max(...prices),
    minOriginalPriceFen: cheapest.originalPriceFen,
    onSale: cheapest.priceFen < cheapest.originalPriceFen ? 1 : 0,
    totalStock: skus.reduce((sum, s) => sum + s.stock, 0),
  };
}
