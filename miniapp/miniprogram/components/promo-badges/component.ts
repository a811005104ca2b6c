// Badges of a product card or page: its 限时折扣 price (and when it ends, on the product page),
// the 满减/满折 activities it takes part in and the coupon centre's coupons for it (券), as the
// storefront API carries them.
import type { ProductCouponBadge, ProductOffer, ProductPromotion } from '../../lib/api-types';
import { formatFen } from '../../lib/money';
import { defineComponent, formatsOn } from '../../lib/page';

/** "12月3日 10:00" in the shop's time zone (UTC+8). */
function shopTime(iso: string): string {
  const d = new Date(Date.parse(iso) + 8 * 3_600_000);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

export const promoBadges = defineComponent({
  properties: {
    promotion: { type: Object, value: null as ProductPromotion | null },
    offers: { type: Array, value: [] as ProductOffer[] },
    coupons: { type: Array, value: [] as ProductCouponBadge[] },
    /** The product page says when the 限时折扣 ends; cards keep it short. */
    showEnd: { type: Boolean, value: false },
  },
  data: { timedText: '', endText: '', offerTexts: [] as string[], couponTexts: [] as string[] },
  ...formatsOn('promotion, offers, coupons, showEnd'),
  methods: {
    format() {
      const { promotion, offers, coupons, showEnd } = this.data;
      this.setData({
        timedText: promotion ? `限时价 ${formatFen(promotion.price_fen)}` : '',
        endText: promotion?.ends_at && showEnd ? `${shopTime(promotion.ends_at)} 结束` : '',
        offerTexts: (offers ?? []).map((o) => o.tiers.join(' ')),
        couponTexts: (coupons ?? []).map((c) => `券 ${c.label}`),
      });
    },
  },
});
