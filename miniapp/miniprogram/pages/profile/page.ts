// Profile (a tab): sign in with wx.login, bind the phone number through WeChat's
// getPhoneNumber button, and links to orders, addresses, coupons and the marketing pages.
import { meApi } from '../../lib/api';
import type { Profile } from '../../lib/api-types';
import { go, toast } from '../../lib/nav';
import { orderTabs } from '../../lib/order-status';
import { act, datasetOf, definePage, loadingState, loadInto, loadsOnShow } from '../../lib/page';
import { routes } from '../../lib/routes';
import { currentSession, signIn, signOut, updateStoredUser } from '../../lib/session';

/** The loyalty subpackage's pages (积分, 签到, 会员, 积分商城). */
const loyaltyLinks = [
  { label: '我的积分', url: routes.points() },
  { label: '每日签到', url: routes.checkIn() },
  { label: '会员中心', url: routes.membership() },
  { label: '积分商城', url: routes.pointsMall() },
];

export const profilePage = definePage({
  data: { ...loadingState, signedIn: false, profile: null as Profile | null, maskedPhone: '', orderTabs: orderTabs.slice(1), loyaltyLinks },
  methods: {
    ...loadsOnShow,
    /** Signed out is a normal state here (with a sign-in button), not an error. */
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const session = currentSession();
        if (!session) return { signedIn: false, profile: null, maskedPhone: '' };
        return { signedIn: true, profile: await meApi.profile(), maskedPhone: session.user?.phone ?? '' };
      });
    },
    async onSignIn(): Promise<boolean> {
      if (!(await act(signIn))) return false;
      return this.load();
    },
    /** From <button open-type="getPhoneNumber">: the code is exchanged by the API, never the number itself. */
    async onGetPhoneNumber(event: { detail: { code?: string; errMsg?: string } }): Promise<boolean> {
      const code = event.detail.code;
      if (!code) {
        toast('未授权手机号');
        return false;
      }
      const bound = await act(async () => {
        const { phone } = await meApi.bindPhone(code);
        updateStoredUser({ phone });
        this.setData({ maskedPhone: phone ?? '' });
      });
      if (bound) toast('手机号已绑定');
      return bound;
    },
    async onSignOut(): Promise<boolean> {
      await act(signOut);
      return this.load();
    },
    onTapOrders(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(routes.orders(datasetOf(event, 'status') || undefined));
    },
    onTapAddresses(): Promise<void> {
      return go(routes.addresses());
    },
    onTapAfterSales(): Promise<void> {
      return go(routes.afterSales());
    },
    onTapLink(event: WechatMiniprogram.BaseEvent): Promise<void> {
      return go(datasetOf(event, 'url'));
    },
    onTapCoupons(): Promise<void> {
      return go(routes.myCoupons());
    },
    onTapCouponCentre(): Promise<void> {
      return go(routes.couponCentre());
    },
    onTapFlashSales(): Promise<void> {
      return go(routes.flashSales());
    },
    onTapGroupBuys(): Promise<void> {
      return go(routes.groupBuys());
    },
    onTapBargains(): Promise<void> {
      return go(routes.bargains());
    },
  },
});
