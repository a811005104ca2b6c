// The mini-program's bargain pages against the real worker: a shopper launches a bargain and
// shares it; friends open the shared card and help; refusals read as sentences; at the floor the
// owner buys and pays.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { meApi } from '../../../miniapp/miniprogram/lib/api';
import { bargainCampaignPage } from '../../../miniapp/miniprogram/marketing/bargain/campaign/page';
import { bargainListPage } from '../../../miniapp/miniprogram/marketing/bargain/list/page';
import { bargainSessionPage } from '../../../miniapp/miniprogram/marketing/bargain/session/page';
import { api, createCategory, createProduct, shippingAddress, tokenFor } from '../../fixtures/helpers';
import { mount, queryOf, tap } from '../support/page-host';
import { installWx } from '../support/wx-stand-in';

let operator: string;
let campaignId: string;

beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  const product = await createProduct(operator, await createCategory(operator, '砍价'), { specs: [], skus: [{ spec_values: [], price_fen: 19900, original_price_fen: 29900, stock: 20 }] });
  const res = await api('POST', '/admin/api/bargains', {
    token: operator,
    body: {
      title: '好友帮砍',
      sku_id: product.skus[0].id,
      start_price_fen: 19900,
      floor_price_fen: 990,
      helpers_needed: 2,
      session_minutes: 1440,
      launches_per_shopper: 2,
      helps_per_day: 3,
      buy_before_floor: false,
      new_helper_bonus_pct: 0,
      starts_at: new Date().toISOString(),
      ends_at: new Date(Date.now() + 72 * 3_600_000).toISOString(),
    },
  });
  expect(res.status).toBe(201);
  campaignId = ((await res.json()) as { id: string }).id;
});

let counter = 0;
const shopper = () => installWx({ openid: `oMiniBargain${Date.now()}${++counter}` });
const sessionPageAt = async (url: string) => {
  const page = mount(bargainSessionPage);
  await page.onLoad(queryOf(url));
  return page;
};

describe('mini-program: bargain', () => {
  it('launch, share, friends help from the shared card, the owner buys at the floor', async () => {
    const owner = shopper();
    await meApi.createAddress(shippingAddress);
    const list = mount(bargainListPage);
    await list.onLoad();
    expect(list.data.campaigns.map((c) => [c.id, c.floorText])).toContainEqual([campaignId, '¥9.90']);
    await list.onTapCampaign(tap({ id: campaignId }));
    const campaign = mount(bargainCampaignPage);
    await campaign.onLoad(queryOf(owner.navigations.at(-1)!.url));
    expect(await campaign.onLaunch()).toBe(true);
    const ownerPage = await sessionPageAt(owner.navigations.at(-1)!.url);
    expect(ownerPage.data.view).toMatchObject({ statusText: '砍价中', currentText: '¥199.00', session: { is_owner: true, can_help: false, can_buy: false } });
    // The owner cannot help their own session.
    expect(await ownerPage.onHelp()).toBe(false);
    expect(owner.toasts.at(-1)).toBe('不能给自己砍价');
    const share = ownerPage.onShareAppMessage();
    const ownerId = (await meApi.profile()).id;
    expect(share.path).toBe(`/marketing/bargain/session/index?id=${ownerPage.data.id}&inviter=${ownerId}`);

    let cutTotal = 0;
    for (let i = 0; i < 2; i++) {
      const friend = shopper();
      const friendPage = await sessionPageAt(share.path!);
      expect(friendPage.data).toMatchObject({ inviter: ownerId, view: { session: { is_owner: false, can_help: true } } });
      expect(await friendPage.onHelp()).toBe(true);
      cutTotal = friendPage.data.view!.session.cut_total_fen;
      expect(friend.toasts.at(-1)).toMatch(/^你帮忙砍掉了 ¥\d+\.\d\d$/);
      expect(friendPage.data.view!.session.can_help).toBe(false);
      // Helping twice is refused.
      expect(await friendPage.onHelp()).toBe(false);
      expect(friend.toasts.at(-1)).toBe('你已经帮忙砍过了');
    }
    expect(cutTotal).toBe(19900 - 990);

    owner.use();
    await ownerPage.onLoad({ id: ownerPage.data.id });
    expect(ownerPage.data.view).toMatchObject({ statusText: '已砍到底价', currentText: '¥9.90', progress: 100, session: { can_buy: true } });
    expect(await ownerPage.onBuy()).toBe(true);
    const orderId = queryOf(owner.navigations.at(-1)!.url).id!;
    const order = await env.DB.prepare('SELECT status, items_total_fen, source FROM orders WHERE id = ?').bind(orderId).first();
    expect(order).toMatchObject({ status: 'paid', items_total_fen: 990, source: 'bargain' });
  });
});
