// 会员中心: the member card (level, growth of the last 12 months, progress to the next level), the
// benefits of every level, the running paid plan (付费会员) and the plans to buy with WeChat Pay.
// Success in the cashier is not proof of payment: the card is read back from the API afterwards.
import { loyaltyApi, meApi } from '../../lib/api';
import type { MemberLevel, MemberPlan, MembershipView, Profile } from '../../lib/api-types';
import { newIdempotencyKey } from '../../lib/ids';
import { formatFen } from '../../lib/money';
import { toast } from '../../lib/nav';
import { act, datasetOf, definePage, loadingState, loadInto, loadsOnce } from '../../lib/page';
import { clock } from '../../lib/clock';
import { requestPayment } from '../../lib/pay';
import { benefitLabels, progressPercent } from '../lib/membership';

type LevelRow = MemberLevel & { labels: string[]; current: boolean };
type PlanRow = MemberPlan & { priceText: string; periodText: string };
/** The phone's calendar date (the picker's bound; the API checks the birthday against the shop's day). */
const localDate = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const periodText: Record<string, string> = { month: '月卡', quarter: '季卡', year: '年卡' };

export const membershipPage = definePage({
  data: {
    ...loadingState,
    view: null as MembershipView | null,
    levels: [] as LevelRow[],
    plans: [] as PlanRow[],
    progress: 0,
    paidEnds: '',
    birthday: null as Profile['birthday'] | null,
    /** The picker's upper bound: no birthday in the future. */
    today: '',
    /** One key per plan for this visit: a retried tap after a lost answer is the same purchase. */
    keys: {} as Record<string, string>,
    buying: false,
  },
  methods: {
    ...loadsOnce,
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const [view, levels, plans, profile] = await Promise.all([loyaltyApi.membership(), loyaltyApi.levels(), loyaltyApi.plans(), meApi.profile()]);
        return {
          view,
          levels: levels.items.map((l) => ({ ...l, labels: benefitLabels(l.benefits), current: l.rank === view.level?.rank })),
          plans: plans.items.map((p) => ({ ...p, priceText: formatFen(p.price_fen), periodText: periodText[p.period] ?? p.period })),
          progress: progressPercent(view, levels.items),
          paidEnds: view.paid_plan ? (view.paid_plan.ends_at ?? '').slice(0, 10) : '',
          birthday: profile.birthday,
          today: localDate(new Date(clock.now())),
        };
      });
    },
    /** The birthday picker: set (or, a year after the last change, change) the birthday. */
    async onBirthdayChange(event: { detail: { value: string } }): Promise<boolean> {
      const saved = await act(async () => {
        await meApi.setBirthday(event.detail.value);
        toast('生日已保存');
      });
      await this.load();
      return saved;
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
