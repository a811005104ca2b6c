// The failed shipping uploads section (/admin/shipping-uploads) in a real browser: a package's
// upload that WeChat refused is listed in Chinese with its order and WeChat's answer, the retry
// button puts it back in the outbox (due now) and it leaves the list; a disagreement found by
// the reconciliation is shown beside it.
import { expect, it } from 'vitest';
import { merchantAccountRow, signInToAdmin, workerAndBrowser } from './browser';

const OWNER = { id: 'mer_e2euploads', username: 'e2e_uploads', password: 'e2e password 789' };
const started = workerAndBrowser();

/** A shipped order whose package upload went dead at WeChat, and a reconciliation disagreement, as the outbox and the sweep leave them. */
async function seedFailedUpload() {
  const now = Date.now();
  const db = started.worker.db;
  const statements = [
    await merchantAccountRow(db, OWNER, now),
    db.prepare("INSERT INTO users (id, openid, nickname, member_level, created_at, updated_at) VALUES ('usr_e2euploads', 'o-e2e-uploads', '买家', 0, ?, ?)").bind(now, now),
    db
      .prepare(
        `INSERT INTO orders (id, order_no, user_id, status, items_total_fen, discount_fen, shipping_fee_fen, payable_fen, refunded_fen, address, note, payment_deadline, stock_released, paid_at, shipped_at, source, created_at, updated_at)
         VALUES ('ord_e2euploads', '2612020000000002', 'usr_e2euploads', 'shipped', 12900, 0, 0, 12900, 0, ?, '', ?, 0, ?, ?, 'shop', ?, ?)`,
      )
      .bind(JSON.stringify({ recipient: '王五', phone: '13900001111', province: '浙江省', city: '杭州市', district: '西湖区', detail: '文三路 1 号', postal_code: null }), now, now, now, now, now),
    db.prepare(
      `INSERT INTO shipments (id, order_id, seq, method, carrier_id, tracking_no, item_desc, completes_order, shipped_at)
         VALUES ('shp_e2euploads', 'ord_e2euploads', 1, 'express', 'SF', 'SF1234567890', '连衣裙*1件', 1, ${now})`,
    ),
    db
      .prepare(
        "INSERT INTO outbox (id, kind, subject_id, status, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES ('obx_e2euploads', 'upload_shipping', 'shp_e2euploads', 'dead', 1, ?, 'WeChat 10060012: 物流公司编码不正确', ?, ?)",
      )
      .bind(now, now, now),
    db
      .prepare(
        "INSERT INTO shipping_uploads (order_id, uploaded_seq, correction_used, wechat_order_state, checked_at, mismatch, updated_at) VALUES ('ord_e2euploads', 0, 0, 1, ?, '微信显示待发货，本店已发货', ?)",
      )
      .bind(now, now),
  ];
  for (const statement of statements) await statement.run();
}

it('lists the refused upload with its order and WeChat’s answer; 重试 puts it back in the outbox and off the list', async () => {
  await seedFailedUpload();
  const page = await started.browser.newPage({ viewport: { width: 1200, height: 800 } });
  await signInToAdmin(page, started.worker.url, OWNER);

  await page.getByRole('link', { name: '发货上传' }).click();
  await page.waitForURL('**/admin/shipping-uploads');
  const failed = page.locator('section').filter({ hasText: '上传失败' }).locator('tbody tr');
  await expect(failed.count()).resolves.toBe(1);
  await expect(failed.first().textContent()).resolves.toMatch(/上传发货信息.*ord_e2euploads.*1.*物流公司编码不正确/);
  const mismatch = page.locator('section').filter({ hasText: '与微信不一致' }).locator('tbody tr').first();
  await expect(mismatch.textContent()).resolves.toMatch(/ord_e2euploads.*待发货.*微信显示待发货，本店已发货/);

  await failed.first().getByRole('button', { name: '重试' }).click();
  await page.waitForURL(/done=retried/);
  await expect(page.getByRole('status').textContent()).resolves.toContain('已重新提交');
  await expect(page.locator('section').filter({ hasText: '上传失败' }).textContent()).resolves.toContain('没有上传失败的发货信息');
  // The JSON API agrees: nothing failed is left (the upload is pending in the outbox again).
  const login = await fetch(`${started.worker.url}/admin/api/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: OWNER.username, password: OWNER.password }),
  });
  const { token } = (await login.json()) as { token: string };
  const failedNow = (await (await fetch(`${started.worker.url}/admin/api/shipping-uploads/failed`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { items: unknown[] };
  expect(failedNow.items).toEqual([]);
});
