// Shipping fees (运费模板): what a template charges for the lines that use it, sent to one address.
// Pure and exact in fen. A template charges by piece, by weight (grams) or a flat fee; a region
// (a province "浙江省", or a city "浙江省/杭州市") may have its own first-unit and additional-unit
// fees, its own free-shipping conditions, or not be delivered to at all. The most specific
// region wins: the city, then its province, then the template's default.

export const shippingBases = ['piece', 'weight', 'flat'] as const;

/** How goods reach the shopper: WeChat's logistics_type 1–4, in order. */
export const deliveryMethods = ['express', 'same_city', 'virtual', 'pickup'] as const;
export type DeliveryMethod = (typeof deliveryMethods)[number];
/** At most this many packages per order (WeChat's split-delivery limit). */
export const MAX_PACKAGES_PER_ORDER = 15;
export type ShippingBasis = (typeof shippingBases)[number];

/** The first `firstUnits` cost `firstFeeFen`; every started `additionalUnits` beyond cost `additionalFeeFen`. */
export type FeeRule = { firstUnits: number; firstFeeFen: number; additionalUnits: number; additionalFeeFen: number };
export type RegionFeeRule = FeeRule & { regions: string[] };
/** Free when the goods (after discounts) reach `minAmountFen`, or the pieces reach `minQuantity`; regions [] = everywhere. */
export type FreeShippingRule = { regions: string[]; minAmountFen: number | null; minQuantity: number | null };

export type ShippingTemplate = {
  id: string;
  basis: ShippingBasis;
  defaultRule: FeeRule;
  regionRules: RegionFeeRule[];
  freeRules: FreeShippingRule[];
  undeliverableRegions: string[];
};

export type Destination = { province: string; city: string };
/** One order line as shipping sees it: pieces, the weight of one piece, and what the shopper pays for it after discounts. */
export type ShippingLine = { quantity: number; gramsEach: number; payableFen: number };

/** A region key names a province, or a city within it ("浙江省/杭州市"). */
export const regionKey = (province: string, city?: string) => (city ? `${province}/${city}` : province);

/** How closely a region key matches the destination: 2 the city, 1 its province, 0 not at all. */
function matchDepth(region: string, to: Destination): number {
  if (region === regionKey(to.province, to.city)) return 2;
  return region === to.province ? 1 : 0;
}

const covers = (regions: string[], to: Destination) => regions.some((r) => matchDepth(r, to) > 0);

export function deliversTo(template: Pick<ShippingTemplate, 'undeliverableRegions'>, to: Destination): boolean {
  return !covers(template.undeliverableRegions, to);
}

/** The fee rule for the destination: the region rule naming its city, else its province, else the default. */
export function feeRuleFor(template: ShippingTemplate, to: Destination): FeeRule {
  let best: { rule: FeeRule; depth: number } = { rule: template.defaultRule, depth: 0 };
  for (const rule of template.regionRules) {
    const depth = Math.max(0, ...rule.regions.map((r) => matchDepth(r, to)));
    if (depth > best.depth) best = { rule, depth };
  }
  return best.rule;
}

function chargeableUnits(basis: ShippingBasis, lines: readonly ShippingLine[]): number {
  if (basis === 'weight') return lines.reduce((sum, l) => sum + l.quantity * l.gramsEach, 0);
  return lines.reduce((sum, l) => sum + l.quantity, 0);
}

export function feeOf(basis: ShippingBasis, rule: FeeRule, units: number): number {
  if (basis === 'flat' || units <= rule.firstUnits || rule.additionalUnits <= 0) return rule.firstFeeFen;
  return rule.firstFeeFen + Math.ceil((units - rule.firstUnits) / rule.additionalUnits) * rule.additionalFeeFen;
}

function shipsFree(template: ShippingTemplate, to: Destination, lines: readonly ShippingLine[]): boolean {
  const amountFen = lines.reduce((sum, l) => sum + l.payableFen, 0);
  const quantity = lines.reduce((sum, l) => sum + l.quantity, 0);
  return template.freeRules.some(
    (free) =>
      (free.regions.length === 0 || covers(free.regions, to)) && ((free.minAmountFen !== null && amountFen >= free.minAmountFen) || (free.minQuantity !== null && quantity >= free.minQuantity)),
  );
}

/** What one template charges for its lines to the destination (0 for no lines). Assumes it delivers there. */
export function templateFeeFen(template: ShippingTemplate, to: Destination, lines: readonly ShippingLine[]): number {
  if (lines.length === 0 || shipsFree(template, to, lines)) return 0;
  return feeOf(template.basis, feeRuleFor(template, to), chargeableUnits(template.basis, lines));
}

/** The shipping of a whole order: each template charges once, over the lines that use it. */
export function shippingFeeFen(groups: Iterable<{ template: ShippingTemplate; lines: ShippingLine[] }>, to: Destination): number {
  let total = 0;
  for (const { template, lines } of groups) total += templateFeeFen(template, to, lines);
  return total;
}

/** Problems of a template as a merchant wrote it, with field paths (for a 400). */
export function templateProblems(t: Omit<ShippingTemplate, 'id'>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const checkRule = (rule: FeeRule, path: string) => {
    if (t.basis !== 'flat' && rule.firstUnits < 1) problems.push({ path: `${path}.first_units`, message: 'must be at least 1' });
    if (t.basis !== 'flat' && rule.additionalFeeFen > 0 && rule.additionalUnits < 1) problems.push({ path: `${path}.additional_units`, message: 'must be at least 1 when additional_fee_fen is set' });
  };
  checkRule(t.defaultRule, 'body.default_rule');
  const seen = new Set<string>();
  t.regionRules.forEach((rule, i) => {
    checkRule(rule, `body.region_rules.${i}`);
    for (const region of rule.regions) {
      if (seen.has(region)) problems.push({ path: `body.region_rules.${i}.regions`, message: `${region} already has a rule` });
      seen.add(region);
    }
  });
  t.freeRules.forEach((rule, i) => {
    if (rule.minAmountFen === null && rule.minQuantity === null) problems.push({ path: `body.free_rules.${i}`, message: 'needs min_amount_fen or min_quantity' });
  });
  return problems;
}
