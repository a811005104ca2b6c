import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { runBatch } from '../../../src/db/batch';
import { creditStatements, debitStatements } from '../../../src/services/loyalty/points-ledger';
import { sweepPointLots } from '../../../src/services/loyalty/points';
import { pointsExpireAt } from '../../../src/domain/loyalty/points';
import { api, json, shopperToken, tokenFor } from '../../fixtures/helpers';
import { db, expectLedgerConsistent, grantPoints, myPoints, ownerToken, setLoyaltySettings } from '../../fixtures/loyalty';

const DAY = 86_400_000;
const credit = (userId: string, amount: number, expiresAt: number, now = Date.now()) => runBatch(db(), creditStatements({ userId, amount, source: 'review', ref: null, expiresAt, now }));
const spend = (userId: string, amount: number, now = Date.now()) => runBatch(db(), debitStatements({ userId, amount, source: 'exchange', ref: null, mode: 'spend', now }));
const clawback = (userId: string, amount: number, now = Date.now()) => runBatch(db(), debitStatements({ userId, amount, source: 'reversal', ref: 'ord_test', mode: 'clawback', now }));
const remainingOf = async (userId: string) =>
  (await env.DB.prepare('SELECT amount, remaining, expires_at FROM point_lots WHERE user_id = ? ORDER BY expires_at').bind(userId).all<{ amount: number; remaining: number }>()).results;

describe('points ledger', () => {
  it('a merchant grant shows in the balance and the journal, with the reason and who', async () => {
    const shopper = await shopperToken();
    await grantPoints(shopper.id, 300, '老客回馈');
    expect(await myPoints(shopper.token)).toEqual({ balance: 300, frozen: 0, expiring_within_30_days: 0, debt: 0, can_spend: true });
    const ledger = await json(api('GET', '/me/points/ledger', { token: shopper.token }));
    expect(ledger.items).toEqual([expect.objectContaining({ kind: 'credit', source: 'merchant_grant', points: 300, reason: '老客回馈' })]);
    const actor = await env.DB.prepare('SELECT actor_id FROM point_entries WHERE user_id = ?').bind(shopper.id).first<{ actor_id: string }>();
    expect(actor!.actor_id).toMatch(/^mer_/);
    await expectLedgerConsistent(shopper.id);
  });

  it('200 simultaneous spends of 10 on a balance of 1,005: exactly 100 succeed, 5 left, never negative', async () => {
    const shopper = await shopperToken();
    // Several lots, so that spends cross lot boundaries while they race.
    for (const amount of [400, 300, 205, 100]) await grantPoints(shopper.id, amount);
    const token = (await tokenFor('operator')).token;
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        api('POST', `/admin/api/shoppers/${shopper.id}/points`, { token, body: { points: -10, reason: '并发扣减' } }).then(async (r) => ({ status: r.status, body: await r.json<any>() })),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(100);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422 && r.body.error.code === 'insufficient_points')).toBe(true);
    expect((await myPoints(shopper.token)).balance).toBe(5);
    const debits = await env.DB.prepare("SELECT count(*) AS n, SUM(delta) AS total FROM point_entries WHERE user_id = ? AND kind = 'debit'").bind(shopper.id).first<{ n: number; total: number }>();
    expect(debits).toEqual({ n: 100, total: -1000 });
    await expectLedgerConsistent(shopper.id);
  });

  it('spends from the lots that expire first', async () => {
    const shopper = await shopperToken();
    const now = Date.now();
    await credit(shopper.id, 100, now + 90 * DAY);
    await credit(shopper.id, 50, now + 10 * DAY);
    await credit(shopper.id, 70, now + 40 * DAY);
    await spend(shopper.id, 80);
    expect((await remainingOf(shopper.id)).map((l) => l.remaining)).toEqual([0, 40, 100]);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 140, expiring_within_30_days: 0 });
    await expect(spend(shopper.id, 141)).rejects.toMatchObject({ code: 'insufficient_points' });
    expect((await remainingOf(shopper.id)).map((l) => l.remaining)).toEqual([0, 40, 100]);
    await expectLedgerConsistent(shopper.id);
  });

  it('expires lots on the injected clock: unusable at once, written off by the sweep', async () => {
    const shopper = await shopperToken();
    const now = Date.now();
    await credit(shopper.id, 60, now + 20 * DAY);
    await credit(shopper.id, 40, now + 200 * DAY);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 100, expiring_within_30_days: 60 });
    const later = now + 21 * DAY;
    // Past its date a lot cannot be spent, even before the sweep wrote it off.
    await expect(spend(shopper.id, 41, later)).rejects.toMatchObject({ code: 'insufficient_points' });
    await sweepPointLots(db(), later, 'Asia/Shanghai');
    const expired = await env.DB.prepare("SELECT delta FROM point_entries WHERE user_id = ? AND kind = 'expire'").bind(shopper.id).all<{ delta: number }>();
    expect(expired.results).toEqual([{ delta: -60 }]);
    await sweepPointLots(db(), later, 'Asia/Shanghai'); // idempotent
    expect((await env.DB.prepare("SELECT count(*) AS n FROM point_entries WHERE user_id = ? AND kind = 'expire'").bind(shopper.id).first<{ n: number }>())!.n).toBe(1);
    await spend(shopper.id, 40, later);
    await expectLedgerConsistent(shopper.id);
  });

  it('a clawback beyond what is held becomes debt: spending is blocked, later earnings repay it first', async () => {
    const shopper = await shopperToken();
    await grantPoints(shopper.id, 30);
    await clawback(shopper.id, 100);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 0, debt: 70, can_spend: false });
    await grantPoints(shopper.id, 50);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 0, debt: 20 });
    await grantPoints(shopper.id, 50);
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 30, debt: 0, can_spend: true });
    await expectLedgerConsistent(shopper.id);
  });

  it('debt blocks spending even when a balance is held', async () => {
    const shopper = await shopperToken();
    await clawback(shopper.id, 10);
    const now = Date.now();
    // A lot written without repaying (as a frozen lot that has not thawed yet would be).
    await runBatch(db(), creditStatements({ userId: shopper.id, amount: 50, source: 'order', ref: 'ord_x', expiresAt: now + 90 * DAY, frozenUntil: now - 1, now }));
    const deduct = await api('POST', `/admin/api/shoppers/${shopper.id}/points`, { token: await ownerToken(), body: { points: -1, reason: '扣减' } });
    expect(deduct.status).toBe(422);
    expect((await json(deduct)).error.code).toBe('points_debt_outstanding');
    // Thawing repays the debt first.
    await sweepPointLots(db(), now, 'Asia/Shanghai');
    expect(await myPoints(shopper.token)).toMatchObject({ balance: 40, frozen: 0, debt: 0 });
    await expectLedgerConsistent(shopper.id);
  });

  it('expiry follows the shop setting: rolling months, or the end of next year in Asia/Shanghai', () => {
    const at = Date.parse('2026-01-31T10:00:00+08:00');
    expect(new Date(pointsExpireAt(at, { mode: 'rolling_months', months: 1 }, 'Asia/Shanghai')).toISOString()).toBe('2026-02-28T02:00:00.000Z');
    expect(new Date(pointsExpireAt(at, { mode: 'end_of_next_year', months: 0 }, 'Asia/Shanghai')).toISOString()).toBe('2027-12-31T16:00:00.000Z');
    // 23:30 on 31 December in Shanghai is still 2026 there (15:30 UTC): the year after is 2027.
    const lateDec = Date.parse('2026-12-31T23:30:00+08:00');
    expect(new Date(pointsExpireAt(lateDec, { mode: 'end_of_next_year', months: 0 }, 'Asia/Shanghai')).toISOString()).toBe('2027-12-31T16:00:00.000Z');
  });

  it('refuses bad points and settings with field paths, writing nothing', async () => {
    const shopper = await shopperToken();
    const token = await ownerToken();
    const cases: [unknown, string][] = [
      [{ points: 1.5, reason: 'x' }, 'body.points'],
      [{ points: 0, reason: 'x' }, 'body.points'],
      [{ points: 10 }, 'body.reason'],
      [{ points: '10', reason: 'x' }, 'body.points'],
    ];
    for (const [body, path] of cases) {
      const res = await api('POST', `/admin/api/shoppers/${shopper.id}/points`, { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    for (const [body, path] of [
      [{ earn_birthday_multiplier_bps: 0 }, 'body.earn_birthday_multiplier_bps'],
      [{ redeem_points_per_yuan: -1 }, 'body.redeem_points_per_yuan'],
      [{ redeem_max_goods_percent: 101 }, 'body.redeem_max_goods_percent'],
      [{ check_in_base_points: 2.5 }, 'body.check_in_base_points'],
    ] as const) {
      const res = await api('PATCH', '/admin/api/loyalty/settings', { token, body });
      expect(res.status).toBe(400);
      expect((await json(res)).error.details[0].path).toBe(path);
    }
    expect((await api('POST', `/admin/api/shoppers/usr_nobody/points`, { token, body: { points: 5, reason: 'x' } })).status).toBe(404);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM point_entries WHERE user_id = ?').bind(shopper.id).first<{ n: number }>())!.n).toBe(0);
    expect((await setLoyaltySettings({ redeem_shipping: true })).redeem_shipping).toBe(true);
    await setLoyaltySettings({ redeem_shipping: false });
  });

  it('pages the journal with a cursor', async () => {
    const shopper = await shopperToken();
    for (let i = 1; i <= 5; i++) await grantPoints(shopper.id, i);
    const first = await json(api('GET', '/me/points/ledger?limit=2', { token: shopper.token }));
    expect(first.items).toHaveLength(2);
    const second = await json(api('GET', `/me/points/ledger?limit=10&cursor=${first.next_cursor}`, { token: shopper.token }));
    expect(second.items).toHaveLength(3);
    expect(second.next_cursor).toBeNull();
    expect([...first.items, ...second.items].map((e: { points: number }) => e.points).sort()).toEqual([1, 2, 3, 4, 5]);
    expect((await api('GET', '/me/points/ledger?cursor=bogus', { token: shopper.token })).status).toBe(400);
  });
});
