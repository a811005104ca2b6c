// The rules across fields of a coupon template, a tiered activity and a 限时折扣, as problems with
// the request's field paths (a 400 names each one). Shapes and ranges are the routes' schemas'.
import type { CouponBenefit } from './coupon';

/** A field path and what is wrong with it. */
export type ErrorDetail = { path: string; message: string };

export type TemplateRulesInput = {
  benefit: CouponBenefit;
  claimStartsAt: number;
  claimEndsAt: number;
  validity: { kind: 'fixed'; validFrom: number; validUntil: number } | { kind: 'relative'; days: number };
  audience: 'everyone' | 'new_shopper' | 'member_level';
  minMemberLevel: number | null;
};

export function templateProblems(t: TemplateRulesInput): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const b = t.benefit;
  if ((b.kind === 'threshold' || b.kind === 'no_threshold') && b.amountOffFen <= 0) problems.push({ path: 'body.amount_off_fen', message: 'must be at least 1 fen' });
  if (b.kind === 'threshold' && b.amountOffFen > 0 && b.amountOffFen >= b.thresholdFen) problems.push({ path: 'body.amount_off_fen', message: 'must be less than threshold_fen' });
  if (b.kind === 'percent' && (!Number.isInteger(b.percentOff) || b.percentOff < 1 || b.percentOff > 99)) problems.push({ path: 'body.percent_off', message: 'must be an integer from 1 to 99' });
  if (b.kind === 'percent' && b.capFen !== null && b.capFen <= 0) problems.push({ path: 'body.cap_fen', message: 'must be at least 1 fen' });
  if (t.claimEndsAt <= t.claimStartsAt) problems.push({ path: 'body.claim_ends_at', message: 'must be after claim_starts_at' });
  if (t.validity.kind === 'fixed' && t.validity.validUntil <= t.validity.validFrom) problems.push({ path: 'body.validity.valid_until', message: 'must be after valid_from' });
  if (t.validity.kind === 'fixed' && t.validity.validUntil <= t.claimStartsAt) problems.push({ path: 'body.validity.valid_until', message: 'must be after claim_starts_at' });
  if (t.audience === 'member_level' && t.minMemberLevel === null) problems.push({ path: 'body.min_member_level', message: 'is required for audience member_level' });
  return problems;
}

export type TierInput = { threshold: number; value: number };

export function activityProblems(a: { condition: 'amount' | 'quantity'; benefit: 'amount_off' | 'percent_off'; tiers: readonly TierInput[]; startsAt: number; endsAt: number }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  a.tiers.forEach((tier, i) => {
    const path = `body.tiers.${i}`;
    if (tier.threshold <= 0) problems.push({ path: `${path}.threshold`, message: 'must be at least 1' });
    if (tier.value <= 0) problems.push({ path: `${path}.value`, message: a.benefit === 'amount_off' ? 'must be at least 1 fen' : 'must be from 1 to 99' });
    if (a.benefit === 'percent_off' && tier.value > 99) problems.push({ path: `${path}.value`, message: 'must be from 1 to 99' });
    if (a.benefit === 'amount_off' && a.condition === 'amount' && tier.value >= tier.threshold) problems.push({ path: `${path}.value`, message: 'must be less than the tier threshold' });
    const previous = a.tiers[i - 1];
    if (previous && tier.threshold <= previous.threshold) problems.push({ path: `${path}.threshold`, message: 'tiers must be in increasing order of threshold' });
    if (previous && tier.value < previous.value) problems.push({ path: `${path}.value`, message: 'a higher tier must not give less' });
  });
  if (a.endsAt <= a.startsAt) problems.push({ path: 'body.ends_at', message: 'must be after starts_at' });
  return problems;
}

export function timedDiscountProblems(d: { kind: 'percent_off' | 'fixed_price'; value: number; startsAt: number; endsAt: number }): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (d.kind === 'percent_off' && (d.value < 1 || d.value > 99)) problems.push({ path: 'body.value', message: 'must be from 1 to 99' });
  if (d.kind === 'fixed_price' && d.value <= 0) problems.push({ path: 'body.value', message: 'must be at least 1 fen' });
  if (d.endsAt <= d.startsAt) problems.push({ path: 'body.ends_at', message: 'must be after starts_at' });
  return problems;
}
