// The admin page's loyalty section in a real browser against the production bundle: log in, look
// a shopper up, grant points with a reason, and see the balance and the journal line; the owner
// edits the settings through the form (a refusal saves nothing) and adds a check-in tier.
import { expect, it } from 'vitest';
import { merchantAccountRow, signInToAdmin, workerAndBrowser, type MerchantAccount } from './browser';

const OPERATOR: MerchantAccount = { id: 'mer_e2eloyalty', username: 'e2e_loyalty', password: 'e2e password 456', role: 'operator', name: '运营' };
const OWNER: MerchantAccount = { id: 'mer_e2eloyaltyowner', username: 'e2e_loyalty_owner', password: 'e2e password 789', role: 'owner', name: '店主' };

const started = workerAndBrowser();

/** Writes the merchant account to D1, signs in through the login form and opens 会员积分. */
async function signedIn(account: MerchantAccount) {
  const { worker, browser } = started;
  const now = Date.now();
  await (await merchantAccountRow(worker.db, account, now)).run();
  const page = await browser.newPage();
  await signInToAdmin(page, worker.url, account);
  await page.getByRole('link', { name: '会员积分' }).click();
  return page;
}

it('looks a shopper up, grants points with a reason, and shows the balance and the journal', async () => {
  const { worker } = started;
  const now = Date.now();
  await worker.db.prepare("INSERT INTO users (id, openid, nickname, created_at, updated_at) VALUES ('usr_e2eshopper', 'o-e2e-shopper', '买家', ?, ?)").bind(now, now).run();
  const page = await signedIn(OPERATOR);
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

it('the owner edits the points and check-in settings and adds a check-in tier through the forms', async () => {
  const { worker } = started;
  const page = await signedIn(OWNER);
  await page.getByRole('link', { name: '积分与签到设置' }).click();
  await expect(page.locator('h1').textContent()).resolves.toBe('积分与签到设置');
  await expect(page.getByLabel('每次签到积分').inputValue()).resolves.toBe('5');

  // A fraction is refused next to its field; nothing is saved.
  await page.getByLabel('每次签到积分').fill('2.5');
  await page.getByRole('button', { name: '保存设置' }).click();
  await expect(page.getByRole('alert').textContent()).resolves.toContain('什么都没有保存');
  await expect(page.locator('.field-error').textContent()).resolves.toBe('请输入整数');

  await page.getByLabel('每次签到积分').fill('9');
  await page.getByLabel('奖励周期').selectOption('weekly');
  await page.getByLabel('生日当天积分倍数（%，200 为双倍）').fill('300');
  await page.getByRole('button', { name: '保存设置' }).click();
  await page.waitForURL(/done=saved/);
  await expect(page.getByRole('status').textContent()).resolves.toContain('已保存');
  await expect(page.getByLabel('每次签到积分').inputValue()).resolves.toBe('9');
  const settings = (await worker.db.prepare('SELECT check_in_base_points, check_in_cycle, earn_birthday_multiplier_bps FROM loyalty_settings').run()) as { results: unknown[] };
  expect(settings.results).toEqual([{ check_in_base_points: 9, check_in_cycle: 'weekly', earn_birthday_multiplier_bps: 30_000 }]);

  await page.getByRole('link', { name: '签到奖励' }).click();
  await page.getByLabel('类型').selectOption('streak');
  await page.getByLabel('天数').fill('7');
  await page.getByLabel('奖励积分').fill('50');
  await page.getByRole('button', { name: '创建' }).click();
  await page.waitForURL(/done=created/);
  await expect(page.locator('table').textContent()).resolves.toContain('连续签到');
  const tiers = (await worker.db.prepare('SELECT kind, days, points FROM check_in_rewards').run()) as { results: unknown[] };
  expect(tiers.results).toEqual([{ kind: 'streak', days: 7, points: 50 }]);
});
