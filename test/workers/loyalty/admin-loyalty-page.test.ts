// The admin page's loyalty section: settings and levels at a glance, a shopper's journal, and a
// manual grant or deduction that needs a reason and is logged with the merchant who made it.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminFormPost, adminPage, adminSession, shopperToken } from '../../fixtures/helpers';
import { grantPoints } from '../../fixtures/loyalty';

describe('admin loyalty page', () => {
  it('shows the rules, and a shopper’s points with a grant form that requires a reason', async () => {
    const operator = await adminSession('operator');
    const overview = await adminPage('/admin/loyalty', { cookie: operator.cookie });
    expect(overview.status).toBe(200);
    const page = await overview.text();
    expect(page).toContain('积分规则');
    expect(page).toContain('会员等级');

    const shopper = await shopperToken();
    await grantPoints(shopper.id, 50, '注册礼');
    const lookup = await adminPage(`/admin/loyalty?id=${shopper.id}`, { cookie: operator.cookie });
    expect(lookup.headers.get('Location')).toBe(`/admin/loyalty/shoppers/${shopper.id}`);
    const detail = await (await adminPage(`/admin/loyalty/shoppers/${shopper.id}`, { cookie: operator.cookie })).text();
    expect(detail).toContain('可用 <strong>50</strong> 分');
    expect(detail).toContain('注册礼');

    const noReason = await adminFormPost(`/admin/loyalty/shoppers/${shopper.id}/points`, { points: '20', reason: '' }, { cookie: operator.cookie });
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain('请填写原因');
    const fraction = await adminFormPost(`/admin/loyalty/shoppers/${shopper.id}/points`, { points: '1.5', reason: '补偿' }, { cookie: operator.cookie });
    expect(fraction.status).toBe(400);
    const tooMuch = await adminFormPost(`/admin/loyalty/shoppers/${shopper.id}/points`, { points: '-80', reason: '扣减' }, { cookie: operator.cookie });
    expect(tooMuch.status).toBe(422);
    expect(await tooMuch.text()).toContain('可用积分不足');

    const granted = await adminFormPost(`/admin/loyalty/shoppers/${shopper.id}/points`, { points: '-20', reason: '客诉补扣' }, { cookie: operator.cookie });
    expect(granted.status).toBe(303);
    const entry = await env.DB.prepare("SELECT delta, reason, actor_id FROM point_entries WHERE user_id = ? AND kind = 'debit'").bind(shopper.id).first();
    expect(entry).toEqual({ delta: -20, reason: '客诉补扣', actor_id: operator.id });
    expect(await (await adminPage(`/admin/loyalty/shoppers/${shopper.id}?done=adjusted`, { cookie: operator.cookie })).text()).toContain('积分已调整');
  });

  it('viewers see no form and cannot post one; a foreign origin is refused', async () => {
    const viewer = await adminSession('viewer');
    const shopper = await shopperToken();
    expect(await (await adminPage(`/admin/loyalty/shoppers/${shopper.id}`, { cookie: viewer.cookie })).text()).not.toContain('确认调整');
    expect((await adminFormPost(`/admin/loyalty/shoppers/${shopper.id}/points`, { points: '5', reason: 'x' }, { cookie: viewer.cookie })).status).toBe(403);
    const operator = await adminSession('operator');
    const foreign = await adminFormPost(`/admin/loyalty/shoppers/${shopper.id}/points`, { points: '5', reason: 'x' }, { cookie: operator.cookie, headers: { Origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect((await env.DB.prepare('SELECT count(*) AS n FROM point_entries WHERE user_id = ?').bind(shopper.id).first<{ n: number }>())!.n).toBe(0);
  });
});
