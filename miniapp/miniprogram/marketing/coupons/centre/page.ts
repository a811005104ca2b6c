// The coupon centre (领券中心): the coupons on offer, each with what it gives, how long it is
// valid and whether the shopper can still claim it. A claim carries an Idempotency-Key kept per
// coupon until the API answers, so a retried tap after a lost answer never claims twice.
import { couponApi } from '../../../lib/api';
import type { CentreCoupon } from '../../../lib/api-types';
import { benefitText, validityText } from '../../../lib/coupons';
import { ApiRequestError } from '../../../lib/errors';
import { newIdempotencyKey } from '../../../lib/ids';
import { toast } from '../../../lib/nav';
import { act, datasetOf, definePage, emptyList, loadingState, loadInto, loadsOnce } from '../../../lib/page';

/** The button of a coupon the shopper cannot claim (null = claimable, or signed out). */
const refusalLabel: Record<NonNullable<CentreCoupon['refusal']>, string> = {
  claim_limit: '已领取',
  coupon_sold_out: '已抢光',
  claim_not_started: '未开始',
  claim_ended: '已结束',
  not_eligible: '不可领',
};

const rowOf = (c: CentreCoupon) => ({
  id: c.id,
  name: c.name,
  description: c.description,
  ...benefitText(c),
  validity: c.validity.kind === 'fixed' ? validityText(c.validity) : `领取后${c.validity.days}天内有效`,
  remaining: c.remaining === null ? '' : `剩余 ${c.remaining} 张`,
  button: c.refusal ? refusalLabel[c.refusal] : '立即领取',
  claimable: c.refusal === null,
});

export const couponCentrePage = definePage({
  data: { ...loadingState, coupons: [] as ReturnType<typeof rowOf>[], claimKeys: {} as Record<string, string>, claiming: '' },
  methods: {
    ...loadsOnce,
    load(): Promise<boolean> {
      return loadInto(this, async () => ({ coupons: (await couponApi.centre()).items.map(rowOf) }), emptyList('coupons'));
    },
    async onClaim(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const id = datasetOf(event, 'id');
      if (this.data.claiming || !this.data.coupons.some((c) => c.id === id && c.claimable)) return false;
      const key = this.data.claimKeys[id] ?? newIdempotencyKey();
      this.setData({ claiming: id, claimKeys: { ...this.data.claimKeys, [id]: key } });
      let answered = true;
      const claimed = await act(() =>
        couponApi.claim(id, key).catch((error: unknown) => {
          answered = !(error instanceof ApiRequestError && error.status === 0);
          throw error;
        }),
      );
      // Unanswered (offline, timed out): it may have been claimed, so the next tap repeats this
      // attempt. Answered, even with a refusal: the next tap is a new one.
      const { [id]: _done, ...others } = this.data.claimKeys;
      this.setData({ claiming: '', claimKeys: answered ? others : this.data.claimKeys });
      if (claimed) toast('领取成功');
      await this.load();
      return claimed;
    },
  },
});
