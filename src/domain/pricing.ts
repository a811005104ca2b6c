// Pricing of a cart or order: line totals, member prices, discounts, shipping, payable total.
// All integer fen. Coupons, points and campaign prices plug in as PriceRules that return
// adjustments; the core below never needs to change for them.
import { splitProportionally } from './split';

export type PricingLineInput = {
  skuId: string;
  quantity: number;
  unitPriceFen: number;
  memberPriceFen: number | null;
};

/**
 * What shipping costs for the priced lines, after discounts (each line's payableFen): the shop's
 * shipping templates (src/domain/shipping.ts), each charging over the lines that use it.
 */
export type ShippingPolicy = (lines: readonly PricedLine[]) => number;

export type PricingContext = { isMember: boolean; shipping: ShippingPolicy };

export type PricedLine = PricingLineInput & {
  /** The price actually charged per unit (member price when it applies). */
  effectiveUnitPriceFen: number;
  memberPriceApplied: boolean;
  lineTotalFen: number;
  /** This line's share of all discounts; shares add up to the quote's discountFen. */
  discountShareFen: number;
  payableFen: number;
};

/** A discount from a rule (coupon, points, …): a positive amount taken off the goods. */
export type Adjustment = { source: string; label: string; amountFen: number };

/** A pluggable pricing rule: sees the lines and what earlier rules took off, returns discounts. */
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
    const memberPriceApplied = ctx.isMember && line.memberPriceFen !== null && line.memberPriceFen < line.unitPriceFen;
    const effectiveUnitPriceFen = memberPriceApplied ? line.memberPriceFen! : line.unitPriceFen;
    const lineTotalFen = effectiveUnitPriceFen * line.quantity;
    return { ...line, effectiveUnitPriceFen, memberPriceApplied, lineTotalFen, discountShareFen: 0, payableFen: lineTotalFen };
  });
  const itemsTotalFen = lines.reduce((sum, l) => sum + l.lineTotalFen, 0);

  // Each rule's discount is capped by what is left, so the goods never go below zero
  // (the negative-payable bug of macrozheng/mall #1002).
  const adjustments: Adjustment[] = [];
  let goodsFen = itemsTotalFen;
  for (const rule of rules) {
    for (const adjustment of rule(lines, goodsFen, ctx)) {
      const amountFen = Math.min(Math.max(0, Math.floor(adjustment.amountFen)), goodsFen);
      if (amountFen === 0) continue;
      adjustments.push({ ...adjustment, amountFen });
      goodsFen -= amountFen;
    }
  }
  const discountFen = itemsTotalFen - goodsFen;
  const shares = splitProportionally(
    discountFen,
    lines.map((l) => l.lineTotalFen),
  );
  lines = lines.map((l, i) => ({ ...l, discountShareFen: shares[i]!, payableFen: l.lineTotalFen - shares[i]! }));

  const shippingFeeFen = lines.length === 0 ? 0 : ctx.shipping(lines);
  return { lines, itemsTotalFen, adjustments, discountFen, shippingFeeFen, payableFen: goodsFen + shippingFeeFen };
}
