// 每日签到: the month's calendar (checked-in days, made-up ones, the days that may still be made
// up), check in today, make up a missed day of the current cycle (补签, confirming its cost), the
// streak and the next tier's reward. The API decides everything (today is the shop's day).
import { loyaltyApi } from '../../lib/api';
import type { CheckInCalendar, CheckInResult } from '../../lib/api-types';
import { confirmDialog, toast } from '../../lib/nav';
import { act, datasetOf, definePage, loadingState, loadInto } from '../../lib/page';
import { type Cell, cellsOf, nextRewardText, shiftMonth } from '../lib/calendar';

const weekdays = ['一', '二', '三', '四', '五', '六', '日'];

/** "签到成功 +5 积分" plus each tier the check-in reached. */
function rewardText(result: CheckInResult, verb: string): string {
  const tierPoints = result.tier_rewards.reduce((sum, t) => sum + t.points, 0);
  const coupons = result.tier_rewards.filter((t) => t.coupon_template_id).length;
  return `${verb}成功 +${result.points + tierPoints} 积分${coupons ? ` 优惠券 ×${coupons}` : ''}`;
}

export const checkInPage = definePage({
  data: { ...loadingState, month: '', calendar: null as CheckInCalendar | null, cells: [] as Cell[], weekdays, nextReward: '', busy: false },
  methods: {
    onRetry(): Promise<boolean> {
      return this.load();
    },
    onLoad(query: Record<string, string | undefined>): Promise<boolean> {
      this.setData({ month: query.month ?? '' });
      return this.load();
    },
    load(): Promise<boolean> {
      return loadInto(this, async () => {
        const calendar = await loyaltyApi.calendar(this.data.month || undefined);
        return { calendar, month: calendar.month, cells: cellsOf(calendar), nextReward: nextRewardText(calendar.next_reward) };
      });
    },
    onPrevMonth(): Promise<boolean> {
      this.setData({ month: shiftMonth(this.data.month, -1) });
      return this.load();
    },
    onNextMonth(): Promise<boolean> {
      this.setData({ month: shiftMonth(this.data.month, 1) });
      return this.load();
    },
    async onCheckIn(): Promise<boolean> {
      if (this.data.busy || this.data.calendar?.checked_in_today) return false;
      this.setData({ busy: true });
      const done = await act(async () => toast(rewardText(await loyaltyApi.checkIn(), '签到')));
      this.setData({ busy: false });
      await this.load();
      return done;
    },
    /** A tap on a day that may be made up: confirm (and its cost), then 补签. */
    async onTapDay(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      const cell = this.data.cells.find((c) => c.date === datasetOf(event, 'date'));
      if (!cell?.canMakeUp || this.data.busy) return false;
      const cost = this.data.calendar?.make_up_cost_points ?? 0;
      const left = this.data.calendar?.make_ups_left_this_month ?? 0;
      if ((await confirmDialog('补签', `补签 ${cell.date}${cost ? `，消耗 ${cost} 积分` : ''}（本月还可补签 ${left} 次）`)) === null) return false;
      this.setData({ busy: true });
      const done = await act(async () => toast(rewardText(await loyaltyApi.makeUp(cell.date), '补签')));
      this.setData({ busy: false });
      await this.load();
      return done;
    },
  },
});
