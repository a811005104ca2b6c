// 会员中心: the member card (level, growth of the last 12 months, progress to the next level), the
// benefits of every level, the running paid plan (付费会员) and the plans to buy with WeChat Pay.
// Success in the cashier is not proof of payment: the card is read back from the API afterwards.
import { loyaltyApi } from '../../lib/api';
import type { MemberLevel, MemberPlan, MembershipView } from '../../lib/api-types';
import { newIdempotencyKey } from '../../lib/ids';
import { formatFen } from '../../lib/money';
import { toast } from '../../lib/nav';
import { act, datasetOf, definePage, loadingState, loadInto, loadsOnce } from '../../lib/page';
import { requestPayment } from '../../lib/pay';
import { benefitLabels, progressPercent } from '../lib/membership';

type LevelRow = MemberLevel & { labels: string[]; current: boolean };
type PlanRow = MemberPlan & { priceText: string; periodText: string };
const periodText: Record<string, string> = { month: '月卡', quarter: '季卡', year: '年卡' };

export const membershipPage = definePage({
  data: {
    ...loadingState,
    view: null as MembershipView | null,
    levels: [] as LevelRow[],
    plans: [] as PlanRow[],
    progress: 0,
    paidEnds: '',
    /** One key per plan for this visit: a retried tap after a lost answer is the same purchase. */
    keys: {} as Record<string, string>,
    buying: false,
  },
  methods: {
    ...loadsOnce,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const [view, levels, plans] = await Promise.all([loyaltyApi.membership(), loyaltyApi.levels(), loyaltyApi.plans()]);
        return {
          view,
          levels: levels.items.map((l) => ({ ...l, labels: benefitLabels(l.benefits), current: l.rank === view.level?.rank })),
          plans: plans.items.map((p) => ({ ...p, priceText: formatFen(p.price_fen), periodText: periodText[p.period] ?? p.period })),
          progress: progressPercent(view, levels.items),
          paidEnds: view.paid_plan ? (view.paid_plan.ends_at ?? '').slice(0, 10) : '',
        };
      });
    },
    /** Buys a plan: the purchase, the WeChat Pay cashier, then the card as the API now sees it. */
    async onBuyPlan(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const planId = datasetOf(event, 'id');
      if (!planId || this.data.buying) return false;
      const key = this.data.keys[planId] ?? newIdempotencyKey();
      this.setData({ buying: true, keys: { ...this.data.keys, [planId]: key } });
      const paid = await act(async () => {
        const { request_payment: p } = await loyaltyApi.purchasePlan(planId, key);
        if (!p) return;
        const signType = p.signType as WechatMiniprogram.RequestPaymentOption['signType'];
        const outcome = await requestPayment({ timeStamp: p.timeStamp, nonceStr: p.nonceStr, package: p.package, signType, paySign: p.paySign });
        toast(outcome === 'cancelled' ? '已取消支付' : '开通成功');
        // The next purchase is a new one (this key belongs to the one just paid or abandoned).
        this.setData({ keys: { ...this.data.keys, [planId]: newIdempotencyKey() } });
      });
      this.setData({ buying: false });
      await this.load();
      return paid;
    },
  },
});
