// Group rooms and bargain sessions: the shared card's path carries the id and the inviter and
// opens the right page; seats, progress and the refusals of the contract read as sentences.
// (Fixtures typed by the worker's views; the flows against the real routes are in the workers pool.)
import { describe, expect, it } from 'vitest';
import type { BargainSessionView, GroupBuyCampaignDetail, GroupBuyRoomView } from '../../../miniapp/miniprogram/lib/api-types';
import { bargainSessionPage } from '../../../miniapp/miniprogram/marketing/bargain/session/page';
import { groupBuyRoomPage } from '../../../miniapp/miniprogram/marketing/group-buy/room/page';
import { find, render, shows, textOf } from './simulate';
import { answerRequests, apiError, ok, settled, type Answer } from './wx-request';

const later = new Date(Date.now() + 3_600_000).toISOString();
const now = new Date().toISOString();

const campaign: GroupBuyCampaignDetail = {
  id: 'gbc_1',
  title: '三人团 连衣裙',
  product_id: 'prd_1',
  image: 'https://img.example.com/g.jpg',
  skus: [{ sku_id: 'sku_1', spec_text: '红色 M', price_fen: 12900, group_price_fen: 9900 }],
  group_size: 3,
  tiers: [],
  max_size: 3,
  leader_discount_fen: 0,
  duration_minutes: 60,
  starts_at: now,
  ends_at: later,
  open_rooms: [],
  server_time: now,
};
const room: GroupBuyRoomView = {
  id: 'gbr_1',
  campaign_id: 'gbc_1',
  status: 'open',
  size: 3,
  paid_count: 1,
  seats_left: 2,
  current_tier_price_fen: null,
  members: [{ name: '张**', avatar_url: null, is_leader: true, paid: true, simulated: false }],
  expires_at: later,
  server_time: now,
  invite_code: 'ABC123',
};
const session = (patch: Partial<BargainSessionView> = {}): BargainSessionView => ({
  id: 'bgs_1',
  campaign_id: 'bgc_1',
  owner: { name: '李**', avatar_url: null },
  is_owner: false,
  start_price_fen: 10000,
  floor_price_fen: 2000,
  current_price_fen: 10000,
  cut_total_fen: 0,
  helpers_needed: 5,
  helps: [],
  status: 'open',
  buy_before_floor: false,
  can_buy: false,
  can_help: true,
  helped_by_me: false,
  expires_at: later,
  server_time: now,
  order_id: null,
  ...patch,
});

async function open(dir: string, definition: object, query: Record<string, string>, answer: (method: string, path: string) => Answer) {
  const calls = answerRequests((method, path) => answer(method, path));
  const page = render(dir, definition);
  await (page.instance as unknown as { onLoad(q: Record<string, string>): Promise<boolean> }).onLoad(query);
  await settled();
  return { page, calls, instance: page.instance as unknown as { onShareAppMessage(): { title: string; path: string } } };
}

describe('group room from a shared card', () => {
  it('shows the seats and the countdown, offers to join, and shares with the room and the inviter', async () => {
    const { page, instance } = await open('marketing/group-buy/room', groupBuyRoomPage, { id: 'gbr_1', inviter: 'usr_sharer' }, (_m, path) =>
      path === '/group-buys/rooms/gbr_1' ? ok(room) : path === '/group-buys/gbc_1' ? ok(campaign) : ok({ items: [], next_cursor: null }),
    );
    expect(textOf(page, '.room-status')).toBe('拼团中');
    expect(textOf(page, '.seats-left')).toBe('2');
    expect(page.querySelectorAll('.member')).toHaveLength(3);
    expect(page.querySelectorAll('.seat-empty')).toHaveLength(2);
    expect(textOf(page, '.countdown')).toMatch(/^剩余 0[01]:\d\d:\d\d$/);
    expect(shows(page, '.join')).toBe(true);
    const share = instance.onShareAppMessage();
    expect(share.title).toBe('还差 2 人成团，¥99.00 一起拼');
    // Shared on: this shopper becomes the inviter.
    expect(share.path).toBe('/marketing/group-buy/room/index?id=gbr_1&inviter=usr_me');
  });

  it('a full room is refused with a sentence', async () => {
    const { page } = await open('marketing/group-buy/room', groupBuyRoomPage, { id: 'gbr_1' }, (method, path) =>
      method === 'POST' ? apiError(409, 'room_full') : path === '/group-buys/rooms/gbr_1' ? ok(room) : path === '/group-buys/gbc_1' ? ok(campaign) : ok({ items: [], next_cursor: null }),
    );
    const toasts: string[] = [];
    (globalThis as unknown as { wx: { showToast(o: { title: string }): void } }).wx.showToast = (o) => toasts.push(o.title);
    find(page, '.join').dispatchEvent('tap');
    await settled();
    expect(toasts).toEqual(['该团已满员']);
  });
});

describe('bargain session from a shared card', () => {
  it('a friend helps: the cut, the new price and the progress are shown', async () => {
    const helped = session({ current_price_fen: 8765, cut_total_fen: 1235, helps: [{ name: '王**', avatar_url: null, cut_fen: 1235, at: now }], can_help: false });
    const { page, calls } = await open('marketing/bargain/session', bargainSessionPage, { id: 'bgs_1', inviter: 'usr_owner' }, (method) =>
      method === 'POST' ? { status: 201, body: { cut_fen: 1235, session: helped } } : ok(session()),
    );
    expect(textOf(page, '.current-price')).toBe('¥100.00');
    expect(textOf(page, '.left')).toBe('¥80.00');
    find(page, '.help').dispatchEvent('tap');
    await settled();
    expect(calls.at(-1)).toMatchObject({ method: 'POST', path: '/bargains/sessions/bgs_1/help' });
    expect(textOf(page, '.current-price')).toBe('¥87.65');
    expect(textOf(page, '.cut-total')).toBe('¥12.35');
    expect(textOf(page, '.help-row')).toBe('王**砍掉 ¥12.35');
    // One help per friend: the button is gone.
    expect(shows(page, '.help')).toBe(false);
    expect((page.dom as { querySelector(s: string): { getAttribute(a: string): string } }).querySelector('.progress-bar').getAttribute('style')).toContain('width: 15%');
  });

  it.each([
    [409, 'already_helped', '你已经帮忙砍过了'],
    [422, 'own_session', '不能给自己砍价'],
    [422, 'floor_reached', '已经砍到底价啦'],
    [422, 'daily_help_limit', '今日帮砍次数已用完'],
    [409, 'expired', '活动已过期'],
  ])('a refused help (%i %s) reads "%s"', async (status, code, message) => {
    const { page } = await open('marketing/bargain/session', bargainSessionPage, { id: 'bgs_1' }, (method) => (method === 'POST' ? apiError(status, code) : ok(session())));
    const toasts: string[] = [];
    (globalThis as unknown as { wx: { showToast(o: { title: string }): void } }).wx.showToast = (o) => toasts.push(o.title);
    find(page, '.help').dispatchEvent('tap');
    await settled();
    expect(toasts).toEqual([message]);
  });

  it('the owner shares the session with the remaining amount in the title', async () => {
    const { page, instance } = await open('marketing/bargain/session', bargainSessionPage, { id: 'bgs_1' }, () =>
      ok(session({ is_owner: true, current_price_fen: 5000, cut_total_fen: 5000, can_help: false })),
    );
    expect(shows(page, '.share')).toBe(true);
    expect(shows(page, '.help')).toBe(false);
    expect(instance.onShareAppMessage()).toMatchObject({ title: '帮我砍一刀！还差 ¥30.00 到底价', path: '/marketing/bargain/session/index?id=bgs_1&inviter=usr_me' });
  });
});
