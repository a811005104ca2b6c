// The coupon line of the checkout: what the quote chose (the best usable one unless the shopper
// picked), and a sheet listing the usable coupons with their savings, "none", and the unusable
// ones with the reason. A pick is sent up as `change` {couponId: id | null}; the page re-quotes.
import type { QuoteCoupons } from '../../lib/api-types';
import { savingText, unusableReasonText, validityText } from '../../lib/coupons';
import { datasetOf, defineComponent, formatsOn } from '../../lib/page';

export type CouponChoiceChange = { couponId: string | null };

type Usable = QuoteCoupons['coupons']['usable'][number];
type Unusable = QuoteCoupons['coupons']['unusable'][number];
const row = (c: Usable | Unusable) => ({ id: c.id, name: c.name, validity: validityText(c) });

export const couponChoice = defineComponent({
  properties: {
    coupon: { type: Object, value: null as QuoteCoupons['coupon'] },
    coupons: { type: Object, value: { usable: [], unusable: [] } as QuoteCoupons['coupons'] },
  },
  data: {
    open: false,
    summary: '',
    usable: [] as (ReturnType<typeof row> & { saving: string; chosen: boolean })[],
    unusable: [] as (ReturnType<typeof row> & { reason: string })[],
  },
  ...formatsOn('coupon, coupons'),
  methods: {
    format() {
      const { coupon, coupons } = this.data;
      const usable = coupons?.usable ?? [];
      this.setData({
        summary: coupon ? savingText(coupon.saving_fen) : usable.length ? `${usable.length}张可用` : '无可用优惠券',
        usable: usable.map((c) => ({ ...row(c), saving: savingText(c.saving_fen), chosen: c.id === coupon?.id })),
        unusable: (coupons?.unusable ?? []).map((c) => ({ ...row(c), reason: unusableReasonText[c.reason] })),
      });
    },
    onOpen() {
      this.setData({ open: true });
    },
    onClose() {
      this.setData({ open: false });
    },
    onChoose(event: WechatMiniprogram.BaseEvent) {
      this.pick(datasetOf(event, 'id'));
    },
    onChooseNone() {
      this.pick(null);
    },
    pick(couponId: string | null) {
      this.setData({ open: false });
      if (couponId !== (this.data.coupon?.id ?? null)) this.triggerEvent('change', { couponId } satisfies CouponChoiceChange);
    },
  },
});
