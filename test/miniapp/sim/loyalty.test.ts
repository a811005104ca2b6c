// The loyalty subpackage and checkout's points toggle rendered with miniprogram-simulate: the
// calendar's days and make-up taps, the journal's lines, the member card's progress, and the
// points switch that quotes again and orders with the points the quote applied.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CheckInCalendar, MemberLevelList, MembershipView, PointsLedgerPage, PointsView, Quote } from '../../../miniapp/miniprogram/lib/api-types';
import { checkInPage } from '../../../miniapp/miniprogram/loyalty/check-in/page';
import { shiftMonth } from '../../../miniapp/miniprogram/loyalty/lib/calendar';
import { membershipPage } from '../../../miniapp/miniprogram/loyalty/membership/page';
import { pointsPage } from '../../../miniapp/miniprogram/loyalty/points/page';
import { checkoutPage } from '../../../miniapp/miniprogram/pages/checkout/page';
import { find, render, shows, textOf } from './simulate';
import { answerRequests, apiError, ok, settled, type Route } from './wx-request';

type Wx = { showToast(o: { title: string }): void; showModal(o: { success(r: { confirm: boolean }): void }): void };
let toasts: string[];
let dialogs: number;
beforeEach(() => {
  toasts = [];
  dialogs = 0;
  const wx = (globalThis as unknown as { wx: Wx }).wx;
  wx.showToast = (o) => toasts.push(o.title);
  wx.showModal = (o) => {
    dialogs++;
    o.success({ confirm: true });
  };
});

async function open(dir: string, definition: object, route: Route, query: Record<string, string> = {}) {
  const calls = answerRequests(route);
  const page = render(dir, definition);
  const instance = page.instance as unknown as { onLoad?(q: Record<string, string>): Promise<boolean>; onShow?(): Promise<boolean> };
  await (instance.onLoad ? instance.onLoad(query) : instance.onShow!());
  await settled();
  return { page, calls };
}

const day = (date: string, patch: Partial<CheckInCalendar['days'][number]> = {}) => ({ date, checked_in: false, made_up: false, can_make_up: false, ...patch });
const calendar = (patch: Partial<CheckInCalendar> = {}): CheckInCalendar => ({
  month: '2026-12',
  today: '2026-12-03',
  cycle: { kind: 'weekly', starts_on: '2026-11-30', ends_on: '2026-12-06' },
  checked_in_today: false,
  streak_days: 1,
  days_in_cycle: 1,
  make_ups_left_this_month: 2,
  make_up_cost_points: 10,
  base_points: 5,
  days: [day('2026-12-01', { can_make_up: true }), day('2026-12-02', { checked_in: true }), day('2026-12-03'), day('2026-12-04')],
  next_reward: { kind: 'streak', days: 3, days_to_go: 2, points: 50, coupon_template_id: null },
  ...patch,
});

describe('check-in calendar', () => {
  it('lays the month out Monday first, marks the days, checks in and makes up a missed day after confirming its cost', async () => {
    let current = calendar();
    const { page, calls } = await open('loyalty/check-in', checkInPage, (method, path, body) => {
      if (method === 'POST' && path === '/me/check-ins') {
        current = calendar({ checked_in_today: true, streak_days: 2 });
        return { status: 201, body: { id: 'chk_1', date: '2026-12-03', points: 5, tier_rewards: [] } };
      }
      if (method === 'POST') {
        expect(body).toEqual({ date: '2026-12-01' });
        return { status: 201, body: { id: 'chk_2', date: '2026-12-01', points: 5, tier_rewards: [{ reward_id: 'cir_1', points: 50, coupon_template_id: 'cpt_1' }] } };
      }
      return ok(current);
    });
    // 2026-12-01 is a Tuesday: one blank before it.
    expect(page.querySelectorAll('.day.blank')).toHaveLength(1);
    expect(page.querySelectorAll('.day.checked')).toHaveLength(1);
    expect(page.querySelectorAll('.day.can-make-up')).toHaveLength(1);
    expect(textOf(page, '.streak-days')).toBe('1');
    expect(textOf(page, '.next-reward')).toBe('再签 2 天，连续签到 3 天奖励 50 积分');
    find(page, '.check-in').dispatchEvent('tap');
    await settled();
    expect(toasts).toEqual(['签到成功 +5 积分']);
    expect(textOf(page, '.check-in')).toBe('今日已签到');
    // A day that cannot be made up does nothing; the one that can asks first.
    const instance = page.instance as unknown as { onTapDay(e: object): Promise<boolean> };
    expect(await instance.onTapDay({ currentTarget: { dataset: { date: '2026-12-04' } } })).toBe(false);
    expect(await instance.onTapDay({ currentTarget: { dataset: { date: '2026-12-01' } } })).toBe(true);
    expect(dialogs).toBe(1);
    expect(toasts.at(-1)).toBe('补签成功 +55 积分 优惠券 ×1');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual(['/me/check-ins', '/me/check-ins/make-up']);
  });

  it('a double tap answered 409 reads as a sentence, and months step across the year', async () => {
    const { page } = await open('loyalty/check-in', checkInPage, (method) => (method === 'POST' ? apiError(409, 'already_checked_in') : ok(calendar())));
    find(page, '.check-in').dispatchEvent('tap');
    await settled();
    expect(toasts).toEqual(['今天已经签到过了']);
    expect([shiftMonth('2026-12', 1), shiftMonth('2026-01', -1)]).toEqual(['2027-01', '2025-12']);
  });
});

describe('points page', () => {
  it('shows the balance, frozen, expiring, debt and a journal line per movement', async () => {
    const summary: PointsView = { balance: 120, frozen: 30, expiring_within_30_days: 20, debt: 5, can_spend: false };
    const entry = (patch: Partial<PointsLedgerPage['items'][number]>) => ({
      id: 'pen_x',
      kind: 'credit' as const,
      source: 'check_in' as const,
      points: 0,
      frozen_points: 0,
      debt_points: 0,
      ref: null,
      reason: '',
      created_at: '2026-12-01T01:00:00.000Z',
      ...patch,
    });
    const ledger: PointsLedgerPage = {
      items: [
        entry({ id: 'pen_1', points: 5, reason: '签到 2026-12-01' }),
        entry({ id: 'pen_2', source: 'order', frozen_points: 30, reason: '订单积分' }),
        entry({ id: 'pen_3', kind: 'debit', source: 'reversal', points: -10, debt_points: 5 }),
      ],
      next_cursor: null,
    };
    const { page } = await open('loyalty/points', pointsPage, (_m, path) => (path === '/me/points' ? ok(summary) : ok(ledger)));
    expect(textOf(page, '.balance')).toBe('120');
    expect(textOf(page, '.frozen')).toBe('30');
    expect(textOf(page, '.expiring')).toBe('20');
    expect(textOf(page, '.debt-points')).toBe('5');
    const lines = page.querySelectorAll('.entry');
    expect(lines).toHaveLength(3);
    const instance = page.instance as unknown as { data: { entries: { title: string; pointsText: string; frozenText: string; debtText: string }[] } };
    expect(instance.data.entries.map((e) => [e.title, e.pointsText, e.frozenText, e.debtText])).toEqual([
      ['签到 2026-12-01', '+5', '', ''],
      ['订单积分', '0', '冻结 +30', ''],
      ['退款退回', '-10', '', '新增待补扣 5'],
    ]);
  });
});

describe('member card', () => {
  it('shows progress from this level to the next and each level’s benefits', async () => {
    const levels: MemberLevelList = {
      items: [
        { rank: 1, name: '银卡', growth_threshold: 100, benefits: { discount_bps: 0, member_price: true, free_shipping: false, points_multiplier_bps: 10_000, birthday_coupon_template_id: null } },
        {
          rank: 2,
          name: '金卡',
          growth_threshold: 500,
          benefits: { discount_bps: 500, member_price: false, free_shipping: true, points_multiplier_bps: 15_000, birthday_coupon_template_id: 'cpt_b' },
        },
      ],
    };
    const view: MembershipView = {
      level: levels.items[0]!,
      growth_last_12_months: 300,
      level_reached_at: null,
      rerated_at: null,
      paid_plan: null,
      next_level: { rank: 2, name: '金卡', growth_threshold: 500, growth_to_go: 200 },
    };
    const profile = {
      id: 'usr_me',
      nickname: '',
      avatar_url: null,
      phone: null,
      member_level: 1,
      created_at: '2026-01-01T00:00:00.000Z',
      birthday: { birthday: '1990-03-15', changeable_from: '2027-01-01T00:00:00.000Z' },
    };
    const { page } = await open('loyalty/membership', membershipPage, (_m, path) =>
      path === '/me/membership' ? ok(view) : path === '/membership/levels' ? ok(levels) : path === '/me' ? ok(profile) : ok({ items: [] }),
    );
    expect(textOf(page, '.birthday-date')).toBe('1990-03-15');
    expect(textOf(page, '.level-name')).toBe('银卡');
    expect(textOf(page, '.next-level')).toBe('再获得 200 成长值升级为金卡');
    expect((page.dom as { querySelector(s: string): { getAttribute(a: string): string } }).querySelector('.progress-bar').getAttribute('style')).toContain('width: 50%');
    expect([...page.querySelectorAll('.level-benefits')].map((n) => (n as unknown as { dom: { textContent: string } }).dom.textContent)).toEqual(['会员价', '9.5 折 · 包邮 · 积分 1.5 倍 · 生日券']);
    expect(shows(page, '.buy-plan')).toBe(false);
  });
});

describe('checkout points toggle', () => {
  const points = (patch: Partial<Quote['points']> = {}): Quote['points'] => ({ requested: 0, applied: 0, saving_fen: 0, max_usable: 500, balance: 800, can_spend: true, earns: 12, ...patch });
  const quote = (p: Quote['points'], payable: number) =>
    ({ lines: [], unavailable: [], items_total_fen: 10_000, adjustments: [], discount_fen: 0, shipping_fee_fen: 0, payable_fen: payable, points: p }) as Pick<
      Quote,
      'lines' | 'unavailable' | 'items_total_fen' | 'adjustments' | 'discount_fen' | 'shipping_fee_fen' | 'payable_fen' | 'points'
    >;
  const line = { sku_id: 'sku_1', title: '连衣裙', spec_values: [], image_url: null, quantity: 1, effective_unit_price_fen: 10_000, member_price_applied: false };

  it('switching on quotes again with the usable points and the order takes the points the quote applied', async () => {
    const bodies: unknown[] = [];
    const { page, calls } = await open('pages/checkout', checkoutPage, (method, path, body) => {
      if (path === '/me/addresses')
        return ok({ items: [{ id: 'adr_1', is_default: true, recipient: '张三', phone: '13800000000', province: '', city: '', district: '', detail: '' }], next_cursor: null });
      if (path === '/checkout/quote') {
        bodies.push(body);
        const asked = (body as { points?: number }).points;
        return ok({ ...quote(asked ? points({ requested: asked, applied: asked, saving_fen: 500 }) : points(), asked ? 9_500 : 10_000), lines: [line] });
      }
      if (method === 'POST' && path === '/orders') return apiError(422, 'insufficient_points');
      return ok({});
    });
    expect(textOf(page, '.points-text')).toBe('可用 500 积分（共 800）');
    const instance = page.instance as unknown as { onPointsChange(e: object): Promise<boolean>; onSubmit(): Promise<void> };
    await instance.onPointsChange({ detail: { use: true } });
    await settled();
    expect(bodies.at(-1)).toMatchObject({ points: 500 });
    expect(textOf(page, '.points-text')).toBe('使用 500 积分，抵扣 ¥5.00');
    expect(textOf(page, '.payable-total')).toBe('¥95.00');
    await instance.onSubmit();
    await settled();
    expect(calls.find((c) => c.path === '/orders')?.body).toMatchObject({ address_id: 'adr_1', points: 500 });
    expect(toasts).toEqual(['积分不足']);
    await instance.onPointsChange({ detail: { use: false } });
    await settled();
    expect((bodies.at(-1) as { points?: number }).points).toBeUndefined();
  });

  it('a shopper in points debt sees why the switch is off', async () => {
    const { page } = await open('pages/checkout', checkoutPage, (_m, path) =>
      path === '/checkout/quote' ? ok({ ...quote(points({ can_spend: false, max_usable: 0 }), 10_000), lines: [line] }) : ok({ items: [], next_cursor: null }),
    );
    expect(textOf(page, '.points-text')).toBe('有待补扣的积分，暂不能使用');
  });
});
