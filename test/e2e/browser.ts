// What the browser tests of /admin share: the production bundle on local workerd and Debian's
// Chromium, started together before the file's tests and stopped after them; a merchant account
// written straight to D1, and signing in with it through the login form.
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startLocalWorker, type LocalWorker } from '../../scripts/local-worker';
import type { MerchantRole } from '../../src/db/merchants';
import { hashPassword } from '../../src/lib/password';

/** Starts both in beforeAll and stops both in afterAll; read `.worker` and `.browser` inside tests. */
export function workerAndBrowser(workerOptions: Parameters<typeof startLocalWorker>[0] = {}) {
  const started = {} as { worker: LocalWorker; browser: Browser };
  beforeAll(async () => {
    [started.worker, started.browser] = await Promise.all([
      startLocalWorker(workerOptions),
      chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      }),
    ]);
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.worker?.dispose();
  });
  return started;
}

export type MerchantAccount = { id: string; username: string; password: string; role?: MerchantRole; name?: string };

/** The INSERT of a merchant account (an owner named 店主 unless said): run it, or put it with a test's other seed rows. */
export async function merchantAccountRow(db: LocalWorker['db'], account: MerchantAccount, now = Date.now()) {
  return db
    .prepare(
      `INSERT INTO merchant_accounts (id, username, display_name, password_hash, role, disabled, failed_logins, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?)`,
    )
    .bind(account.id, account.username, account.name ?? '店主', await hashPassword(account.password), account.role ?? 'owner', now, now);
}

/** Signs in through the admin's login form and waits for the products page it leads to. */
export async function signInToAdmin(page: Page, baseUrl: string, account: Pick<MerchantAccount, 'username' | 'password'>) {
  await page.goto(`${baseUrl}/admin/login`);
  await page.getByLabel('用户名').fill(account.username);
  await page.getByLabel('密码').fill(account.password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL('**/admin/products');
}
