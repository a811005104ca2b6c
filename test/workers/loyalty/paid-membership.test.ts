// Paid membership: plans bought with WeChat Pay (the fake, real signatures), benefits while the
// term runs, terms that stack, unpaid purchases closed by the sweep.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRead } from '../../../src/db/reads';
import { memberBenefitsRead } from '../../../src/services/loyalty/membership';
import { closeExpiredPlanPurchases } from '../../../src/services/loyalty/plans';
import { payClientOf } from '../../../src/services/wechat';
import { fakeTransaction, markPaid } from '../../fakes/wechat-control';
import { api, BASE, json, newIdempotencyKey, shopperWithAddress } from '../../fixtures/helpers';
import { db, ownerToken, setLoyaltySettings } from '../../fixtures/loyalty';

let planId: string;

beforeAll(async () => {
  const token = await ownerToken();
  await api('POST', '/admin/api/loyalty/levels', {
    token,
    body: {
      levels: [
        { name: '普通会员', growth_threshold: 10 },
        { name: '黑卡会员', growth_threshold: 100_000, free_shipping: true, member_price: true, points_multiplier_bps: 30_000 },
      ],
    },
  });
  const res = await api('POST', '/admin/api/loyalty/plans', { token, body: { name: '月卡', period: 'month', price_fen: 990, level_rank: 2 } });
  expect(res.status).toBe(201);
  planId = (await json(res)).id;
});

const purchase = (token: string, key = newIdempotencyKey(), id = planId) => api('POST', `/membership/plans/${id}/purchase`, { token, headers: { 'Idempotency-Key': key } });
const outTradeNo = async (purchaseId: string) => (await env.DB.prepare('SELECT out_trade_no FROM plan_purchases WHERE id = ?').bind(purchaseId).first<{ out_trade_no: string }>())!.out_trade_no;
async function payFor(purchaseId: string) {
  const { notification } = await markPaid(await outTradeNo(purchaseId));
  expect((await SELF.fetch(`${BASE}/payments/wechat/notify`, { method: 'POST', headers: notification.headers, body: notification.body })).status).toBe(204);
  return notification;
}

describe('paid membership', () => {
  it('buys a plan with WeChat Pay; its level benefits apply while the term runs, once per notification', async () => {
    const shopper = await shopperWithAddress();
    const key = newIdempotencyKey();
    const first = await purchase(shopper.token, key);
    expect(first.status).toBe(201);
    const body = await json(first);
    expect(body).toMatchObject({ purchase: { status: 'pending', amount_fen: 990, starts_at: null }, request_payment: { package: expect.stringMatching(/^prepay_id=/) } });
    const again = await purchase(shopper.token, key);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await json(again)).purchase.id).toBe(body.purchase.id);
    expect(await fakeTransaction(await outTradeNo(body.purchase.id))).toMatchObject({ tradeState: 'NOTPAY' });

    const notification = await payFor(body.purchase.id);
    await SELF.fetch(`${BASE}/payments/wechat/notify`, { method: 'POST', headers: notification.headers, body: notification.body }); // a duplicate
    const membership = await json(api('GET', '/me/membership', { token: shopper.token }));
    expect(membership.level).toBeNull();
    expect(membership.paid_plan).toMatchObject({ plan_id: planId, name: '月卡', level_rank: 2, refund_rule: 'none', refundable_fen: 0 });
    const term = await env.DB.prepare('SELECT starts_at, ends_at FROM plan_purchases WHERE id = ?').bind(body.purchase.id).first<{ starts_at: number; ends_at: number }>();
    expect(term!.ends_at - term!.starts_at).toBeGreaterThanOrEqual(28 * 86_400_000);
    expect(await runRead(db(), memberBenefitsRead(db(), shopper.id, Date.now()))).toMatchObject({ freeShipping: true, memberPrice: true, pointsMultiplierBps: 30_000 });
    // After the term: no benefits, nothing to flip.
    expect(await runRead(db(), memberBenefitsRead(db(), shopper.id, term!.ends_at))).toMatchObject({ freeShipping: false, memberPrice: false });
  });

  it('a second plan bought during a term starts when the first ends; pro-rata refunds show what is refundable', async () => {
    const shopper = await shopperWithAddress();
    const a = (await json(purchase(shopper.token))).purchase.id;
    await payFor(a);
    const b = (await json(purchase(shopper.token))).purchase.id;
    await payFor(b);
    const rows = (
      await env.DB.prepare('SELECT id, starts_at, ends_at FROM plan_purchases WHERE user_id = ? ORDER BY starts_at').bind(shopper.id).all<{ id: string; starts_at: number; ends_at: number }>()
    ).results;
    expect(rows.map((r) => r.id)).toEqual([a, b]);
    expect(rows[1]!.starts_at).toBe(rows[0]!.ends_at);
    await setLoyaltySettings({ plan_refund_rule: 'pro_rata' });
    try {
      const view = (await json(api('GET', '/me/membership', { token: shopper.token }))).paid_plan;
      expect(view.ends_at).toBe(new Date(rows[1]!.ends_at).toISOString());
      expect(view.refundable_fen).toBeGreaterThan(980);
      expect(view.refundable_fen).toBeLessThanOrEqual(990);
    } finally {
      await setLoyaltySettings({ plan_refund_rule: 'none' });
    }
  });

  it('closes unpaid purchases at WeChat Pay when their window ends', async () => {
    const shopper = await shopperWithAddress();
    const id = (await json(purchase(shopper.token))).purchase.id;
    const clock = { now: () => Date.now() };
    expect(await closeExpiredPlanPurchases(db(), payClientOf(env, clock), Date.now())).toBe(0);
    expect(await closeExpiredPlanPurchases(db(), payClientOf(env, clock), Date.now() + 16 * 60_000)).toBeGreaterThanOrEqual(1);
    expect((await env.DB.prepare('SELECT status FROM plan_purchases WHERE id = ?').bind(id).first<{ status: string }>())!.status).toBe('closed');
    expect((await fakeTransaction(await outTradeNo(id))).tradeState).toBe('CLOSED');
  });

  it('refuses bad plans and unknown plans', async () => {
    const token = await ownerToken();
    for (const [body, path] of [
      [{ name: '年卡', period: 'year', price_fen: 0, level_rank: 1 }, 'body.price_fen'],
      [{ name: '年卡', period: 'decade', price_fen: 100, level_rank: 1 }, 'body.period'],
      [{ name: '年卡', period: 'year', price_fen: 100, level_rank: 0 }, 'body.level_rank'],
    ] as const) {
      const res = await api('POST', '/admin/api/loyalty/plans', { token, body });
      expect(res.status).toBe(400);
      expect((await json(res)).error.details[0].path).toBe(path);
    }
    const shopper = await shopperWithAddress();
    expect((await purchase(shopper.token, newIdempotencyKey(), 'mpl_unknown')).status).toBe(404);
    expect((await api('POST', `/membership/plans/${planId}/purchase`, { token: shopper.token })).status).toBe(400);
    expect((await json(SELF.fetch(`${BASE}/membership/plans`))).items.map((p: { id: string }) => p.id)).toContain(planId);
  });
});
