// The admin page's loyalty section in a real browser against the production bundle: log in, look
// a shopper up, grant points with a reason, and see the balance and the journal line.
import { expect, it } from 'vitest';
import { hashPassword } from '../../src/lib/password';
import { workerAndBrowser } from './browser';

const OPERATOR = { username: 'e2e_loyalty', password: 'e2e password 456' };

const started = workerAndBrowser();

it('looks a shopper up, grants points with a reason, and shows the balance and the journal', async () => {
  const { worker, browser } = started;
  const now = Date.now();
  await worker.db
    .prepare(
      `INSERT INTO merchant_accounts (id, username, display_name, password_hash, role, disabled, failed_logins, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'operator', 0, 0, ?, ?)`,
    )
    .bind('mer_e2eloyalty', OPERATOR.username, '运营', await hashPassword(OPERATOR.password), now, now)
    .run();
  await worker.db.prepare("INSERT INTO users (id, openid, nickname, created_at, updated_at) VALUES ('usr_e2eshopper', 'o-e2e-shopper', '买家', ?, ?)").bind(now, now).run();

  const page = await browser.newPage();
  await page.goto(`${worker.url}/admin/login`);
  await page.getByLabel('用户名').fill(OPERATOR.username);
  await page.getByLabel('密码').fill(OPERATOR.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('link', { name: '会员积分' }).click();
  await expect(page.locator('h1').textContent()).resolves.toBe('会员积分');

  await page.getByLabel('顾客 ID').fill('usr_e2eshopper');
  await page.getByRole('button', { name: '查看积分' }).click();
  await page.waitForURL(/\/admin\/loyalty\/shoppers\/usr_e2eshopper/);

  // Without a reason nothing is saved.
  await page.getByLabel('调整积分（负数为扣减）').fill('30');
  await page.getByRole('button', { name: '确认调整' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('什么都没有保存');

  await page.getByLabel('原因（必填）').fill('活动补发');
  await page.getByRole('button', { name: '确认调整' }).click();
  await page.waitForURL(/done=adjusted/);
  await expect(page.getByRole('status').textContent()).resolves.toContain('积分已调整');
  await expect(page.locator('p strong').textContent()).resolves.toBe('30');
  await expect(page.locator('table').textContent()).resolves.toContain('活动补发');
  const { results } = (await worker.db.prepare("SELECT delta, actor_id FROM point_entries WHERE user_id = 'usr_e2eshopper'").run()) as { results: unknown[] };
  expect(results).toEqual([{ delta: 30, actor_id: 'mer_e2eloyalty' }]);
});
