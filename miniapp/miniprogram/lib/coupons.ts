// How a coupon reads on the phone: its benefit (满100减20, 9折, 无门槛减5), validity and the
// reason one cannot be used here, from the API's fields (amounts in fen).
import type { HeldCoupon, Quote } from './api-types';
import { ApiRequestError } from './errors';
import { formatFen } from './money';

type Benefit = Pick<HeldCoupon, 'kind' | 'threshold_fen' | 'amount_off_fen' | 'percent_off' | 'cap_fen'>;

const yuan = (fen: number) => String(fen / 100);

/** The big figure of a coupon card and the condition under it. */
export function benefitText(c: Benefit): { value: string; condition: string } {
  if (c.kind === 'percent') {
    const cap = c.cap_fen ? `，最多减${yuan(c.cap_fen)}元` : '';
    return { value: `${(100 - (c.percent_off ?? 0)) / 10}折`, condition: `${c.threshold_fen ? `满${yuan(c.threshold_fen)}元可用` : '无门槛'}${cap}` };
  }
  return { value: `¥${yuan(c.amount_off_fen ?? 0)}`, condition: c.kind === 'threshold' ? `满${yuan(c.threshold_fen)}元可用` : '无门槛' };
}

/** 2026.12.09 in the shop's time zone (UTC+8, no daylight saving). */
export function shopDate(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(Date.parse(iso) + 8 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}.${two(d.getUTCMonth() + 1)}.${two(d.getUTCDate())}`;
}

export const validityText = (c: { valid_from: string | null; valid_until: string | null }) => `${shopDate(c.valid_from)}–${shopDate(c.valid_until)}`;

export type UnusableReason = Quote['coupons']['unusable'][number]['reason'];

export const unusableReasonText: Record<UnusableReason, string> = {
  below_threshold: '未达到使用门槛',
  out_of_scope: '所选商品不可用',
  not_yet_valid: '尚未生效',
  expired: '已过期',
  campaign_price: '活动价商品不可用',
};

export const savingText = (fen: number) => `-${formatFen(fen)}`;

/** The order was refused for its coupon (another order took it, or it no longer applies): checkout asks for the best again. */
export const isCouponRefusal = (error: unknown) => error instanceof ApiRequestError && (error.code === 'coupon_unavailable' || error.code === 'coupon_not_applicable');
