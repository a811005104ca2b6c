// Demo coupons and store promotions for `npm run dev`: a coupon of each kind (满减, 折扣, 无门槛),
// one for new shoppers (granted at sign-in), a redeem code, a tiered 满减 activity and a
// 限时折扣 on a few products. Created through the admin API as the owner, once: each is looked up
// by its name first, so running dev again adds nothing and prints the same redeem code.
import { call } from './dev-campaigns';

type Owner = { username: string; password: string };
const DAY_MS = 86_400_000;

const demoTemplates = [
  { name: '满100减20（演示）', kind: 'threshold', threshold_fen: 10000, amount_off_fen: 2000 },
  { name: '全场9折券（演示）', kind: 'percent', threshold_fen: 0, percent_off: 10, cap_fen: 3000 },
  { name: '无门槛5元券（演示）', kind: 'no_threshold', amount_off_fen: 500 },
  { name: '新人10元券（演示）', kind: 'no_threshold', amount_off_fen: 1000, audience: 'new_shopper' },
  { name: '兑换码专享券（演示）', kind: 'threshold', threshold_fen: 5000, amount_off_fen: 800, in_centre: false },
] as const;
const REDEEM_TEMPLATE = demoTemplates[4].name;
const TIERED_NAME = '满100减10 满200减30（演示）';
const TIMED_NAME = '限时8折（演示）';

/** Creates what does not exist yet; answers what it created and the demo redeem code. */
/** The shop-wide 满100减10 满200减30 activity, as POST /admin/api/promotions takes it (without its window). */
export const tieredActivityBody = (name: string) => ({
  type: 'tiered',
  name,
  scope: { kind: 'all' },
  condition: 'amount',
  benefit: 'amount_off',
  tiers: [
    { threshold: 10000, value: 1000 },
    { threshold: 20000, value: 3000 },
  ],
});

export async function seedDemoCoupons(apiUrl: string, owner: Owner, now = Date.now()): Promise<{ created: string[]; redeemCode: string }> {
  const { token } = await call(apiUrl, null, 'POST', '/admin/api/login', { username: owner.username, password: owner.password });
  const created: string[] = [];
  const existing = new Map<string, string>(((await call(apiUrl, token, 'GET', '/admin/api/coupons?limit=50')).items as { id: string; name: string }[]).map((t) => [t.name, t.id]));
  for (const template of demoTemplates) {
    if (existing.has(template.name)) continue;
    const body = {
      scope: { kind: 'all' },
      total_quantity: 10_000,
      per_shopper_limit: 1,
      claim_starts_at: new Date(now).toISOString(),
      claim_ends_at: new Date(now + 30 * DAY_MS).toISOString(),
      validity: { kind: 'relative', days: 7 },
      ...template,
    };
    const { id } = await call(apiUrl, token, 'POST', '/admin/api/coupons', body);
    await call(apiUrl, token, 'POST', `/admin/api/coupons/${id}/activate`);
    existing.set(template.name, id);
    created.push(template.name);
  }
  const redeemId = existing.get(REDEEM_TEMPLATE)!;
  const codesCsv = async () => (await (await fetch(`${apiUrl}/admin/api/coupons/${redeemId}/codes.csv`, { headers: { authorization: `Bearer ${token}` } })).text()).split('\r\n')[1]?.split(',')[0];
  let redeemCode = await codesCsv();
  if (!redeemCode) {
    await call(apiUrl, token, 'POST', `/admin/api/coupons/${redeemId}/codes`, { count: 1, max_uses: 10_000 });
    redeemCode = (await codesCsv())!;
    created.push('a redeem code');
  }

  const promotions = (await call(apiUrl, token, 'GET', '/admin/api/promotions')).items as { name: string }[];
  const window = { starts_at: new Date(now).toISOString(), ends_at: new Date(now + 30 * DAY_MS).toISOString() };
  if (!promotions.some((p) => p.name === TIERED_NAME)) {
    await call(apiUrl, token, 'POST', '/admin/api/promotions', {
      ...tieredActivityBody(TIERED_NAME),
      ...window,
    });
    created.push(TIERED_NAME);
  }
  if (!promotions.some((p) => p.name === TIMED_NAME)) {
    const { items } = await call(apiUrl, null, 'GET', '/products?limit=3&sort=newest');
    for (const product of items as { id: string }[]) {
      await call(apiUrl, token, 'POST', '/admin/api/promotions', { type: 'timed_discount', name: TIMED_NAME, product_id: product.id, kind: 'percent_off', value: 20, ...window });
    }
    created.push(`${TIMED_NAME} on ${items.length} products`);
  }
  return { created, redeemCode };
}
