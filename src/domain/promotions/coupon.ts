// Coupons (优惠券): what one is worth on an order, why it cannot be used, which of a wallet is
// best, and when a coupon claimed now stops being valid. Pure rules; no I/O.
import type { PricedLine } from '../pricing';
import { yuan, zhe } from './activity';
import { inScope, takesPromotions, type LineGoods, type Scope } from './scope';

export const couponKinds = ['threshold', 'percent', 'no_threshold'] as const;
export type CouponKind = (typeof couponKinds)[number];

/**
 * 满减: `amountOffFen` off once the in-scope goods reach `thresholdFen`; 折扣: `percentOff`
 * (1–99) off the in-scope goods (from `thresholdFen`, 0 = always), at most `capFen`;
 * 无门槛: `amountOffFen` off, no threshold.
 */
export type CouponBenefit =
  | { kind: 'threshold'; thresholdFen: number; amountOffFen: number }
  | { kind: 'percent'; thresholdFen: number; percentOff: number; capFen: number | null }
  | { kind: 'no_threshold'; amountOffFen: number };

/** A coupon a shopper holds, as it was when claimed (later edits of its template do not change it). */
export type HeldCoupon = { id: string; benefit: CouponBenefit; scope: Scope; validFrom: number; validUntil: number };

export const couponRefusals = ['not_yet_valid', 'expired', 'campaign_price', 'out_of_scope', 'below_threshold'] as const;
export type CouponRefusal = (typeof couponRefusals)[number];

export type CouponEvaluation = { usable: true; savingFen: number; skuIds: string[] } | { usable: false; reason: CouponRefusal };

const thresholdOf = (b: CouponBenefit) => (b.kind === 'no_threshold' ? 0 : b.thresholdFen);

/** What the benefit takes off `goodsFen` of in-scope goods (never more than the goods). */
export function benefitOn(benefit: CouponBenefit, goodsFen: number): number {
  if (goodsFen < thresholdOf(benefit)) return 0;
  const off = benefit.kind === 'percent' ? Math.min(Math.floor((goodsFen * benefit.percentOff) / 100), benefit.capFen ?? Infinity) : benefit.amountOffFen;
  return Math.min(off, goodsFen);
}

/**
 * Whether `coupon` can be used on `lines` (as earlier stages left them: payableFen is what is left
 * of each) at `now`, and if so what it saves. Validity first, then scope, then the threshold.
 */
export function evaluateCoupon(coupon: HeldCoupon, lines: readonly PricedLine[], goodsOf: (skuId: string) => LineGoods, now: number): CouponEvaluation {
  if (now < coupon.validFrom) return { usable: false, reason: 'not_yet_valid' };
  if (now >= coupon.validUntil) return { usable: false, reason: 'expired' };
  const scoped = lines.filter((l) => inScope(coupon.scope, goodsOf(l.skuId)));
  if (scoped.length === 0) return { usable: false, reason: 'out_of_scope' };
  const eligible = scoped.filter((l) => takesPromotions(goodsOf(l.skuId)));
  if (eligible.length === 0) return { usable: false, reason: 'campaign_price' };
  const goodsFen = eligible.reduce((sum, l) => sum + l.payableFen, 0);
  if (goodsFen < thresholdOf(coupon.benefit) || goodsFen === 0) return { usable: false, reason: 'below_threshold' };
  return { usable: true, savingFen: benefitOn(coupon.benefit, goodsFen), skuIds: eligible.map((l) => l.skuId) };
}

/** The best of the usable ones: the largest saving; on a tie the one that expires first, then the lower id (deterministic). */
export function bestCoupon<T extends { coupon: HeldCoupon; evaluation: CouponEvaluation }>(candidates: readonly T[]): T | null {
  let best: (T & { saving: number }) | null = null;
  for (const c of candidates) {
    if (!c.evaluation.usable || c.evaluation.savingFen <= 0) continue;
    const saving = c.evaluation.savingFen;
    const better =
      !best || saving > best.saving || (saving === best.saving && (c.coupon.validUntil < best.coupon.validUntil || (c.coupon.validUntil === best.coupon.validUntil && c.coupon.id < best.coupon.id)));
    if (better) best = { ...c, saving };
  }
  return best;
}

/** A template's validity: fixed dates, or N shop days from the day of claiming (that day is day 1). */
export type Validity = { kind: 'fixed'; validFrom: number; validUntil: number } | { kind: 'relative'; days: number };

const DAY_MS = 86_400_000;

/**
 * When a coupon claimed at `claimedAt` is valid: a relative one from the claim until the end of
 * shop day N (23:59:59, i.e. the next local midnight, exclusive). `dayStart` gives the instant
 * the shop's local day began and that day's wall date (src/lib/zoned-time.ts), `wallToEpoch`
 * turns a wall time back into an instant; both are passed in so the rule stays pure.
 */
export function validityWindow(
  validity: Validity,
  claimedAt: number,
  zone: { dayStart(epoch: number): { wallDate: number }; wallToEpoch(wall: number): number },
): { validFrom: number; validUntil: number } {
  if (validity.kind === 'fixed') return { validFrom: validity.validFrom, validUntil: validity.validUntil };
  const { wallDate } = zone.dayStart(claimedAt);
  return { validFrom: claimedAt, validUntil: zone.wallToEpoch(wallDate + validity.days * DAY_MS) };
}

/** A coupon's badge text on the storefront: 满100减20, 满50享9折, 9折, 无门槛减5. */
export function benefitLabel(b: CouponBenefit): string {
  if (b.kind === 'threshold') return `满${yuan(b.thresholdFen)}减${yuan(b.amountOffFen)}`;
  if (b.kind === 'no_threshold') return `无门槛减${yuan(b.amountOffFen)}`;
  return b.thresholdFen > 0 ? `满${yuan(b.thresholdFen)}享${zhe(b.percentOff)}折` : `${zhe(b.percentOff)}折`;
}
