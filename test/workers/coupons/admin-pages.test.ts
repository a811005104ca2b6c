// The coupons and promotions sections of the admin page (Chinese, forms checked like the API).
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminFormPost, adminPage, adminSession } from '../../fixtures/helpers';

const local = (hours: number) => new Date(Date.now() + hours * 3_600_000 + 8 * 3_600_000).toISOString().slice(0, 16);
const count = async (table: string) => (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>())!.n;

describe('admin coupons and promotions pages', () => {
  it('creates a 满减 coupon and refuses a bad one with Chinese messages, nothing written', async () => {
    const { cookie } = await adminSession('operator');
    const form = {
      name: '满50减5',
      kind: 'threshold',
      threshold: '50',
      amount_off: '5',
      per_shopper_limit: '1',
      valid_days: '7',
      claim_starts_at: local(-1),
      claim_ends_at: local(24),
      total_quantity: '',
    };
    const created = await adminFormPost('/admin/coupons', form, { cookie });
    expect(created.status).toBe(303);
    const detail = await adminPage(created.headers.get('Location')!, { cookie });
    expect(await detail.text()).toContain('满¥50.00减¥5.00');
    const before = await count('coupon_templates');
    const refused = await adminFormPost('/admin/coupons', { ...form, amount_off: '50' }, { cookie });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('减免金额必须低于使用门槛');
    expect(await count('coupon_templates')).toBe(before);
  });

  it('creates a tiered 满减 activity, refuses tiers out of order, and ends one', async () => {
    const { cookie } = await adminSession('operator');
    const form = { name: '满100减10 满200减30', threshold1: '100', off1: '10', threshold2: '200', off2: '30', threshold3: '', off3: '', starts_at: local(-1), ends_at: local(24) };
    const refused = await adminFormPost('/admin/promotions', { ...form, threshold2: '50' }, { cookie });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('门槛必须逐档升高');
    expect((await adminFormPost('/admin/promotions', form, { cookie })).status).toBe(303);
    const list = await (await adminPage('/admin/promotions', { cookie })).text();
    expect(list).toContain('满¥100.00减¥10.00，满¥200.00减¥30.00');
    expect(list).toContain('进行中');
    const id = /\/admin\/promotions\/(pma_[0-9a-z]+)\/end/.exec(list)![1]!;
    expect((await adminFormPost(`/admin/promotions/${id}/end`, {}, { cookie })).status).toBe(303);
    expect(await (await adminPage('/admin/promotions', { cookie })).text()).toContain('已结束');
  });
});
