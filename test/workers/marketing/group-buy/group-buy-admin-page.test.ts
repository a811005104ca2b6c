// The admin page's group buys: the nav entry, the list, the create form (times in the shop's
// zone, prices in yuan, tiers as "size:price"), refusals that keep the input and write nothing,
// the detail with its rooms, cancel; viewers and other origins are refused.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MerchantRole } from '../../../../src/db/merchants';
import { caller, createCampaign, openRoom } from '../../../fixtures/group-buy';
import { adminFormPost, adminPage, adminSession, createCategory, createProduct, manyShoppers, tokenFor } from '../../../fixtures/helpers';

let operator: string;
let categoryId: string;
const sessions = {} as Record<MerchantRole, string>;

beforeAll(async () => {
  operator = (await tokenFor('operator')).token;
  categoryId = await createCategory(operator, '拼团后台');
  for (const role of ['operator', 'viewer'] as const) sessions[role] = (await adminSession(role)).cookie;
});

async function newSku() {
  const product = await createProduct(operator, categoryId, { specs: [], skus: [{ spec_values: [], price_fen: 12_000, original_price_fen: 12_000, stock: 10 }] });
  return product.skus[0].id as string;
}

/** Tomorrow 20:00 and the day after, as the datetime-local inputs send them (Asia/Shanghai). */
function formFields(skuId: string, overrides: Record<string, string> = {}) {
  const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const next = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  return {
    title: '三人团 <b>特惠</b>',
    starts_at: `${day}T20:00`,
    ends_at: `${next}T20:00`,
    sku_id: skuId,
    group_price: '99.90',
    group_size: '3',
    tiers: '',
    max_size: '',
    leader_discount: '5',
    duration_minutes: '1440',
    payment_window_minutes: '15',
    per_user_limit: '1',
    simulate_share_percent: '',
    full_room_policy: 'refuse',
    ...overrides,
  };
}

const campaignCount = async () => (await env.DB.prepare('SELECT count(*) AS n FROM group_buys').first<{ n: number }>())!.n;

describe('group buys on the admin page', () => {
  it('has a 拼团 nav entry; lists campaigns escaped; only operators see the create link', async () => {
    await createCampaign(operator, categoryId);
    const res = await adminPage('/admin/group-buys', { cookie: sessions.viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<a href="/admin/group-buys">拼团</a>');
    expect(html).toContain('三人成团');
    expect(html).not.toContain('/admin/group-buys/new');
    expect(await (await adminPage('/admin/group-buys', { cookie: sessions.operator })).text()).toContain('href="/admin/group-buys/new"');
    expect((await adminPage('/admin/group-buys')).headers.get('Location')).toBe('/admin/login');
    expect((await adminPage('/admin/group-buys/new', { cookie: sessions.viewer })).status).toBe(403);
  });

  it('creates a campaign from the form; the detail shows it and its rooms', async () => {
    const skuId = await newSku();
    const fields = formFields(skuId);
    const res = await adminFormPost('/admin/group-buys', fields, { cookie: sessions.operator });
    expect(res.status).toBe(303);
    const location = res.headers.get('Location')!;
    expect(location).toMatch(/^\/admin\/group-buys\/gbc_\w+\?done=created$/);
    const id = location.split('/')[3]!.split('?')[0]!;
    const row = await env.DB.prepare('SELECT title, starts_at, group_size, leader_discount_fen FROM group_buys WHERE id = ?').bind(id).first();
    expect(row).toEqual({ title: '三人团 <b>特惠</b>', starts_at: Date.parse(`${fields.starts_at}:00+08:00`), group_size: 3, leader_discount_fen: 500 });
    expect(await env.DB.prepare('SELECT group_price_fen FROM group_buy_skus WHERE group_buy_id = ?').bind(id).first()).toEqual({ group_price_fen: 9990 });
    const detail = await (await adminPage(location, { cookie: sessions.operator })).text();
    expect(detail).toContain('拼团活动已创建');
    expect(detail).toContain('三人团 &lt;b&gt;特惠&lt;/b&gt;');
    expect(detail).toContain(`<td>${skuId}</td><td>—</td><td class="num">¥120.00</td><td class="num">¥99.90</td>`);
    expect(detail).toContain('还没有人开团');
    expect(detail).toContain(`action="/admin/group-buys/${id}/cancel"`);
  });

  it('creates a tiered campaign from "size:price" tiers', async () => {
    const skuId = await newSku();
    const res = await adminFormPost('/admin/group-buys', formFields(skuId, { group_price: '', group_size: '', tiers: '2:90, 5:80，10:70', max_size: '12' }), { cookie: sessions.operator });
    expect(res.status).toBe(303);
    const id = res.headers.get('Location')!.split('/')[3]!.split('?')[0]!;
    const row = await env.DB.prepare('SELECT group_size, max_size, tiers FROM group_buys WHERE id = ?').bind(id).first<Record<string, unknown>>();
    expect(row).toEqual({
      group_size: 2,
      max_size: 12,
      tiers: JSON.stringify([
        { minSize: 2, priceFen: 9000 },
        { minSize: 5, priceFen: 8000 },
        { minSize: 10, priceFen: 7000 },
      ]),
    });
  });

  it.each([
    [{ group_price: '9.999' }, 'group_price', 400, '请输入金额'],
    [{ group_price: '130' }, 'group_price', 422, '拼团价必须低于商品售价'],
    [{ ends_at: '' }, 'ends_at', 400, '请选择日期和时间'],
    [{ group_size: '1' }, 'group_size', 400, '成团人数为 2–100 的整数'],
    [{ tiers: '2-90' }, 'tiers', 400, '格式如'],
    [{ group_price: '', group_size: '', tiers: '5:90, 2:80', max_size: '6' }, 'tiers', 400, '每一档的人数须多于上一档'],
    [{ sku_id: 'sku_doesnotexist' }, 'sku_id', 422, '没有这个 SKU'],
  ] as const)('refuses %o, naming %s (%i), keeps the input and writes nothing', async (overrides, field, status, message) => {
    const skuId = await newSku();
    const before = await campaignCount();
    const res = await adminFormPost('/admin/group-buys', formFields(skuId, overrides as Record<string, string>), { cookie: sessions.operator });
    expect(res.status).toBe(status);
    const html = await res.text();
    expect(html).toContain(message);
    expect(html).toMatch(new RegExp(`name="${field}" value="[^"]*"[^>]* aria-invalid="true"[^>]*/><span class="field-error">`));
    expect(html).toContain('value="三人团 &lt;b&gt;特惠&lt;/b&gt;"');
    expect(await campaignCount()).toBe(before);
  });

  it('shows the rooms and cancels through the form; viewers and other origins are refused', async () => {
    const { campaign, skuId } = await createCampaign(operator, categoryId);
    const [leader] = await manyShoppers(1);
    const room = await openRoom(caller(), leader!.token, campaign.id, skuId);
    const detail = await (await adminPage(`/admin/group-buys/${campaign.id}`, { cookie: sessions.viewer })).text();
    expect(detail).toContain(`<td>${room.body.room.id}</td><td>${room.body.room.invite_code}</td><td>进行中</td>`);
    expect(detail).not.toContain('/cancel"');
    expect((await adminFormPost(`/admin/group-buys/${campaign.id}/cancel`, {}, { cookie: sessions.viewer })).status).toBe(403);
    expect((await adminFormPost(`/admin/group-buys/${campaign.id}/cancel`, {}, { cookie: sessions.operator, headers: { Origin: 'https://evil.example' } })).status).toBe(403);
    expect((await env.DB.prepare('SELECT status FROM group_buys WHERE id = ?').bind(campaign.id).first())!.status).toBe('scheduled');
    const cancelled = await adminFormPost(`/admin/group-buys/${campaign.id}/cancel`, {}, { cookie: sessions.operator });
    expect(cancelled.headers.get('Location')).toBe(`/admin/group-buys/${campaign.id}?done=cancelled`);
    expect((await env.DB.prepare('SELECT status FROM group_buys WHERE id = ?').bind(campaign.id).first())!.status).toBe('cancelled');
    expect((await adminPage('/admin/group-buys/gbc_doesnotexist', { cookie: sessions.viewer })).status).toBe(404);
    expect((await adminPage('/admin/group-buys/bad', { cookie: sessions.viewer })).status).toBe(400);
  });
});
