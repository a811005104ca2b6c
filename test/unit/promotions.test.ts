import { describe, expect, it } from 'vitest';
import { priceLines, type PricingContext, type PricingLineInput } from '../../src/domain/pricing';
import { bestActivity, nextPriceChangeAt, timedPriceOf, type TieredActivity, type TimedDiscount } from '../../src/domain/promotions/activity';
import { bestCoupon, evaluateCoupon, validityWindow, type HeldCoupon } from '../../src/domain/promotions/coupon';
import type { LineGoods } from '../../src/domain/promotions/scope';
import { promotionStages, unitPriceOf, type CouponChoice } from '../../src/domain/promotions/stacking';
import { wallToEpoch, zonedDayStart } from '../../src/lib/zoned-time';

// A flat 8 yuan shipping fee, whatever the lines (the shipping templates are tested in shipping-domain.test.ts).
const ctx: PricingContext = { isMember: false, shipping: () => 800 };
const line = (skuId: string, quantity: number, unitPriceFen: number, extra: Partial<PricingLineInput> = {}): PricingLineInput => ({ skuId, quantity, unitPriceFen, memberPriceFen: null, ...extra });
const goods: Record<string, LineGoods> = {
  a: { productId: 'p1', categoryId: 'c1' },
  b: { productId: 'p2', categoryId: 'c2' },
  c: { productId: 'p3', categoryId: 'c2' },
  f: { productId: 'p4', categoryId: 'c1', campaignPrice: { allowsPromotions: false } },
};
const goodsOf = (sku: string) => goods[sku]!;
const NOW = Date.UTC(2026, 11, 1, 4);
const coupon = (id: string, benefit: HeldCoupon['benefit'], extra: Partial<HeldCoupon> = {}): HeldCoupon & { label: string } => ({
  id,
  label: id,
  benefit,
  scope: { kind: 'all' },
  validFrom: NOW - 1000,
  validUntil: NOW + 86_400_000,
  ...extra,
});
const manjian = (t: number, off: number) => ({ kind: 'threshold' as const, thresholdFen: t, amountOffFen: off });

function quote(inputs: PricingLineInput[], opts: { activities?: TieredActivity[]; wallet?: (HeldCoupon & { label: string })[]; choice?: CouponChoice; isMember?: boolean }) {
  const stages = promotionStages({ goodsOf, activities: opts.activities ?? [], wallet: opts.wallet ?? [], couponChoice: opts.choice ?? { kind: 'best' }, now: NOW });
  const q = priceLines(inputs, { ...ctx, isMember: !!opts.isMember }, stages.rules);
  return { q, outcome: stages.outcome() };
}

describe('stage 1: one unit price', () => {
  it('takes the lower of member and 限时折扣 price, never both', () => {
    const member = { isMember: true };
    expect(unitPriceOf({ unitPriceFen: 1000, memberPriceFen: 900, promotionalPriceFen: 800 }, member)).toEqual({ unitPriceFen: 800, source: 'timed_discount' });
    expect(unitPriceOf({ unitPriceFen: 1000, memberPriceFen: 700, promotionalPriceFen: 800 }, member)).toEqual({ unitPriceFen: 700, source: 'member' });
    expect(unitPriceOf({ unitPriceFen: 1000, memberPriceFen: 700, promotionalPriceFen: 800 }, { isMember: false })).toEqual({ unitPriceFen: 800, source: 'timed_discount' });
    expect(unitPriceOf({ unitPriceFen: 1000, memberPriceFen: null, promotionalPriceFen: null }, member)).toEqual({ unitPriceFen: 1000, source: 'list' });
  });

  it("takes the member level's discount as a member price: the better of it and the 限时折扣, never both", () => {
    const level = { isMember: false, levelDiscountBps: 1500 }; // 85折
    expect(unitPriceOf({ unitPriceFen: 1000, memberPriceFen: null, promotionalPriceFen: 900 }, level)).toEqual({ unitPriceFen: 850, source: 'member_level' });
    expect(unitPriceOf({ unitPriceFen: 1000, memberPriceFen: null, promotionalPriceFen: 800 }, level)).toEqual({ unitPriceFen: 800, source: 'timed_discount' });
    expect(unitPriceOf({ unitPriceFen: 999, memberPriceFen: null }, level)).toEqual({ unitPriceFen: 850, source: 'member_level' }); // 149.85 off, floored
    // A SKU member price is not a level member's unless the shop prices by member price.
    expect(unitPriceOf({ unitPriceFen: 1000, memberPriceFen: 500 }, level)).toEqual({ unitPriceFen: 850, source: 'member_level' });

    // Through the whole pipeline: no member_level adjustment on top of the 限时折扣 line, the activity then sees the stage-1 prices.
    const activity: TieredActivity = { id: 'act', name: '满20减5', scope: { kind: 'all' }, condition: 'amount', benefit: 'amount_off', tiers: [{ threshold: 2000, value: 500 }] };
    const stages = promotionStages({ goodsOf, activities: [activity], wallet: [], couponChoice: { kind: 'none' }, now: NOW });
    const q = priceLines([line('a', 2, 1000, { promotionalPriceFen: 700 }), line('b', 1, 1000, { promotionalPriceFen: 900 })], { ...ctx, ...level }, stages.rules);
    expect(q.lines.map((l) => [l.priceSource, l.effectiveUnitPriceFen, l.memberPriceApplied])).toEqual([
      ['timed_discount', 700, false],
      ['member_level', 850, true],
    ]);
    expect(q).toMatchObject({ itemsTotalFen: 2250, discountFen: 500, payableFen: 1750 + 800 });
    expect(q.adjustments.map((a) => a.source)).toEqual(['promotion']);
  });

  it('prices the 限时折扣 of a product or a SKU, the lower winning, and knows when prices change next', () => {
    const d = (id: string, over: Partial<TimedDiscount>): TimedDiscount => ({ id, productId: 'p1', skuId: null, kind: 'percent_off', value: 20, startsAt: NOW - 10, endsAt: NOW + 5000, ...over });
    const discounts = [d('d1', {}), d('d2', { skuId: 'a', kind: 'fixed_price', value: 750, endsAt: NOW + 3000 }), d('d3', { startsAt: NOW + 1000, value: 50 })];
    expect(timedPriceOf(discounts, { skuId: 'a', productId: 'p1', priceFen: 999 }, NOW)).toEqual({ priceFen: 750, endsAt: NOW + 3000, discountId: 'd2' });
    expect(timedPriceOf(discounts, { skuId: 'z', productId: 'p1', priceFen: 999 }, NOW)).toEqual({ priceFen: 800, endsAt: NOW + 5000, discountId: 'd1' });
    expect(timedPriceOf(discounts, { skuId: 'z', productId: 'p9', priceFen: 999 }, NOW)).toBeNull();
    expect(nextPriceChangeAt(discounts, NOW)).toBe(NOW + 1000);
    expect(nextPriceChangeAt(discounts, NOW + 5000)).toBeNull();
  });
});

describe('stage 2: at most one 满减/满折 activity, its best tier', () => {
  const tiers: TieredActivity = {
    id: 'act1',
    name: '满100减10 满200减30',
    scope: { kind: 'all' },
    condition: 'amount',
    benefit: 'amount_off',
    tiers: [
      { threshold: 10000, value: 1000 },
      { threshold: 20000, value: 3000 },
    ],
  };
  const byUnits: TieredActivity = {
    id: 'act2',
    name: '满2件9折',
    scope: { kind: 'include', categoryIds: ['c2'], productIds: [] },
    condition: 'quantity',
    benefit: 'percent_off',
    tiers: [{ threshold: 2, value: 10 }],
  };

  it('picks the best tier reached and the activity that saves most', () => {
    const lines = priceLines([line('a', 1, 15000), line('b', 2, 5000)], ctx).lines;
    expect(bestActivity([tiers, byUnits], lines, goodsOf)).toMatchObject({ activity: { id: 'act1' }, tier: { threshold: 20000 }, savingFen: 3000 });
    const fewer = priceLines([line('b', 2, 5000)], ctx).lines;
    expect(bestActivity([tiers, byUnits], fewer, goodsOf)).toMatchObject({ activity: { id: 'act1' }, savingFen: 1000 });
    const small = priceLines([line('b', 2, 4000)], ctx).lines;
    expect(bestActivity([tiers, byUnits], small, goodsOf)).toMatchObject({ activity: { id: 'act2' }, savingFen: 800, skuIds: ['b'] });
  });

  it('shares a scoped activity only among the lines in scope', () => {
    const { q } = quote([line('a', 1, 3333), line('b', 1, 3333), line('c', 2, 3333)], { activities: [byUnits] });
    // 10% of 9999 fen is 999 (floored): 333 for one unit of b, 666 for two of c.
    expect(q.lines.map((l) => l.discountShareFen)).toEqual([0, 333, 666]);
    expect(q.discountFen).toBe(999);
  });
});

describe('stage 3: coupons', () => {
  it('gives typed reasons for every coupon that cannot be used', () => {
    const lines = priceLines([line('a', 1, 5000), line('f', 1, 9000)], ctx).lines;
    const evaluate = (c: HeldCoupon) => evaluateCoupon(c, lines, goodsOf, NOW);
    expect(evaluate(coupon('x', manjian(6000, 500)))).toEqual({ usable: false, reason: 'below_threshold' });
    expect(evaluate(coupon('x', manjian(100, 50), { scope: { kind: 'include', categoryIds: ['c2'], productIds: [] } }))).toEqual({ usable: false, reason: 'out_of_scope' });
    expect(evaluate(coupon('x', manjian(100, 50), { scope: { kind: 'include', categoryIds: [], productIds: ['p4'] } }))).toEqual({ usable: false, reason: 'campaign_price' });
    expect(evaluate(coupon('x', manjian(100, 50), { validFrom: NOW + 1 }))).toEqual({ usable: false, reason: 'not_yet_valid' });
    expect(evaluate(coupon('x', manjian(100, 50), { validUntil: NOW }))).toEqual({ usable: false, reason: 'expired' });
    expect(evaluate(coupon('x', manjian(100, 50), { scope: { kind: 'exclude', categoryIds: [], productIds: ['p4'] } }))).toEqual({ usable: true, savingFen: 50, skuIds: ['a'] });
  });

  it('caps a percent coupon and floors its fen', () => {
    const lines = priceLines([line('a', 1, 12345)], ctx).lines;
    expect(evaluateCoupon(coupon('p', { kind: 'percent', thresholdFen: 0, percentOff: 15, capFen: null }), lines, goodsOf, NOW)).toMatchObject({ savingFen: 1851 });
    expect(evaluateCoupon(coupon('p', { kind: 'percent', thresholdFen: 0, percentOff: 15, capFen: 1000 }), lines, goodsOf, NOW)).toMatchObject({ savingFen: 1000 });
  });

  it('chooses the largest saving; ties go to the earliest expiry', () => {
    const wallet = [
      coupon('late', manjian(100, 500), { validUntil: NOW + 9_000_000 }),
      coupon('early', manjian(100, 500), { validUntil: NOW + 5_000_000 }),
      coupon('small', manjian(100, 400), { validUntil: NOW + 1000 }),
    ];
    const lines = priceLines([line('a', 1, 5000)], ctx).lines;
    const picked = bestCoupon(wallet.map((c) => ({ coupon: c, evaluation: evaluateCoupon(c, lines, goodsOf, NOW) })));
    expect(picked?.coupon.id).toBe('early');
  });

  it('measures the coupon on what the activity left, caps the order at zero and allocates exactly', () => {
    const activity: TieredActivity = { id: 'act', name: '满100减10', scope: { kind: 'all' }, condition: 'amount', benefit: 'amount_off', tiers: [{ threshold: 10000, value: 1000 }] };
    // 10000 − 1000 (activity) = 9000 < 10000: the 满100减20 coupon no longer reaches its threshold.
    const { q, outcome } = quote([line('a', 1, 10000)], { activities: [activity], wallet: [coupon('m', manjian(10000, 2000)), coupon('n', { kind: 'no_threshold', amountOffFen: 300 })] });
    expect(outcome.wallet.map((w) => w.evaluation)).toEqual([
      { usable: false, reason: 'below_threshold' },
      { usable: true, savingFen: 300, skuIds: ['a'] },
    ]);
    expect(q.adjustments.map((a) => [a.source, a.amountFen])).toEqual([
      ['promotion', 1000],
      ['coupon', 300],
    ]);
    const huge = quote([line('a', 1, 333), line('b', 2, 333)], { wallet: [coupon('big', { kind: 'no_threshold', amountOffFen: 5000 })] }).q;
    expect(huge).toMatchObject({ discountFen: 999, payableFen: 800 });
    expect(huge.lines.map((l) => l.payableFen)).toEqual([0, 0]);
  });

  it('uses no coupon when told so, and reports a chosen coupon that cannot be used', () => {
    const wallet = [coupon('m', manjian(10000, 2000)), coupon('n', { kind: 'no_threshold', amountOffFen: 300 })];
    expect(quote([line('a', 1, 5000)], { wallet, choice: { kind: 'none' } }).q.discountFen).toBe(0);
    const chosen = quote([line('a', 1, 5000)], { wallet, choice: { kind: 'chosen', couponId: 'm' } });
    expect(chosen.outcome).toMatchObject({ coupon: null, chosenRefusal: 'below_threshold' });
    expect(chosen.q.discountFen).toBe(0);
    expect(quote([line('a', 1, 5000)], { wallet, choice: { kind: 'chosen', couponId: 'n' } }).q.discountFen).toBe(300);
  });

  it('gives campaign-priced lines nothing', () => {
    const { q } = quote([line('f', 1, 5000), line('a', 1, 5000)], { wallet: [coupon('n', { kind: 'no_threshold', amountOffFen: 300 })] });
    expect(q.lines.map((l) => l.discountShareFen)).toEqual([0, 300]);
  });

  it('ends a relative validity at 24:00 shop time on day N (the day of claiming is day 1)', () => {
    const zone = { dayStart: (e: number) => zonedDayStart(e, 'Asia/Shanghai'), wallToEpoch: (w: number) => wallToEpoch(w, 'Asia/Shanghai') };
    // 2026-12-01 23:30 in Shanghai = 15:30 UTC.
    const claimedAt = Date.UTC(2026, 11, 1, 15, 30);
    expect(validityWindow({ kind: 'relative', days: 1 }, claimedAt, zone)).toEqual({ validFrom: claimedAt, validUntil: Date.UTC(2026, 11, 1, 16) });
    expect(validityWindow({ kind: 'relative', days: 3 }, claimedAt, zone).validUntil).toBe(Date.UTC(2026, 11, 3, 16));
    // 00:30 the next day there (16:30 UTC) is already day 2's claim.
    expect(validityWindow({ kind: 'relative', days: 1 }, Date.UTC(2026, 11, 1, 16, 30), zone).validUntil).toBe(Date.UTC(2026, 11, 2, 16));
  });
});
