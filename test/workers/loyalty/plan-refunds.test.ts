// Refunds of paid membership through the outbox to the fake WeChat Pay (real signatures): by the
// shop's rule (pro rata, or none), the term ended at once, the result applied once however often
// notified, only the latest term, and one refund however many merchants press at once.
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/lib/clock';
import { runScheduledWork } from '../../../src/services/scheduled';
import { completeRefund, fakeTransaction, markPaid } from '../../fakes/wechat-control';
import { api, BASE, json, newIdempotencyKey, shopperWithAddress } from '../../fixtures/helpers';
import { ownerToken, setLoyaltySettings } from '../../fixtures/loyalty';

let planId: string;
let owner: string;
beforeAll(async () => {
  owner = await ownerToken();
  await api('POST', '/admin/api/loyalty/levels', { token: owner, body: { levels: [{ name: '黑卡', growth_threshold: 100_000, free_shipping: true }] } });
  planId = (await json(api('POST', '/admin/api/loyalty/plans', { token: owner, body: { name: '年卡', period: 'year', price_fen: 36_500, level_rank: 1 } }))).id;
  await setLoyaltySettings({ plan_refund_rule: 'pro_rata' });
});

const row = <T>(sql: string, ...binds: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...binds)
    .first<T>();

/** A paid purchase of the plan (paid through the fake's cashier and its signed notification). */
async function paidPurchase(token: string) {
  const { purchase } = await json(api('POST', `/membership/plans/${planId}/purchase`, { token, headers: { 'Idempotency-Key': newIdempotencyKey() } }));
  const { out_trade_no } = (await row<{ out_trade_no: string }>('SELECT out_trade_no FROM plan_purchases WHERE id = ?', purchase.id))!;
  const { notification } = await markPaid(out_trade_no);
  expect((await SELF.fetch(`${BASE}/payments/wechat/notify`, { method: 'POST', headers: notification.headers, body: notification.body })).status).toBe(204);
  return { id: purchase.id as string, outTradeNo: out_trade_no };
}
const refund = (purchaseId: string) => api('POST', `/admin/api/loyalty/plan-purchases/${purchaseId}/refund`, { token: owner, body: { reason: '会员退订' } });
const sweep = () => runScheduledWork({ ...env, WORK_QUEUE: undefined }, systemClock);

describe('paid membership refunds', () => {
  it('pro rata: the term ends at once, the unused share goes to WeChat Pay through the outbox, the result is applied once', async () => {
    const shopper = await shopperWithAddress();
    const purchase = await paidPurchase(shopper.token);
    expect((await json(api('GET', '/me/membership', { token: shopper.token }))).paid_plan).toMatchObject({ plan_id: planId, refund_rule: 'pro_rata' });
    const res = await refund(purchase.id);
    expect(res.status).toBe(201);
    const made = await json(res);
    expect(made).toMatchObject({ purchase_id: purchase.id, status: 'processing', out_refund_no: expect.stringMatching(/^M/) });
    // Bought moments ago: all but a fen or so of the year is unused.
    expect(made.amount_fen).toBeGreaterThan(36_400);
    expect(made.amount_fen).toBeLessThanOrEqual(36_500);
    // Benefits stop with the refund, before WeChat Pay has answered.
    expect((await json(api('GET', '/me/membership', { token: shopper.token }))).paid_plan).toBeNull();
    await sweep();
    const tx = await fakeTransaction(purchase.outTradeNo);
    expect(tx.refunds).toEqual([expect.objectContaining({ outRefundNo: made.out_refund_no, refundFen: made.amount_fen, status: 'PROCESSING' })]);
    const { notification } = await completeRefund(made.out_refund_no);
    for (let i = 0; i < 2; i++) {
      expect((await SELF.fetch(`${BASE}/payments/wechat/refund-notify`, { method: 'POST', headers: notification.headers, body: notification.body })).status).toBe(204);
    }
    const listed = await json(api('GET', `/admin/api/shoppers/${shopper.id}/plan-purchases`, { token: owner }));
    expect(listed.items).toEqual([expect.objectContaining({ id: purchase.id, status: 'refunded', refunds: [expect.objectContaining({ status: 'succeeded', amount_fen: made.amount_fen })] })]);
    expect((await refund(purchase.id)).status).toBe(409);
  });

  it('20 refunds of one purchase at once: one refund, one outbox row, the others 409', async () => {
    const shopper = await shopperWithAddress();
    const purchase = await paidPurchase(shopper.token);
    const answers = await Promise.all(Array.from({ length: 20 }, () => refund(purchase.id).then(async (r) => ({ status: r.status, code: (await r.json<any>()).error?.code }))));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409 && (a.code === 'concurrent_change' || a.code === 'plan_already_refunded'))).toHaveLength(19);
    expect(await row('SELECT count(*) AS n FROM plan_refunds WHERE purchase_id = ?', purchase.id)).toEqual({ n: 1 });
    expect(await row("SELECT count(*) AS n FROM outbox WHERE kind = 'submit_plan_refund' AND subject_id IN (SELECT id FROM plan_refunds WHERE purchase_id = ?)", purchase.id)).toEqual({ n: 1 });
  });

  it('only the latest term: a term followed by another is 409; the later one (not started) refunds in full', async () => {
    const shopper = await shopperWithAddress();
    const first = await paidPurchase(shopper.token);
    const second = await paidPurchase(shopper.token);
    const refused = await refund(first.id);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe('plan_refund_not_latest');
    const later = await json(refund(second.id));
    expect(later.amount_fen).toBe(36_500);
    // The first term still runs.
    expect((await json(api('GET', '/me/membership', { token: shopper.token }))).paid_plan).toMatchObject({ plan_id: planId });
  });

  it('the rule "none" refuses (422 plan_not_refundable), nothing changes; an unknown purchase is 404, a bad reason 400', async () => {
    const shopper = await shopperWithAddress();
    const purchase = await paidPurchase(shopper.token);
    await setLoyaltySettings({ plan_refund_rule: 'none' });
    try {
      const res = await refund(purchase.id);
      expect(res.status).toBe(422);
      expect((await json(res)).error.code).toBe('plan_not_refundable');
      expect(await row('SELECT status FROM plan_purchases WHERE id = ?', purchase.id)).toEqual({ status: 'paid' });
    } finally {
      await setLoyaltySettings({ plan_refund_rule: 'pro_rata' });
    }
    expect((await refund('mpp_unknown')).status).toBe(404);
    const bad = await api('POST', `/admin/api/loyalty/plan-purchases/${purchase.id}/refund`, { token: owner, body: { reason: '' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details[0].path).toBe('body.reason');
  });
});
