// Shipping templates (src/domain/shipping.ts): region precedence, units, free rules, and property
// tests over random carts (seeded, so a failure replays).
import { describe, expect, it } from 'vitest';
import { priceLines, type PricingLineInput } from '../../src/domain/pricing';
import { deliversTo, feeOf, shippingFeeFen, templateFeeFen, templateProblems, type ShippingLine, type ShippingTemplate } from '../../src/domain/shipping';

const hangzhou = { province: '浙江省', city: '杭州市' };
const ningbo = { province: '浙江省', city: '宁波市' };
const lhasa = { province: '西藏自治区', city: '拉萨市' };
const beijing = { province: '北京市', city: '北京市' };

const byPiece: ShippingTemplate = {
  id: 'shp_piece',
  basis: 'piece',
  defaultRule: { firstUnits: 1, firstFeeFen: 1000, additionalUnits: 1, additionalFeeFen: 500 },
  regionRules: [
    { regions: ['浙江省'], firstUnits: 2, firstFeeFen: 600, additionalUnits: 2, additionalFeeFen: 300 },
    { regions: ['浙江省/杭州市'], firstUnits: 1, firstFeeFen: 0, additionalUnits: 1, additionalFeeFen: 100 },
  ],
  freeRules: [
    { regions: ['浙江省'], minAmountFen: 10000, minQuantity: null },
    { regions: [], minAmountFen: null, minQuantity: 10 },
  ],
  undeliverableRegions: ['西藏自治区'],
};
const byWeight: ShippingTemplate = {
  id: 'shp_weight',
  basis: 'weight',
  defaultRule: { firstUnits: 1000, firstFeeFen: 800, additionalUnits: 500, additionalFeeFen: 200 },
  regionRules: [],
  freeRules: [],
  undeliverableRegions: ['浙江省/宁波市'],
};
const line = (quantity: number, payableFen: number, gramsEach = 0): ShippingLine => ({ quantity, gramsEach, payableFen });

describe('a template', () => {
  it('charges the first unit, then every started additional unit', () => {
    expect(feeOf('piece', byPiece.defaultRule, 1)).toBe(1000);
    expect(feeOf('piece', byPiece.defaultRule, 3)).toBe(2000);
    expect(feeOf('weight', byWeight.defaultRule, 1000)).toBe(800);
    expect(feeOf('weight', byWeight.defaultRule, 1001)).toBe(1000); // a started 500 g counts whole
    expect(feeOf('weight', byWeight.defaultRule, 2000)).toBe(1200);
    expect(feeOf('flat', byWeight.defaultRule, 99_999)).toBe(800);
  });

  it('uses the city rule before its province, the province before the default', () => {
    expect(templateFeeFen(byPiece, hangzhou, [line(3, 100)])).toBe(200);
    expect(templateFeeFen(byPiece, ningbo, [line(3, 100)])).toBe(900);
    expect(templateFeeFen(byPiece, beijing, [line(3, 100)])).toBe(2000);
  });

  it('ships free by amount in its regions, or by count everywhere', () => {
    expect(templateFeeFen(byPiece, ningbo, [line(1, 9999)])).toBe(600);
    expect(templateFeeFen(byPiece, ningbo, [line(1, 6000), line(1, 4000)])).toBe(0);
    expect(templateFeeFen(byPiece, beijing, [line(1, 100_000)])).toBe(1000);
    expect(templateFeeFen(byPiece, beijing, [line(10, 100)])).toBe(0);
  });

  it('weighs quantity × grams; knows where it does not deliver (province or city)', () => {
    expect(templateFeeFen(byWeight, beijing, [line(3, 100, 400), line(1, 100, 300)])).toBe(1000);
    expect(deliversTo(byPiece, lhasa)).toBe(false);
    expect(deliversTo(byPiece, hangzhou)).toBe(true);
    expect(deliversTo(byWeight, ningbo)).toBe(false);
    expect(deliversTo(byWeight, hangzhou)).toBe(true);
  });

  it('names inconsistent rules by field path', () => {
    const problems = templateProblems({
      ...byPiece,
      defaultRule: { firstUnits: 0, firstFeeFen: 1, additionalUnits: 0, additionalFeeFen: 5 },
      regionRules: [...byPiece.regionRules, { regions: ['浙江省'], firstUnits: 1, firstFeeFen: 1, additionalUnits: 1, additionalFeeFen: 1 }],
      freeRules: [{ regions: [], minAmountFen: null, minQuantity: null }],
    });
    expect(problems.map((p) => p.path)).toEqual(['body.default_rule.first_units', 'body.default_rule.additional_units', 'body.region_rules.2.regions', 'body.free_rules.0']);
  });
});

/** A small deterministic PRNG (mulberry32). */
function random(seed: number) {
  let a = seed;
  return (max: number) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) % max) as number;
  };
}

describe('property: random carts', () => {
  const templates = [byPiece, byWeight];
  const destinations = [hangzhou, ningbo, beijing];

  it('the order fee is the sum of each template over its own lines, never negative, exact integers', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const to = destinations[r(destinations.length)]!;
      const lines = Array.from({ length: 1 + r(6) }, () => ({ template: templates[r(2)]!, line: line(1 + r(5), r(20_000), r(3000)) }));
      const groups = templates.map((template) => ({ template, lines: lines.filter((l) => l.template === template).map((l) => l.line) }));
      const total = shippingFeeFen(groups, to);
      expect(Number.isSafeInteger(total) && total >= 0, `seed ${seed}`).toBe(true);
      expect(total, `seed ${seed}`).toBe(groups.reduce((sum, g) => sum + templateFeeFen(g.template, to, g.lines), 0));
    }
  });

  it('adding a piece never makes a by-piece template cheaper unless it crosses a free-shipping condition', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const to = destinations[r(destinations.length)]!;
      const cart = Array.from({ length: 1 + r(4) }, () => line(1 + r(4), r(3000)));
      const more = [...cart, line(1, 0)];
      const before = templateFeeFen({ ...byPiece, freeRules: [] }, to, cart);
      expect(templateFeeFen({ ...byPiece, freeRules: [] }, to, more), `seed ${seed}`).toBeGreaterThanOrEqual(before);
    }
  });

  it('priceLines charges shipping on the goods after discounts: a discount can lose free shipping', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = random(seed);
      const inputs: PricingLineInput[] = Array.from({ length: 1 + r(4) }, (_, i) => ({ skuId: `s${i}`, quantity: 1 + r(3), unitPriceFen: 1 + r(6000), memberPriceFen: null }));
      const discount = r(5000);
      const policy = (lines: readonly { quantity: number; payableFen: number }[]) =>
        templateFeeFen(
          byPiece,
          ningbo,
          lines.map((l) => line(l.quantity, l.payableFen)),
        );
      const quote = priceLines(inputs, { isMember: false, shipping: policy }, [() => [{ source: 'test', label: 'test', amountFen: discount }]]);
      const goods = quote.itemsTotalFen - quote.discountFen;
      expect(
        quote.lines.reduce((s, l) => s + l.payableFen, 0),
        `seed ${seed}`,
      ).toBe(goods);
      const pieces = inputs.reduce((s, l) => s + l.quantity, 0);
      const expected = goods >= 10000 || pieces >= 10 ? 0 : feeOf('piece', byPiece.regionRules[0]!, pieces);
      expect(quote.shippingFeeFen, `seed ${seed}`).toBe(expected);
      expect(quote.payableFen).toBe(goods + expected);
    }
  });
});
