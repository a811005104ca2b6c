// Pricing of a cart or order: line totals, the unit price each line is charged (list, member or
// promotional: src/domain/promotions/stacking.ts decides), discounts, shipping, payable total.
// All integer fen. Store promotions, coupons, points and campaign prices plug in as PriceRules
// that return adjustments; the core below never needs to change for them.
import { unitPriceOf, type MemberPriceTerms, type PriceSource } from './promotions/unit-price';
import { splitProportionally } from './split';

export type PricingLineInput = {
  skuId: string;
  quantity: number;
  unitPriceFen: number;
  memberPriceFen: number | null;
  /** A store promotion's price for this SKU now (限时折扣); null/absent = none. */
  promotionalPriceFen?: number | null;
};

/**
 * What shipping costs for the priced lines, after discounts (each line's payableFen): the shop's
 * shipping templates (src/domain/shipping.ts), each charging over the lines that use it.
 */
export type ShippingPolicy = (lines: readonly PricedLine[]) => number;

/** `isMember` / `levelDiscountBps`: the member level's stage-1 price (unit-price.ts). */
export type PricingContext = MemberPriceTerms & { shipping: ShippingPolicy };

export type PricedLine = PricingLineInput & {
  /** The price actually charged per unit (the lowest of list, member / level and promotional price). */
  effectiveUnitPriceFen: number;
  priceSource: PriceSource;
  memberPriceApplied: boolean;
  lineTotalFen: number;
  /** This line's share of all discounts so far; shares add up to the quote's discountFen. */
  discountShareFen: number;
  payableFen: number;
};

/**
 * A discount from a rule (store promotion, coupon, points …): a positive amount taken off the
 * goods, shared among `skuIds` (all lines when absent) in proportion to what each still costs.
 */
export type Adjustment = { source: string; label: string; amountFen: number; skuIds?: readonly string[]; ref?: string };

/**
 * A pluggable pricing rule: sees the lines as earlier rules left them (each line's payableFen is
 * what is left of it) and the goods' total left, returns discounts.
 */
export type PriceRule = (lines: readonly PricedLine[], goodsAfterEarlierRulesFen: number, ctx: PricingContext) => Adjustment[];

export type Quote = {
  lines: PricedLine[];
  itemsTotalFen: number;
  adjustments: Adjustment[];
  discountFen: number;
  shippingFeeFen: number;
  payableFen: number;
};

export function priceLines(inputs: PricingLineInput[], ctx: PricingContext, rules: PriceRule[] = []): Quote {
  let lines: PricedLine[] = inputs.map((line) => {
    const { unitPriceFen: effectiveUnitPriceFen, source: priceSource } = unitPriceOf(line, ctx);
    const lineTotalFen = effectiveUnitPriceFen * line.quantity;
    return { ...line, effectiveUnitPriceFen, priceSource, memberPriceApplied: priceSource === 'member' || priceSource === 'member_level', lineTotalFen, discountShareFen: 0, payableFen: lineTotalFen };
  });
  const itemsTotalFen = lines.reduce((sum, l) => sum + l.lineTotalFen, 0);

  // Each discount is capped by what is left of the lines it applies to, so no line and no
  // order ever goes below zero (the negative-payable bug of macrozheng/mall #1002); it is shared
  // among those lines exactly (largest remainder), so a refund can take each line's share back.
  const adjustments: Adjustment[] = [];
  for (const rule of rules) {
    const goodsFen = lines.reduce((sum, l) => sum + l.payableFen, 0);
    for (const adjustment of rule(lines, goodsFen, ctx)) {
      const applies = (l: PricedLine) => !adjustment.skuIds || adjustment.skuIds.includes(l.skuId);
      const leftFen = lines.filter(applies).reduce((sum, l) => sum + l.payableFen, 0);
      const amountFen = Math.min(Math.max(0, Math.floor(adjustment.amountFen)), leftFen);
      if (amountFen === 0) continue;
      adjustments.push({ ...adjustment, amountFen });
      const targets = lines.map((l, i) => ({ l, i })).filter(({ l }) => applies(l));
      const shares = splitProportionally(
        amountFen,
        targets.map(({ l }) => l.payableFen),
      );
      lines = lines.slice();
      targets.forEach(({ l, i }, k) => {
        lines[i] = { ...l, discountShareFen: l.discountShareFen + shares[k]!, payableFen: l.payableFen - shares[k]! };
      });
    }
  }
  const goodsFen = lines.reduce((sum, l) => sum + l.payableFen, 0);
  const discountFen = itemsTotalFen - goodsFen;

  const shippingFeeFen = lines.length === 0 ? 0 : ctx.shipping(lines);
  return { lines, itemsTotalFen, adjustments, discountFen, shippingFeeFen, payableFen: goodsFen + shippingFeeFen };
}
