// Demo loyalty setup for `npm run dev`: earning and spending settings, three member levels with
// benefits (the top one a birthday coupon), a paid monthly plan, check-in rewards with a streak
// tier that also gives a coupon, and two points-mall items (a SKU and a coupon). The coupons are
// the loyalty demo's own templates (given only as rewards, not in the coupon centre). Through the
// admin API as the owner, once: each part that already exists is left alone, so running dev
// again adds nothing.
import { call, demoSkus } from './dev-campaigns';

type Owner = { username: string; password: string };
const DAY_MS = 86_400_000;

/** A reward-only coupon template (not in the coupon centre), looked up by name first. */
async function rewardTemplate(apiUrl: string, token: string, name: string, amountOffFen: number): Promise<string> {
  const existing = ((await call(apiUrl, token, 'GET', '/admin/api/coupons?limit=50')).items as { id: string; name: string }[]).find((t) => t.name === name);
  if (existing) return existing.id;
  const now = Date.now();
  const { id } = await call(apiUrl, token, 'POST', '/admin/api/coupons', {
    name,
    kind: 'no_threshold',
    amount_off_fen: amountOffFen,
    scope: { kind: 'all' },
    total_quantity: null,
    in_centre: false,
    claim_starts_at: new Date(now).toISOString(),
    claim_ends_at: new Date(now + 365 * DAY_MS).toISOString(),
    validity: { kind: 'relative', days: 30 },
  });
  await call(apiUrl, token, 'POST', `/admin/api/coupons/${id}/activate`);
  return id;
}

export async function seedDemoLoyalty(apiUrl: string, owner: Owner): Promise<string[]> {
  const { token } = await call(apiUrl, null, 'POST', '/admin/api/login', { username: owner.username, password: owner.password });
  const empty = async (path: string) => (await call(apiUrl, token, 'GET', path)).items.length === 0;
  const created: string[] = [];

  if (await empty('/admin/api/loyalty/levels')) {
    await call(apiUrl, token, 'PATCH', '/admin/api/loyalty/settings', {
      earn_points_per_yuan: 1,
      earn_first_order_bonus: 100,
      redeem_points_per_yuan: 100,
      redeem_max_goods_percent: 30,
      after_sales_days: 7,
      check_in_base_points: 5,
      check_in_make_ups_per_month: 2,
      check_in_make_up_cost_points: 10,
    });
    await call(apiUrl, token, 'POST', '/admin/api/loyalty/levels', {
      levels: [
        { name: '普通会员', growth_threshold: 0 },
        { name: '银卡会员', growth_threshold: 500, member_price: true, points_multiplier_bps: 12_000 },
        {
          name: '金卡会员',
          growth_threshold: 2000,
          member_price: true,
          free_shipping: true,
          points_multiplier_bps: 15_000,
          birthday_coupon_template_id: await rewardTemplate(apiUrl, token, '会员生日券（演示）', 2000),
        },
      ],
    });
    created.push('settings and three levels');
  }
  if (await empty('/admin/api/loyalty/plans')) {
    await call(apiUrl, token, 'POST', '/admin/api/loyalty/plans', { name: '金卡月卡', period: 'month', price_fen: 990, level_rank: 3 });
    created.push('a paid plan');
  }
  if (await empty('/admin/api/loyalty/check-in-rewards')) {
    await call(apiUrl, token, 'POST', '/admin/api/loyalty/check-in-rewards', {
      kind: 'streak',
      days: 7,
      points: 50,
      coupon_template_id: await rewardTemplate(apiUrl, token, '连续签到礼券（演示）', 300),
    });
    await call(apiUrl, token, 'POST', '/admin/api/loyalty/check-in-rewards', { kind: 'cumulative', days: 15, points: 100 });
    created.push('check-in rewards');
  }
  if (await empty('/admin/api/points-mall/items')) {
    const [sku] = await demoSkus(apiUrl, 1);
    await call(apiUrl, token, 'POST', '/admin/api/points-mall/items', { kind: 'sku', title: '积分换购（演示）', sku_id: sku!.id, points_price: 500, cash_fen: 100, stock: 20, per_shopper_limit: 1 });
    await call(apiUrl, token, 'POST', '/admin/api/points-mall/items', {
      kind: 'coupon',
      title: '5 元优惠券（演示）',
      coupon_template_id: await rewardTemplate(apiUrl, token, '积分兑换5元券（演示）', 500),
      points_price: 200,
      stock: 100,
      per_shopper_limit: 2,
    });
    created.push('points-mall items');
  }
  return created;
}
