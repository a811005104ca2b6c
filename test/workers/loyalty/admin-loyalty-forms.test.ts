// The admin page's loyalty forms: settings, the level ladder, paid plans, check-in tiers and
// points-mall items, each read into the JSON API's body and checked by the same schema and
// service — a refusal is shown in Chinese next to its field and writes nothing; roles hold.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { activeCoupon } from '../../fixtures/coupons';
import { adminFormPost, adminPage, adminSession } from '../../fixtures/helpers';
import { ownerToken } from '../../fixtures/loyalty';

const settingsRow = () => env.DB.prepare('SELECT check_in_base_points, earn_birthday_multiplier_bps, redeem_shipping, plan_refund_rule, earn_per_order_cap FROM loyalty_settings').first();

/** The settings form as the page fills it, with some fields changed. */
async function settingsForm(cookie: string, changes: Record<string, string>) {
  const page = await (await adminPage('/admin/loyalty/settings', { cookie })).text();
  const fields = Object.fromEntries([...page.matchAll(/<input type="text" name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const choices = Object.fromEntries([...page.matchAll(/<select name="(\w+)">([\s\S]*?)<\/select>/g)].map((m) => [m[1]!, /<option value="(\w+)" selected/.exec(m[2]!)?.[1] ?? '']));
  return { ...fields, ...choices, ...changes };
}

describe('admin loyalty forms', () => {
  it('settings: the form shows the settings, refuses a bad value next to its field writing nothing, and saves', async () => {
    const owner = await adminSession('owner');
    const before = await settingsRow();
    for (const [changes, message] of [
      [{ check_in_base_points: '-3' }, '请输入整数'],
      [{ check_in_base_points: '2.5' }, '请输入整数'],
      [{ points_expiry_months: '500' }, '不能大于 120'],
      [{ earn_birthday_multiplier_pct: '0' }, '请输入 1–1000 的整数（%）'],
    ] as const) {
      const bad = await adminFormPost('/admin/loyalty/settings', await settingsForm(owner.cookie, changes), { cookie: owner.cookie });
      expect(bad.status).toBe(400);
      const text = await bad.text();
      expect(text).toContain('什么都没有保存');
      expect(text).toContain(message);
    }
    expect(await settingsRow()).toEqual(before);

    const saved = await adminFormPost(
      '/admin/loyalty/settings',
      await settingsForm(owner.cookie, { check_in_base_points: '8', earn_birthday_multiplier_pct: '200', redeem_shipping: 'yes', plan_refund_rule: 'pro_rata', earn_per_order_cap: '' }),
      { cookie: owner.cookie },
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get('Location')).toBe('/admin/loyalty/settings?done=saved');
    expect(await settingsRow()).toEqual({ check_in_base_points: 8, earn_birthday_multiplier_bps: 20_000, redeem_shipping: 1, plan_refund_rule: 'pro_rata', earn_per_order_cap: null });
    const operator = await adminSession('operator');
    expect((await adminPage('/admin/loyalty/settings', { cookie: operator.cookie })).status).toBe(403);
  });

  it('levels: thresholds out of order are refused at the row; the ladder is saved whole', async () => {
    const owner = await adminSession('owner');
    const template = await activeCoupon(await ownerToken(), { name: '生日礼' });
    const row = (i: number, name: string, threshold: string, extra: Record<string, string> = {}) => ({
      [`name_${i}`]: name,
      [`growth_threshold_${i}`]: threshold,
      ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`${k}_${i}`, v])),
    });
    const refused = await adminFormPost('/admin/loyalty/levels', { ...row(0, '银卡', '500'), ...row(1, '金卡', '100') }, { cookie: owner.cookie });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('门槛必须高于上一等级');
    expect((await env.DB.prepare('SELECT count(*) AS n FROM member_levels').first<{ n: number }>())!.n).toBe(0);
    const unknown = await adminFormPost('/admin/loyalty/levels', { ...row(0, '银卡', '100', { birthday_coupon_template_id: 'cpt_nope' }) }, { cookie: owner.cookie });
    expect(unknown.status).toBe(422);
    expect(await unknown.text()).toContain('没有这个优惠券模板');
    const saved = await adminFormPost(
      '/admin/loyalty/levels',
      {
        ...row(0, '银卡', '100', { member_price: 'yes' }),
        ...row(1, '金卡', '1000', { free_shipping: 'yes', points_multiplier_pct: '150', discount_bps: '500', birthday_coupon_template_id: template.id }),
      },
      { cookie: owner.cookie },
    );
    expect(saved.status).toBe(303);
    const levels = (
      await env.DB.prepare('SELECT rank, name, growth_threshold, member_price, free_shipping, points_multiplier_bps, discount_bps, birthday_coupon_template_id FROM member_levels ORDER BY rank').all()
    ).results;
    expect(levels).toEqual([
      { rank: 1, name: '银卡', growth_threshold: 100, member_price: 1, free_shipping: 0, points_multiplier_bps: 10_000, discount_bps: 0, birthday_coupon_template_id: null },
      { rank: 2, name: '金卡', growth_threshold: 1000, member_price: 0, free_shipping: 1, points_multiplier_bps: 15_000, discount_bps: 500, birthday_coupon_template_id: template.id },
    ]);
    // The form shows the saved ladder.
    expect(await (await adminPage('/admin/loyalty/levels', { cookie: owner.cookie })).text()).toContain('value="金卡"');
  });

  it('plans, check-in tiers and points-mall items: created from their forms, refused with the field, switched on and off', async () => {
    const owner = await adminSession('owner');
    const operator = await adminSession('operator');
    expect((await adminFormPost('/admin/loyalty/plans', { name: '月卡', period: 'month', price: '0', level_rank: '1' }, { cookie: owner.cookie })).status).toBe(400);
    expect((await adminFormPost('/admin/loyalty/plans', { name: '月卡', period: 'month', price: '9.90', level_rank: '1' }, { cookie: operator.cookie })).status).toBe(403);
    expect((await adminFormPost('/admin/loyalty/plans', { name: '月卡', period: 'month', price: '9.90', level_rank: '1' }, { cookie: owner.cookie })).status).toBe(303);
    const plan = await env.DB.prepare("SELECT id, price_fen, active FROM member_plans WHERE name = '月卡'").first<{ id: string; price_fen: number; active: number }>();
    expect(plan).toMatchObject({ price_fen: 990, active: 1 });
    expect((await adminFormPost(`/admin/loyalty/plans/${plan!.id}/off`, {}, { cookie: owner.cookie })).status).toBe(303);
    expect(await env.DB.prepare('SELECT active FROM member_plans WHERE id = ?').bind(plan!.id).first()).toEqual({ active: 0 });

    const tier = { kind: 'streak', days: '7', points: '50', coupon_template_id: '' };
    expect((await adminFormPost('/admin/loyalty/check-in-rewards', tier, { cookie: operator.cookie })).status).toBe(303);
    const twice = await adminFormPost('/admin/loyalty/check-in-rewards', tier, { cookie: operator.cookie });
    expect(twice.status).toBe(409);
    expect(await twice.text()).toContain('已有相同类型和天数的签到奖励');
    const empty = await adminFormPost('/admin/loyalty/check-in-rewards', { kind: 'cumulative', days: '40', points: '0', coupon_template_id: '' }, { cookie: operator.cookie });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('不能大于 31');
    const { id: tierId } = (await env.DB.prepare("SELECT id FROM check_in_rewards WHERE kind = 'streak' AND days = 7").first<{ id: string }>())!;
    expect((await adminFormPost(`/admin/loyalty/check-in-rewards/${tierId}/delete`, {}, { cookie: operator.cookie })).status).toBe(303);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM check_in_rewards').first()).toEqual({ n: 0 });

    const template = await activeCoupon(await ownerToken(), { name: '兑换券' });
    const item = { kind: 'coupon', title: '5 元券', sku_id: '', coupon_template_id: 'cpt_nope', points_price: '200', cash: '', stock: '10', per_shopper_limit: '2' };
    const refused = await adminFormPost('/admin/loyalty/mall', item, { cookie: operator.cookie });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('没有这个优惠券模板');
    expect((await adminFormPost('/admin/loyalty/mall', { ...item, coupon_template_id: template.id }, { cookie: operator.cookie })).status).toBe(303);
    const listed = await (await adminPage('/admin/loyalty/mall', { cookie: operator.cookie })).text();
    expect(listed).toContain('5 元券');
    expect(listed).toContain('上架中');
    const viewer = await adminSession('viewer');
    expect(await (await adminPage('/admin/loyalty/mall', { cookie: viewer.cookie })).text()).not.toContain('新建');
  });
});
