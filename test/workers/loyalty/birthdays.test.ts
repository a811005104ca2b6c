// Birthdays (生日): set through PATCH /me (validated; once set, changed at most once in 12 months),
// the birthday points multiplier on the shop-local birthday (23:59:59 the day before earns the
// normal rate, 00:00:00 the double), 29 February on 28 February in common years, and the level's
// birthday coupon given by the sweep once a year.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { isBirthdayOn, monthDaysCelebratedOn } from '../../../src/domain/loyalty/birthday';
import { ManualClock } from '../../../src/lib/clock';
import { grantBirthdayCoupons } from '../../../src/services/loyalty/birthdays';
import { runScheduledWork } from '../../../src/services/scheduled';
import { activeCoupon } from '../../fixtures/coupons';
import { api, createCategory, createProduct, json } from '../../fixtures/helpers';
import { clockedShopper, db, ownerToken, setLoyaltySettings, shanghai } from '../../fixtures/loyalty';

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';

const birthdayCoupons = async (userId: string) => (await env.DB.prepare("SELECT count(*) AS n FROM shopper_coupons WHERE user_id = ? AND source = 'birthday'").bind(userId).first<{ n: number }>())!.n;

let skuId: string;
let birthdayTemplate: { id: string };
beforeAll(async () => {
  const owner = await ownerToken();
  const product = await createProduct(owner, await createCategory(owner, '生日'), { specs: [], skus: [{ spec_values: [], price_fen: 10_000, original_price_fen: 10_000, stock: 100 }] });
  skuId = product.skus[0].id;
  birthdayTemplate = await activeCoupon(owner, { name: '生日券', total_quantity: null });
  await setLoyaltySettings({ earn_points_per_yuan: 1, earn_birthday_multiplier_bps: 20_000, check_in_growth: 1 });
  const levels = await api('POST', '/admin/api/loyalty/levels', { token: owner, body: { levels: [{ name: '银卡', growth_threshold: 1, birthday_coupon_template_id: birthdayTemplate.id }] } });
  expect(levels.status).toBe(200);
});

describe('the birthday on the profile', () => {
  it('is validated (400 body.birthday, nothing written), shown on GET /me, and changed at most once in 12 months', async () => {
    const s = await clockedShopper('2026-06-01T10:00:00');
    for (const bad of ['2026-02-30', '2026-06-02', '1900-01-01', '01-05', 19900105]) {
      const res = await s.setBirthday(bad);
      expect(res.status).toBe(400);
      expect((await json(res)).error.details[0].path).toBe('body.birthday');
    }
    expect((await json(s.as('GET', '/me'))).birthday).toEqual({ birthday: null, changeable_from: null });
    expect((await s.setBirthday('1990-03-15')).status).toBe(200);
    expect((await json(s.as('GET', '/me'))).birthday).toEqual({ birthday: '1990-03-15', changeable_from: new Date(shanghai('2026-06-01T10:00:00') + 365 * DAY).toISOString() });
    // The same date again is no change; another date within 12 months is refused, with nickname untouched.
    expect((await s.setBirthday('1990-03-15')).status).toBe(200);
    const soon = await s.as('PATCH', '/me', { birthday: '1990-03-16', nickname: '改了' });
    expect(soon.status).toBe(422);
    expect((await json(soon)).error).toMatchObject({ code: 'birthday_change_too_soon', details: [{ path: 'body.birthday' }] });
    expect(await json(s.as('GET', '/me'))).toMatchObject({ nickname: expect.not.stringMatching('改了'), birthday: { birthday: '1990-03-15' } });
    s.clock.advance(365 * DAY);
    expect((await s.setBirthday('1990-03-16')).status).toBe(200);
    expect((await json(s.as('GET', '/me'))).birthday.birthday).toBe('1990-03-16');
  });

  it('20 simultaneous changes after the year is up: exactly one wins', async () => {
    const s = await clockedShopper('2026-01-10T10:00:00');
    await s.setBirthday('1991-07-01');
    s.clock.advance(366 * DAY);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => s.setBirthday(`1991-07-${String(i + 2).padStart(2, '0')}`).then((r) => r.status)));
    expect(answers.filter((st) => st === 200)).toHaveLength(1);
    expect(answers.filter((st) => st === 422)).toHaveLength(19);
  });
});

describe('the birthday points multiplier', () => {
  it('applies from 00:00:00 to 23:59:59 of the birthday in Asia/Shanghai, not a second either side', async () => {
    const s = await clockedShopper('2026-05-01T10:00:00');
    await s.setBirthday('1990-03-15');
    const earnsAt = async (local: string) => {
      s.to(local);
      return (await json(s.as('POST', '/checkout/quote', { items: [{ sku_id: skuId, quantity: 1 }] }))).points.earns;
    };
    expect(await earnsAt('2027-03-14T23:59:59')).toBe(100);
    expect(await earnsAt('2027-03-15T00:00:00')).toBe(200);
    expect(await earnsAt('2027-03-15T23:59:59')).toBe(200);
    expect(await earnsAt('2027-03-16T00:00:00')).toBe(100);
    // 15:59:59 UTC on the 15th is still the birthday in Shanghai; 16:00:00 UTC is the 16th.
    expect(new Date(s.clock.now()).toISOString()).toBe('2027-03-15T16:00:00.000Z');
  });

  it('an order placed on the birthday earns the multiplied points it was quoted', async () => {
    const s = await clockedShopper('2026-05-01T10:00:00');
    await s.setBirthday('1992-08-08');
    s.to('2027-08-08T12:00:00');
    await s.as('POST', '/me/addresses', { recipient: '寿星', phone: '13900001111', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号' });
    const order = await json(s.as('POST', '/orders', { items: [{ sku_id: skuId, quantity: 1 }] }, { 'Idempotency-Key': `bday-${s.id}` }));
    const planned = await env.DB.prepare('SELECT earns FROM order_points WHERE order_id = ?').bind(order.id).first<{ earns: number }>();
    expect(planned!.earns).toBe(200);
  });

  it('29 February is celebrated on 28 February in common years', () => {
    expect(monthDaysCelebratedOn('2027-02-28')).toEqual(['02-28', '02-29']);
    expect(monthDaysCelebratedOn('2028-02-28')).toEqual(['02-28']);
    expect(isBirthdayOn('2000-02-29', '2028-02-29')).toBe(true);
    expect(isBirthdayOn('2000-02-29', '2027-03-01')).toBe(false);
  });
});

describe('the level birthday coupon', () => {
  it('is given by the sweep on the birthday, once a year, and only to a level that names one', async () => {
    const member = await clockedShopper('2026-04-01T09:00:00');
    await member.as('POST', '/me/check-ins'); // growth 1: 银卡, whose benefit names the coupon
    expect((await json(member.as('GET', '/me/membership'))).level).toMatchObject({ name: '银卡' });
    await member.setBirthday('1995-04-20');
    const stranger = await clockedShopper('2026-04-01T09:00:00');
    await stranger.setBirthday('1995-04-20'); // no level: no coupon

    expect(await grantBirthdayCoupons(db(), shanghai('2026-04-19T23:59:59'), TZ)).toBe(0);
    expect(await birthdayCoupons(member.id)).toBe(0);
    // Through the cron sweep, at the first second of the birthday.
    const clock = new ManualClock(shanghai('2026-04-20T00:00:00'));
    expect((await runScheduledWork({ ...env, WORK_QUEUE: undefined }, clock)).membership.birthdayCoupons).toBe(1);
    expect(await birthdayCoupons(member.id)).toBe(1);
    const wallet = await json(member.as('GET', '/me/coupons'));
    expect(wallet.items.map((c: { template_id?: string; name: string }) => c.name)).toContain('生日券');
    // The sweep runs again all day (here twice at once): nothing more.
    await Promise.all([grantBirthdayCoupons(db(), shanghai('2026-04-20T12:00:00'), TZ), grantBirthdayCoupons(db(), shanghai('2026-04-20T12:00:00'), TZ)]);
    expect(await birthdayCoupons(member.id)).toBe(1);
    expect(await birthdayCoupons(stranger.id)).toBe(0);
    // Next year's birthday (the level is still held: nothing re-rated it) gives the next one.
    expect(await grantBirthdayCoupons(db(), shanghai('2027-04-20T08:00:00'), TZ)).toBe(1);
    expect(await birthdayCoupons(member.id)).toBe(2);
  });
});
