// My coupons (我的优惠券): tabs by status (unused / used / expired), paged by cursor, and a
// redeem-code box (兑换码) that adds a coupon to the unused tab.
import { couponApi } from '../../../lib/api';
import type { HeldCoupon, WalletStatus } from '../../../lib/api-types';
import { benefitText, validityText } from '../../../lib/coupons';
import { go, toast } from '../../../lib/nav';
import { act, datasetOf, definePage, emptyList, loadingState, loadInto, loadMore } from '../../../lib/page';
import { routes } from '../../../lib/routes';

export const walletTabs: { status: WalletStatus; label: string }[] = [
  { status: 'unused', label: '未使用' },
  { status: 'used', label: '已使用' },
  { status: 'expired', label: '已过期' },
];

const rowOf = (c: HeldCoupon) => ({ id: c.id, name: c.name, ...benefitText(c), validity: validityText(c), usable: c.status === 'unused' });

export const myCouponsPage = definePage({
  data: {
    ...loadingState,
    tabs: walletTabs,
    tab: 'unused' as WalletStatus,
    coupons: [] as ReturnType<typeof rowOf>[],
    nextCursor: null as string | null,
    loadingMore: false,
    code: '',
    redeeming: false,
  },
  methods: {
    /** Shown again after checkout used one: always fresh. */
    onShow(): Promise<boolean> {
      return this.load();
    },
    onRetry(): Promise<boolean> {
      return this.load();
    },
    onLoad(query: Record<string, string | undefined>): void {
      const tab = walletTabs.find((t) => t.status === query.status);
      if (tab) this.setData({ tab: tab.status });
    },
    load(): Promise<boolean> {
      return loadInto(
        this,
        async () => {
          const page = await couponApi.mine(this.data.tab);
          return { coupons: page.items.map(rowOf), nextCursor: page.next_cursor };
        },
        emptyList('coupons'),
      );
    },
    onTapTab(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      this.setData({ tab: datasetOf(event, 'status') as WalletStatus });
      return this.load();
    },
    onReachBottom(): Promise<void> {
      return loadMore(
        this,
        (cursor) => couponApi.mine(this.data.tab, cursor),
        (items) => this.setData({ coupons: [...this.data.coupons, ...items.map(rowOf)] }),
      );
    },
    onCodeInput(event: { detail: { value: string } }): void {
      this.setData({ code: event.detail.value });
    },
    async onRedeem(): Promise<boolean> {
      const code = this.data.code.trim();
      if (!code) {
        toast('请输入兑换码');
        return false;
      }
      if (this.data.redeeming) return false;
      this.setData({ redeeming: true });
      const redeemed = await act(() => couponApi.redeem(code));
      this.setData({ redeeming: false });
      if (!redeemed) return false;
      toast('兑换成功');
      this.setData({ code: '', tab: 'unused' });
      return this.load();
    },
    onUse(): Promise<void> {
      return go(routes.home());
    },
    onTapCentre(): Promise<void> {
      return go(routes.couponCentre());
    },
  },
});
