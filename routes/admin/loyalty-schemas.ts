// Bodies of the merchant's loyalty API (settings, manual points), validated with valibot.
import * as v from 'valibot';
import { checkInCycles, checkInRewardKinds, mallItemKinds, memberBenefitModes, planPeriods, planRefundRules, pointExpiryModes } from '../../src/domain/loyalty/vocabulary';
import { fen, httpsUrl, idOf, text } from '../../src/lib/validate';
import { wholePoints } from '../loyalty-schemas';

const points = wholePoints;

const couponTemplateId = v.pipe(v.string(), v.maxLength(64, 'is too long'), v.regex(/^[a-z]{2,5}_[0-9a-z_]{1,60}$/, 'must be a coupon template id'));

const nullablePoints = (min: number) => v.optional(v.nullable(points(min)));

export const loyaltySettingsBody = v.pipe(
  v.strictObject({
    points_expiry_mode: v.optional(v.picklist(pointExpiryModes)),
    points_expiry_months: v.optional(points(1, 120)),
    earn_points_per_yuan: v.optional(points(0, 10_000)),
    earn_birthday_multiplier_bps: v.optional(points(1, 100_000)),
    earn_first_order_bonus: v.optional(points(0)),
    earn_per_order_cap: nullablePoints(1),
    after_sales_days: v.optional(points(0, 90)),
    redeem_points_per_yuan: v.optional(points(1, 10_000)),
    redeem_max_goods_percent: v.optional(points(0, 100)),
    redeem_max_points_per_order: nullablePoints(1),
    redeem_shipping: v.optional(v.boolean()),
    check_in_cycle: v.optional(v.picklist(checkInCycles)),
    check_in_base_points: v.optional(points(0, 100_000)),
    check_in_make_ups_per_month: v.optional(points(0, 31)),
    check_in_make_up_cost_points: v.optional(points(0, 100_000)),
    member_benefit_mode: v.optional(v.picklist(memberBenefitModes)),
    growth_per_yuan: v.optional(points(0, 10_000)),
    check_in_growth: v.optional(points(0, 10_000)),
    plan_refund_rule: v.optional(v.picklist(planRefundRules)),
  }),
  v.check((b) => Object.keys(b).length > 0, 'must change at least one field'),
);

/** A paid plan purchase refunded by the merchant (the amount follows the shop's refund rule). */
export const planRefundBody = v.strictObject({ reason: text(80) });

/** A manual grant (> 0) or deduction (< 0); the reason is kept in the journal with who made it. */
export const pointsAdjustmentBody = v.strictObject({
  points: v.pipe(
    points(-100_000_000),
    v.check((n) => n !== 0, 'must not be 0'),
  ),
  reason: text(80),
});

export const checkInRewardBody = v.strictObject({
  kind: v.picklist(checkInRewardKinds),
  days: points(1, 31),
  points: v.optional(points(0, 1_000_000), 0),
  coupon_template_id: v.optional(v.nullable(couponTemplateId)),
});

/** A category's earning multiplier in basis points (10000 = ×1); must be above 0. */
export const categoryMultiplierBody = v.strictObject({ category_id: idOf('cat'), multiplier_bps: points(1, 100_000) });

/** The whole level ladder, lowest first; thresholds must rise (checked by the service, with each offending path). */
export const levelsBody = v.strictObject({
  levels: v.pipe(
    v.array(
      v.strictObject({
        name: text(20),
        growth_threshold: points(0),
        discount_bps: v.optional(points(0, 9_999), 0),
        member_price: v.optional(v.boolean(), false),
        free_shipping: v.optional(v.boolean(), false),
        points_multiplier_bps: v.optional(points(1, 100_000), 10_000),
        birthday_coupon_template_id: v.optional(v.nullable(couponTemplateId)),
      }),
    ),
    v.maxLength(20, 'at most 20 levels'),
  ),
});

export const planBody = v.strictObject({
  name: text(20),
  period: v.picklist(planPeriods),
  price_fen: v.pipe(fen, v.minValue(1, 'must be at least 1')),
  level_rank: points(1, 20),
});

/** A coupon item costs points only; a SKU item points plus a cash part (paid with WeChat Pay like any order). */
export const mallItemBody = v.pipe(
  v.strictObject({
    kind: v.picklist(mallItemKinds),
    title: text(40),
    image_url: v.optional(v.nullable(httpsUrl)),
    sku_id: v.optional(idOf('sku')),
    coupon_template_id: v.optional(couponTemplateId),
    points_price: points(1),
    cash_fen: v.optional(fen, 0),
    stock: points(0, 1_000_000),
    per_shopper_limit: v.optional(points(1, 1000), 1),
  }),
  v.forward(
    v.check((b) => b.kind !== 'sku' || !!b.sku_id, 'a SKU item needs sku_id'),
    ['sku_id'],
  ),
  v.forward(
    v.check((b) => b.kind !== 'coupon' || !!b.coupon_template_id, 'a coupon item needs coupon_template_id'),
    ['coupon_template_id'],
  ),
  v.forward(
    v.check((b) => b.kind !== 'coupon' || b.cash_fen === 0, 'a coupon item costs points only'),
    ['cash_fen'],
  ),
);
