// The mini-program's group-buy pages against the real worker: a shopper opens a group and pays
// for the seat, shares the room; a friend opens the shared card, joins, pays, and the group
// succeeds; a full room is refused with a sentence.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { meApi } from '../../../miniapp/miniprogram/lib/api';
import { groupBuyCampaignPage } from '../../../miniapp/miniprogram/marketing/group-buy/campaign/page';
import { groupBuyListPage } from '../../../miniapp/miniprogram/marketing/group-buy/list/page';
import { groupBuyRoomPage } from '../../../miniapp/miniprogram/marketing/group-buy/room/page';
import { api, createCategory, createProduct, shippingAddress, tokenFor } from '../../fixtures/helpers';
import { mount, queryOf, tap } from '../support/page-host';
import { installWx } from '../support/wx-stand-in';

let operator: string;
let campaignId: string;

beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  const product = await createProduct(operator, await createCategory(operator, '拼团'), { specs: [], skus: [{ spec_values: [], price_fen: 12000, original_price_fen: 12000, stock: 50 }] });
  const res = await api('POST', '/admin/api/group-buys', {
    token: operator,
    body: {
      title: '两人团',
      starts_at: new Date().toISOString(),
      ends_at: new Date(Date.now() + 48 * 3_600_000).toISOString(),
      skus: [{ sku_id: product.skus[0].id, group_price_fen: 9900 }],
      group_size: 2,
      duration_minutes: 60,
    },
  });
  expect(res.status).toBe(201);
  campaignId = ((await res.json()) as { id: string }).id;
});

let counter = 0;
async function shopper() {
  const wx = installWx({ openid: `oMiniGroup${Date.now()}${++counter}` });
  await meApi.createAddress(shippingAddress);
  return wx;
}

const roomPageAt = async (url: string) => {
  const page = mount(groupBuyRoomPage);
  await page.onLoad(queryOf(url));
  return page;
};

describe('mini-program: group buy', () => {
  it('open a group, share it, a friend joins from the shared card, the group succeeds', async () => {
    const leader = await shopper();
    const list = mount(groupBuyListPage);
    await list.onLoad();
    expect(list.data.campaigns.map((c) => [c.id, c.groupPriceText])).toContainEqual([campaignId, '¥99.00']);
    await list.onTapCampaign(tap({ id: campaignId }));
    const campaign = mount(groupBuyCampaignPage);
    await campaign.onLoad(queryOf(leader.navigations.at(-1)!.url));
    expect(campaign.data.status).toBe('ready');
    expect(await campaign.onOpenGroup()).toBe(true);
    const roomUrl = leader.navigations.at(-1)!;
    expect(roomUrl.kind).toBe('redirectTo');
    const leaderRoom = await roomPageAt(roomUrl.url);
    expect(leaderRoom.data).toMatchObject({ status: 'ready', joined: true, statusText: '拼团中', room: { seats_left: 1, paid_count: 1 } });
    const share = leaderRoom.onShareAppMessage();
    const leaderId = (await meApi.profile()).id;
    expect(share.path).toBe(`/marketing/group-buy/room/index?id=${leaderRoom.data.id}&inviter=${leaderId}`);

    const friend = await shopper();
    const friendRoom = await roomPageAt(share.path!);
    expect(friendRoom.data).toMatchObject({ inviter: leaderId, joined: false, room: { seats_left: 1 } });
    expect(await friendRoom.onJoin()).toBe(true);
    const joinedRoom = await roomPageAt(friend.navigations.at(-1)!.url);
    expect(joinedRoom.data).toMatchObject({ joined: true, statusText: '拼团成功', room: { status: 'succeeded', paid_count: 2, seats_left: 0 } });
    const orders = await env.DB.prepare("SELECT status, items_total_fen FROM orders WHERE source = 'group_buy'").all<{ status: string; items_total_fen: number }>();
    expect(orders.results).toEqual([
      { status: 'paid', items_total_fen: 9900 },
      { status: 'paid', items_total_fen: 9900 },
    ]);

    // A third shopper with the same card: the group has closed.
    const late = await shopper();
    const lateRoom = await roomPageAt(share.path!);
    expect(lateRoom.data.statusText).toBe('拼团成功');
    expect(await lateRoom.onJoin()).toBe(false);
    expect(late.toasts.at(-1)).toBe('该团已结束');
  });
});
