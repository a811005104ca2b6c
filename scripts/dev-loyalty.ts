// Demo loyalty setup for `npm run dev`: earning and spending settings, three member levels with
// benefits, a paid monthly plan, check-in rewards with a streak tier, and two points-mall items
// (a SKU and a coupon). Through the admin API as the owner, once: each part that already exists
// is left alone, so running dev again adds nothing.
import { call, demoSkus } from './dev-campaigns';

type Owner = { username: string; password: string };

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
        { name: '金卡会员', growth_threshold: 2000, member_price: true, free_shipping: true, points_multiplier_bps: 15_000 },
      ],
    });
    created.push('settings and three levels');
  }
  if (await empty('/admin/api/loyalty/plans')) {
    await call(apiUrl, token, 'POST', '/admin/api/loyalty/plans', { name: '金卡月卡', period: 'month', price_fen: 990, level_rank: 3 });
    created.push('a paid plan');
  }
  if (await empty('/admin/api/loyalty/check-in-rewards')) {
    await call(apiUrl, token, 'POST', '/admin/api/loyalty/check-in-rewards', { kind: 'streak', days: 7, points: 50 });
    await call(apiUrl, token, 'POST', '/admin/api/loyalty/check-in-rewards', { kind: 'cumulative', days: 15, points: 100 });
    created.push('check-in rewards');
  }
  if (await empty('/admin/api/points-mall/items')) {
    const [sku] = await demoSkus(apiUrl, 1);
    await call(apiUrl, token, 'POST', '/admin/api/points-mall/items', { kind: 'sku', title: '积分换购（演示）', sku_id: sku!.id, points_price: 500, cash_fen: 100, stock: 20, per_shopper_limit: 1 });
    await call(apiUrl, token, 'POST', '/admin/api/points-mall/items', {
      kind: 'coupon',
      title: '5 元优惠券（演示）',
      coupon_template_id: 'tpl_demo5',
      points_price: 200,
      stock: 100,
      per_shopper_limit: 2,
    });
    created.push('points-mall items');
  }
  return created;
}
