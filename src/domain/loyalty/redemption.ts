// Paying with points at checkout: the last step of pricing, after member price or level discount,
// 满减/满折 and coupons, so it never changes what those see (nor the free-shipping threshold).
// R points pay ¥1; at most X % of the goods (plus the shipping fee if the shop allows it) and a
// per-order maximum; the order always leaves at least 1 fen for WeChat Pay.
import type { Quote } from '../pricing';
import { splitProportionally } from '../split';
import { pointsForAtMostFen, pointsToFen } from './points';

export type RedemptionPolicy = { pointsPerYuan: number; maxGoodsPercent: number; maxPointsPerOrder: number | null; shipping: boolean };

export type Redemption = { ok: false; refusal: 'points_not_whole_fen' } | { ok: true; quote: Quote; points: number; fen: number; maxUsablePoints: number };

/** The most points this quote lets a shopper use; `balance` caps it too when given (a quote, not an order). */
export function maxUsablePoints(quote: Quote, policy: RedemptionPolicy, balance: number | null): number {
  const goodsFen = quote.payableFen - quote.shippingFeeFen;
  const capFen = Math.min(Math.floor((goodsFen * policy.maxGoodsPercent) / 100) + (policy.shipping ? quote.shippingFeeFen : 0), quote.payableFen - 1);
  const caps = [
    capFen,
    policy.maxPointsPerOrder === null ? null : Math.floor((policy.maxPointsPerOrder * 100) / policy.pointsPerYuan),
    balance === null ? null : Math.floor((balance * 100) / policy.pointsPerYuan),
  ];
  const fen = Math.max(0, Math.min(...caps.filter((c): c is number => c !== null)));
  return Math.min(pointsForAtMostFen(fen, policy.pointsPerYuan), policy.maxPointsPerOrder ?? Number.POSITIVE_INFINITY, balance ?? Number.POSITIVE_INFINITY);
}

/** Applies up to `requested` points (capped, never refused for being too many); refuses points that are not whole fen. */
export function redeemPoints(quote: Quote, requested: number, policy: RedemptionPolicy, balance: number | null): Redemption {
  if (pointsToFen(requested, policy.pointsPerYuan) === null) return { ok: false, refusal: 'points_not_whole_fen' };
  const maxUsable = maxUsablePoints(quote, policy, balance);
  const points = Math.min(requested, maxUsable);
  const fen = pointsToFen(points, policy.pointsPerYuan)!;
  if (fen === 0) return { ok: true, quote, points: 0, fen: 0, maxUsablePoints: maxUsable };
  const goodsFen = quote.payableFen - quote.shippingFeeFen;
  const goodsPart = Math.min(fen, goodsFen);
  const shares = splitProportionally(
    goodsPart,
    quote.lines.map((l) => l.payableFen),
  );
  return {
    ok: true,
    points,
    fen,
    maxUsablePoints: maxUsable,
    quote: {
      ...quote,
      lines: quote.lines.map((l, i) => ({ ...l, discountShareFen: l.discountShareFen + shares[i]!, payableFen: l.payableFen - shares[i]! })),
      adjustments: [...quote.adjustments, { source: 'points', label: `${points} 积分抵扣`, amountFen: fen }],
      discountFen: quote.discountFen + fen,
      payableFen: quote.payableFen - fen,
    },
  };
}
