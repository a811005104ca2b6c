// What a coupon or a store promotion applies to: the whole shop, or only / all but some
// categories and products. A product listed explicitly wins over its category.
export type Scope = { kind: 'all' } | { kind: 'include' | 'exclude'; categoryIds: readonly string[]; productIds: readonly string[] };

/** What a rule needs to know about a line's goods beyond its price. */
export type LineGoods = {
  productId: string;
  categoryId: string;
  /**
   * The line is sold at a campaign price (flash sale, group buy, bargain): it takes store
   * promotions and coupons only when its campaign allows them.
   */
  campaignPrice?: { allowsPromotions: boolean };
};

export function inScope(scope: Scope, goods: LineGoods): boolean {
  if (scope.kind === 'all') return true;
  const listed = scope.productIds.includes(goods.productId) || scope.categoryIds.includes(goods.categoryId);
  return scope.kind === 'include' ? listed : !listed;
}

/** Campaign-priced lines take nothing unless their campaign says so. */
export const takesPromotions = (goods: LineGoods) => !goods.campaignPrice || goods.campaignPrice.allowsPromotions;

/** Every category and product id a scope names, for checking that they exist. */
export const scopeIds = (scope: Scope) => (scope.kind === 'all' ? { categoryIds: [], productIds: [] } : { categoryIds: [...scope.categoryIds], productIds: [...scope.productIds] });
