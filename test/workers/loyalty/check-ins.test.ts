import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, json } from '../../fixtures/helpers';
import { clockedShopper, grantPoints, ownerToken, setLoyaltySettings } from '../../fixtures/loyalty';
import { activeCoupon } from '../../fixtures/coupons';

const DAY = 86_400_000;

const creditsOf = async (userId: string) =>
  (await env.DB.prepare("SELECT delta, reason FROM point_entries WHERE user_id = ? AND kind = 'credit' ORDER BY created_at, reason").bind(userId).all<{ delta: number; reason: string }>()).results;
const checkInCount = async (userId: string) => (await env.DB.prepare('SELECT count(*) AS n FROM check_ins WHERE user_id = ?').bind(userId).first<{ n: number }>())!.n;

let couponTemplateId: string;
beforeAll(async () => {
  couponTemplateId = (await activeCoupon(await ownerToken(), { total_quantity: null })).id;
  await setLoyaltySettings({ check_in_cycle: 'monthly', check_in_base_points: 5, check_in_make_ups_per_month: 2, check_in_make_up_cost_points: 0 });
  const token = await ownerToken();
  for (const tier of [
    { kind: 'streak', days: 3, points: 20 },
    { kind: 'cumulative', days: 5, points: 0, coupon_template_id: couponTemplateId },
  ]) {
    const res = await api('POST', '/admin/api/loyalty/check-in-rewards', { token, body: tier });
    expect(res.status).toBe(201);
  }
});

describe('check-in', () => {
  it('counts the shop day in Asia/Shanghai: 23:59:59 is still that day, 00:00:00 is the next', async () => {
    const s = await clockedShopper('2026-03-10T23:59:59');
    const first = await s.checkIn();
    expect(first.status).toBe(201);
    expect(await json(first)).toMatchObject({ date: '2026-03-10', points: 5 });
    expect((await s.checkIn()).status).toBe(409);
    s.clock.advance(1000);
    const next = await s.checkIn();
    expect(next.status).toBe(201);
    expect((await json(next)).date).toBe('2026-03-11');
    // 16:00 UTC is already the next day in Shanghai (Workers run in UTC).
    expect(new Date(s.clock.now()).toISOString()).toBe('2026-03-10T16:00:00.000Z');
  });

  it('300 simultaneous taps: one check-in, 299 × 409 already_checked_in, one grant', async () => {
    const s = await clockedShopper('2026-04-02T09:00:00');
    const results = await Promise.all(Array.from({ length: 300 }, () => s.checkIn().then(async (r) => ({ status: r.status, body: await r.json<any>() }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'already_checked_in')).toHaveLength(299);
    expect(await checkInCount(s.id)).toBe(1);
    expect(await creditsOf(s.id)).toEqual([{ delta: 5, reason: '签到 2026-04-02' }]);
  });

  it('derives streaks from the rows: the 3-day tier once, the 5-day coupon tier by count', async () => {
    const s = await clockedShopper('2026-05-01T08:00:00');
    for (let day = 0; day < 3; day++) {
      expect((await s.checkIn()).status).toBe(201);
      s.clock.advance(DAY);
    }
    expect((await creditsOf(s.id)).filter((c) => c.reason.startsWith('连续')).map((c) => c.delta)).toEqual([20]);
    // A gap, then two more days: the count reaches 5 (the coupon tier), the streak tier is not given again.
    s.clock.advance(DAY);
    for (let day = 0; day < 2; day++) {
      const res = await s.checkIn();
      if (day === 1) expect((await json(res)).tier_rewards).toEqual([expect.objectContaining({ coupon_template_id: couponTemplateId, points: 0, coupon_id: expect.stringMatching(/^cpn_/) })]);
      s.clock.advance(DAY);
    }
    expect((await creditsOf(s.id)).filter((c) => c.reason.startsWith('连续'))).toHaveLength(1);
    const calendar = await json(s.as('GET', '/me/check-ins?month=2026-05'));
    expect(calendar).toMatchObject({ today: '2026-05-07', days_in_cycle: 5, streak_days: 2, checked_in_today: false });
    expect(calendar.days).toHaveLength(31);
    expect(calendar.days.filter((d: { checked_in: boolean }) => d.checked_in).map((d: { date: string }) => d.date)).toEqual(['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-05', '2026-05-06']);
    expect(calendar.days.find((d: { date: string }) => d.date === '2026-05-04').can_make_up).toBe(true);
    expect(calendar.days.find((d: { date: string }) => d.date === '2026-05-07').can_make_up).toBe(false);
  });

  it('resets streaks with the cycle: a weekly cycle starts again on Monday', async () => {
    await setLoyaltySettings({ check_in_cycle: 'weekly' });
    try {
      // Saturday 2026-06-06, Sunday, Monday: three days in a row, but Monday starts a new week.
      const s = await clockedShopper('2026-06-06T10:00:00');
      for (let day = 0; day < 3; day++) {
        await s.checkIn();
        s.clock.advance(DAY);
      }
      expect((await creditsOf(s.id)).filter((c) => c.reason.startsWith('连续'))).toEqual([]);
      expect(await json(s.as('GET', '/me/check-ins?month=2026-06'))).toMatchObject({ cycle: { kind: 'weekly', starts_on: '2026-06-08', ends_on: '2026-06-14' }, streak_days: 1 });
    } finally {
      await setLoyaltySettings({ check_in_cycle: 'monthly' });
    }
  });
});

describe('make-up check-in (补签)', () => {
  it('fills a missed day of this cycle; the streak tier it completes is granted once, however often recomputed', async () => {
    const s = await clockedShopper('2026-07-01T09:00:00');
    await s.checkIn();
    s.clock.advance(2 * DAY);
    await s.checkIn(); // 07-03; 07-02 missed
    const made = await s.makeUp('2026-07-02');
    expect(made.status).toBe(201);
    expect(await json(made)).toMatchObject({ date: '2026-07-02', points: 5, tier_rewards: [expect.objectContaining({ points: 20 })] });
    expect((await s.makeUp('2026-07-02')).status).toBe(409);
    s.clock.advance(DAY);
    await s.checkIn(); // 07-04: the streak is now 4, the 3-day tier is already given this cycle
    expect((await creditsOf(s.id)).filter((c) => c.reason.startsWith('连续'))).toHaveLength(1);
  });

  it('refuses today, the future, non-dates (400, body.date) and days before the cycle (422), writing nothing', async () => {
    const s = await clockedShopper('2026-08-03T09:00:00');
    for (const [date, status, code] of [
      ['2026-08-03', 400, 'invalid_input'],
      ['2026-08-09', 400, 'invalid_input'],
      ['2026-02-30', 400, 'invalid_input'],
      ['2026/08/01', 400, 'invalid_input'],
      ['2026-07-31', 422, 'make_up_outside_cycle'],
    ] as const) {
      const res = await s.makeUp(date);
      expect(res.status, date).toBe(status);
      const body = await json(res);
      expect(body.error.code, date).toBe(code);
      expect(body.error.details[0].path).toBe('body.date');
    }
    expect((await s.as('GET', '/me/check-ins?month=2026-13')).status).toBe(400);
    expect(await checkInCount(s.id)).toBe(0);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM check_in_make_ups WHERE user_id = ?').bind(s.id).first<{ n: number }>()).toEqual({ n: 0 });
  });

  it('at most K a month, exact under a burst of make-ups of different days', async () => {
    const s = await clockedShopper('2026-09-20T09:00:00');
    const dates = ['2026-09-11', '2026-09-12', '2026-09-13', '2026-09-14', '2026-09-15', '2026-09-16'];
    const results = await Promise.all(dates.map((d) => s.makeUp(d).then(async (r) => ({ status: r.status, body: await r.json<any>() }))));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(results.filter((r) => r.status !== 201).every((r) => r.status === 422 && r.body.error.code === 'make_up_limit_reached')).toBe(true);
    expect(await checkInCount(s.id)).toBe(2);
    expect((await json(s.as('GET', '/me/check-ins'))).make_ups_left_this_month).toBe(0);
  });

  it('costs points when the shop says so; without them nothing is written', async () => {
    await setLoyaltySettings({ check_in_make_up_cost_points: 30 });
    try {
      const s = await clockedShopper('2026-10-10T09:00:00');
      const poor = await s.makeUp('2026-10-09');
      expect(poor.status).toBe(422);
      expect((await json(poor)).error.code).toBe('insufficient_points');
      expect(await checkInCount(s.id)).toBe(0);
      await grantPoints(s.id, 40);
      expect((await s.makeUp('2026-10-09')).status).toBe(201);
      const debit = await env.DB.prepare("SELECT delta FROM point_entries WHERE user_id = ? AND kind = 'debit'").bind(s.id).first<{ delta: number }>();
      expect(debit!.delta).toBe(-30);
    } finally {
      await setLoyaltySettings({ check_in_make_up_cost_points: 0 });
    }
  });

  it('refuses bad tiers with field paths', async () => {
    const token = await ownerToken();
    for (const [body, path] of [
      [{ kind: 'streak', days: 0, points: 5 }, 'body.days'],
      [{ kind: 'streak', days: 2, points: -5 }, 'body.points'],
      [{ kind: 'forever', days: 2, points: 5 }, 'body.kind'],
      [{ kind: 'streak', days: 2 }, 'body.points'],
    ] as const) {
      const res = await api('POST', '/admin/api/loyalty/check-in-rewards', { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).error.details[0].path).toBe(path);
    }
    const twice = await api('POST', '/admin/api/loyalty/check-in-rewards', { token, body: { kind: 'streak', days: 3, points: 1 } });
    expect(twice.status).toBe(409);
  });
});
